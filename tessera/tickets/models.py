import secrets
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tessera.core.limits import REFERENCE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tessera.core.models import TimeStampedModel

from .workflow import (
    CLOSED_STATUSES,
    WAITING_FOR_CUSTOMER_STATUSES,
    Action,
    Status,
    is_closed,
    status_category,
    status_tooltip,
)

MAX_CATEGORY_DEPTH = 4


class ServiceTeam(TimeStampedModel):
    """A team of the vendor's agents that works the tickets of some categories."""

    class AutoAssign(models.TextChoices):
        NONE = "none", _("No automatic assignment")
        ROUND_ROBIN = "round_robin", _("Round robin among available agents")

    name = models.CharField(_("name"), max_length=120, unique=True)
    email = models.EmailField(_("team e-mail"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="service_teams",
        limit_choices_to={"is_staff": True}, verbose_name=_("agents"),
    )
    auto_assign = models.CharField(
        _("automatic assignment"), max_length=16, choices=AutoAssign.choices, default=AutoAssign.NONE
    )
    is_active = models.BooleanField(_("active"), default=True)
    signature = models.TextField(
        _("signature"), blank=True, max_length=2000,
        help_text=_("Added under the agents' signatures to the team's replies to customers (Markdown)."),
    )
    #: Round robin remembers whom it chose last.
    last_assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("last agent assigned"),
    )

    class Meta:
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the category tree (at most four levels deep).

    A ticket points at the deepest node chosen; levels 1–4 are that node's
    path. A node routes to its own service team or, when it names none, to the
    nearest ancestor's.
    """

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    depth = models.PositiveSmallIntegerField(_("level"), editable=False, default=1)
    service_team = models.ForeignKey(
        ServiceTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="categories",
        verbose_name=_("service team"),
        help_text=_("Leave empty to use the team of the parent category."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
            # NULL parents never collide in the constraint above; top-level names need their own.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="category_unique_top_level_name"
            ),
        ]
        indexes = [models.Index(fields=["parent", "is_active", "position"])]

    def __str__(self) -> str:
        return " › ".join(c.name for c in self.path())

    def save(self, *args, **kwargs):
        self.__dict__.pop("_all_fields", None)  # a moved node has other ancestors' fields
        self.depth = self.parent.depth + 1 if self.parent_id and self.parent is not None else 1
        levels_below = self._levels_below()
        if self.depth + len(levels_below) > MAX_CATEGORY_DEPTH:
            raise ValidationError(_("Categories have at most %(max)d levels.") % {"max": MAX_CATEGORY_DEPTH})
        super().save(*args, **kwargs)
        # Moving a node moves its sub-tree: keep the levels stored below it in step.
        for offset, ids in enumerate(levels_below, start=1):
            Category.objects.filter(pk__in=ids).exclude(depth=self.depth + offset).update(depth=self.depth + offset)

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_all_fields", None)
        super().refresh_from_db(*args, **kwargs)

    def _levels_below(self) -> list[list[int]]:
        """The ids of this node's descendants, one list per level below it."""
        levels: list[list[int]] = []
        ids: list[int] = [self.pk] if self.pk else []
        while ids and len(levels) <= MAX_CATEGORY_DEPTH:  # bounded even if the stored tree has a cycle
            ids = list(Category.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
            if ids:
                levels.append(ids)
        return levels

    def clean(self):
        super().clean()
        depth = 1
        node = self.parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be placed under itself.")})
            depth += 1
            node = node.parent
        if depth + len(self._levels_below()) > MAX_CATEGORY_DEPTH:
            raise ValidationError(
                {"parent": _("Categories have at most %(max)d levels.") % {"max": MAX_CATEGORY_DEPTH}}
            )

    def path(self) -> list["Category"]:
        """The nodes from level 1 down to this one."""
        nodes = []
        node: Category | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]

    def routing_team(self) -> ServiceTeam | None:
        for node in reversed(self.path()):
            if node.service_team_id:
                return node.service_team
        return None

    def all_fields(self) -> list["CategoryField"]:
        """Extra fields of this category and of its ancestors, outermost first.

        Read once per instance, like a prefetched relation: the form that shows
        the fields and the service that checks the values (given the form's
        instance) see the same fields for one query.
        """
        if "_all_fields" not in self.__dict__:
            path_ids = [node.pk for node in self.path()]
            fields = CategoryField.objects.filter(category_id__in=path_ids)
            self._all_fields = sorted(fields, key=lambda f: (path_ids.index(f.category_id), f.position, f.pk))
        return list(self._all_fields)

    @classmethod
    def linked(cls, queryset: models.QuerySet | None = None) -> dict[int, "Category"]:
        """The categories of ``queryset`` (default: all) by id, from one query, each linked to its parent
        among them: walking a node's ``path()`` then queries nothing more."""
        nodes = {node.pk: node for node in (cls.objects.all() if queryset is None else queryset)}
        for node in nodes.values():
            if node.parent_id in nodes:
                node.parent = nodes[node.parent_id]
        return nodes

    @classmethod
    def active_tree(cls) -> dict[int | None, list["Category"]]:
        """Every active category in one query: the children of each parent id (``None``: level 1), in order.

        Each node's parent and service team come from the same query, so walking
        a chosen node's ``path()`` and ``routing_team()`` queries nothing more.
        """
        children: dict[int | None, list[Category]] = {}
        for node in cls.linked(cls.objects.filter(is_active=True).select_related("service_team")).values():
            children.setdefault(node.parent_id, []).append(node)
        return children


class CategoryField(models.Model):
    """An extra field a ticket of the category (or of its sub-categories) asks for."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")
        CHECKBOX = "checkbox", _("Checkbox")

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="fields", verbose_name=_("category")
    )
    key = models.SlugField(_("key"), max_length=50, help_text=_("Stable name under which values are stored."))
    label = models.CharField(_("label"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"), blank=True, max_length=5000, help_text=_("For choice fields: one option per line.")
    )
    help_text = models.CharField(_("help text"), max_length=250, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category field")
        verbose_name_plural = _("category fields")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="category_field_unique_key")]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        super().clean()
        if self.kind == self.Kind.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("A choice field needs at least one option.")})

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Priority(models.IntegerChoices):
    VERY_HIGH = 1, _("very high")
    HIGH = 2, _("high")
    MEDIUM = 3, _("medium")
    LOW = 4, _("low")


class Source(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    EMAIL = "email", _("E-mail")
    DESK = "desk", _("Desk")
    API = "api", _("API")


class TicketNumberCounter(models.Model):
    """The last ticket number handed out; one row, locked while a number is drawn."""

    last_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number counter")

    def __str__(self) -> str:
        return str(self.last_value)


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .policies import ticket_policy

        return ticket_policy.visible(user, self)

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def waiting_for_customer(self):
        return self.filter(status__in=WAITING_FOR_CUSTOMER_STATUSES)


#: How long a tag may be, and how many one ticket carries.
TAG_MAX_LENGTH = 40
TAGS_PER_TICKET = 20


class Tag(models.Model):
    """An agents' label on tickets ("billing", "vip", "backup"): filters queues; customers never see tags."""

    name = models.CharField(_("name"), max_length=TAG_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=10, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("organization"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_tickets",
        verbose_name=_("created by"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    external_reference = models.CharField(_("external reference"), max_length=REFERENCE_MAX_LENGTH, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category")
    )
    service_team = models.ForeignKey(
        ServiceTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        verbose_name=_("service team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tickets", verbose_name=_("assignee"),
    )
    field_values = models.JSONField(_("category field values"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.PORTAL)
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    created_at = models.DateTimeField(_("creation date"), default=timezone.now)
    updated_at = models.DateTimeField(_("change date"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: When the customer last wrote while support had not looked since: the ticket shows as updated by the
    #: customer until its assignee opens it or an agent answers (``services.comments``, the desk's workspace).
    customer_updated_at = models.DateTimeField(_("updated by the customer"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    #: The last automatic reminder for the current waiting status; cleared when the status changes.
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    #: Message-ID of the e-mail that opened the ticket, so a redelivered mail opens nothing twice.
    email_message_id = models.CharField(_("e-mail Message-ID"), max_length=255, blank=True, db_index=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "-updated_at"], name="ticket_org_status_updated"),
            models.Index(fields=["organization", "-updated_at"], name="ticket_org_updated"),
            models.Index(fields=["created_by", "-updated_at"], name="ticket_creator_updated"),
            models.Index(fields=["service_team", "status"], name="ticket_team_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            # The desk's "All open" queue across every organization: open tickets are few, closed ones millions.
            models.Index(
                # The same list, in the same (workflow) order, as the queues' filter, so PostgreSQL
                # can see that their WHERE implies this index's condition.
                fields=["-updated_at", "-id"],
                condition=models.Q(status__in=[s.value for s in Status if not is_closed(s)]),
                name="ticket_open_updated",
            ),
            # "My teams — unassigned": its count and its rows without visiting the table.
            models.Index(
                fields=["service_team", "-updated_at", "-id"],
                condition=models.Q(
                    assignee__isnull=True, status__in=[s.value for s in Status if not is_closed(s)]
                ),
                name="ticket_unassigned_open",
            ),
            models.Index(fields=["-closed_at"], condition=models.Q(closed_at__isnull=False), name="ticket_closed_at"),
            models.Index(
                fields=["-customer_updated_at"], condition=models.Q(customer_updated_at__isnull=False),
                name="ticket_customer_updated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # replaces the one Django generates
        """The status's label, translated. Django's own hashes every choice's lazy label on each call (each
        hash translates it): a list of 25 tickets spent more on that than on its rows."""
        try:
            return str(Status(self.status).label)
        except ValueError:  # a value no longer among the choices is shown as stored, as Django does
            return self.status

    @property
    def status_category(self):
        return status_category(self.status)

    @property
    def status_tooltip(self) -> Promise:
        return status_tooltip(self.status)

    @property
    def priority_display(self) -> str:
        """Seed 000 shows priorities as "medium (prio. 3)"."""
        return _("%(label)s (prio. %(value)d)") % {"label": self.get_priority_display(), "value": self.priority}

    @property
    def priority_slug(self) -> str:
        """The priority's name for style sheets (``badge-priority-<slug>``), the same in every language."""
        return Priority(self.priority).name.lower().replace("_", "-")


class TicketCC(models.Model):
    """Someone kept informed of a ticket: a colleague of the organization or a plain address."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="cc_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cc_tickets"
    )
    email = models.EmailField(_("e-mail address"))

    class Meta:
        verbose_name = _("CC")
        verbose_name_plural = _("CC")
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="ticket_cc_unique_email")]
        indexes = [models.Index(fields=["user", "ticket"])]

    def __str__(self) -> str:
        return self.email


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="ticket_comments", verbose_name=_("author"),
    )
    body = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Internal notes are never shown to customers.")
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.PORTAL)
    #: Message-ID of the e-mail this comment came from, so a redelivered reply is added once.
    email_message_id = models.CharField(_("e-mail Message-ID"), max_length=255, blank=True, db_index=True)
    #: Written in the desk as Markdown (shown as sanitized HTML); customers' comments and mail are plain text.
    is_markdown = models.BooleanField(_("Markdown"), default=False)
    #: Minutes an agent spent on this reply or note, when they said; kept for reports.
    time_spent = models.PositiveIntegerField(_("time spent (minutes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.body[:40]}"


#: The storage folder that holds every attachment file (``manage.py sweep_attachments`` looks only here).
ATTACHMENTS_DIR = "attachments"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random; the name the user gave is kept in original_name.
    suffix = PurePath(filename).suffix.lower()[:16]
    return f"{ATTACHMENTS_DIR}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


def event_type_choices() -> list[tuple[str, Any]]:
    """The event types, read when asked: a new type needs no migration."""
    return TicketEvent.Type.choices


class TicketEvent(models.Model):
    """One entry of a ticket's audit trail; only services write these (see events.py)."""

    class Type(models.TextChoices):
        CREATED = "created", _("Ticket created")
        STATUS_CHANGED = "status_changed", _("Status changed")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        CATEGORY_CHANGED = "category_changed", _("Category changed")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        TEAM_CHANGED = "team_changed", _("Service team changed")
        CC_CHANGED = "cc_changed", _("CC changed")
        COMMENT_ADDED = "comment_added", _("Comment added")
        NOTE_ADDED = "note_added", _("Internal note added")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        LINKED = "linked", _("Related ticket linked")
        UNLINKED = "unlinked", _("Related ticket unlinked")
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        FIELDS_CHANGED = "fields_changed", _("Extra fields changed")
        TAGS_CHANGED = "tags_changed", _("Tags changed")
        SLA_BREACHED = "sla_breached", _("SLA target missed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    type = models.CharField(_("type"), max_length=32, choices=event_type_choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    #: The service call that wrote the event (``core.operations``): its events are told together.
    #: Empty on events written before operations were recorded; each of those stands alone.
    operation_id = models.UUIDField(_("operation"), null=True, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.type}"


#: Three missed heartbeats (the workspace sends one every 10 s) and the agent has gone.
PRESENCE_TTL = timedelta(seconds=30)


class TicketPresence(models.Model):
    """An agent who has a ticket's workspace open, and whether they are typing in it (the desk's presence).

    One row per ticket and agent, refreshed by the page's heartbeat; a row older
    than ``PRESENCE_TTL`` means the agent has gone.
    Kept in the database so every web node sees the same agents.
    """

    class Activity(models.TextChoices):
        VIEWING = "viewing", _("viewing")
        TYPING = "typing", _("typing")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices, default=Activity.VIEWING)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ticket presence")
        verbose_name_plural = _("ticket presences")
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="presence_one_per_ticket_user")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.user_id} {self.activity}"


class SavedTicketFilter(TimeStampedModel):
    """The status filter a customer keeps as the default of "My tickets" (seed 000's "Save")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_ticket_filter",
        verbose_name=_("user"),
    )
    statuses = models.JSONField(_("statuses"), default=list, blank=True)
    only_own = models.BooleanField(_("only own tickets"), default=False)

    class Meta:
        verbose_name = _("saved ticket filter")
        verbose_name_plural = _("saved ticket filters")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.statuses)}"


class AgentSignature(TimeStampedModel):
    """What an agent signs their replies to customers with (Markdown), above their team's signature."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signature", verbose_name=_("agent"),
    )
    text = models.TextField(_("signature"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("agent's signature")
        verbose_name_plural = _("agents' signatures")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text[:40]}"


class DeskView(TimeStampedModel):
    """A queue with its filters and sort, saved by an agent under a name, for themselves or for a team."""

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="desk_views",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        ServiceTeam, on_delete=models.CASCADE, null=True, blank=True, related_name="desk_views",
        verbose_name=_("service team"),
    )
    queue = models.CharField(_("queue"), max_length=32)
    #: The query string of the queue's filters and sort (``team=3&sort=-priority``), as the queue page reads it.
    query = models.CharField(_("filters"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False, team__isnull=True) | models.Q(owner__isnull=True,
                                                                                       team__isnull=False),
                name="desk_view_owner_or_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TicketLink(models.Model):
    """Two related tickets, shown on both; stored once with the lower id first."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_from")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_to")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="ticket_link_unique"),
            models.CheckConstraint(
                condition=models.Q(from_ticket__lt=models.F("to_ticket")), name="ticket_link_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} ↔ {self.to_ticket_id}"


#: The status changes a macro may make: an agent's, but for reopening (it has its own form and reason).
MACRO_ACTIONS = [
    (action.value, action.label) for action in (
        Action.START, Action.REQUEST_INFO, Action.HOLD, Action.AWAIT_RELEASE, Action.SCHEDULE_APPOINTMENT,
        Action.REDIRECT, Action.PROVIDE_SOLUTION, Action.COMPLETE, Action.COMPLETE_SILENTLY, Action.MARK_ERROR,
    )
]


class CannedResponse(TimeStampedModel):
    """A macro: a prepared reply and what goes with it (status, assignee or team, priority, note, tags).

    Applied in one click from the workspace, or its text only inserted into the reply box. Team macros are
    offered on the team's tickets (no team: on every ticket); a personal macro only to its owner. The texts
    take {customer_name}, {ticket_number} and {ticket_title}.
    """

    team = models.ForeignKey(
        ServiceTeam, on_delete=models.CASCADE, null=True, blank=True, related_name="canned_responses",
        verbose_name=_("service team"), help_text=_("Leave empty to offer it to every team."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="macros",
        verbose_name=_("owner"), help_text=_("A personal macro: only its owner sees it."),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("reply to the customer"), max_length=TEXT_MAX_LENGTH, blank=True)
    action = models.CharField(_("status change"), max_length=32, blank=True, choices=MACRO_ACTIONS)
    set_priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True, choices=Priority.choices)
    set_team = models.ForeignKey(
        ServiceTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("move to team"),
    )
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assign to"), limit_choices_to={"is_staff": True},
    )
    note = models.TextField(_("internal note"), max_length=TEXT_MAX_LENGTH, blank=True)
    add_tags = models.CharField(_("tags to add"), max_length=400, blank=True, help_text=_("Separated by commas."))
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

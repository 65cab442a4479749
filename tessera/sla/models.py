"""Service levels: business calendars, SLA policies with targets per priority, and each ticket's SLA figures.

A policy applies to the organizations assigned to it (their contract tier); every other ticket follows the
default policy. ``TicketSLA`` keeps one ticket's figures, recomputed from its history (``services``) whenever
the ticket is created, answered, changes status or priority, or is closed; reports read them later.
"""

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.models import TimeStampedModel
from tessera.organizations.models import Organization
from tessera.tickets.models import Priority, ServiceTeam, Ticket
from tessera.tickets.workflow import (
    STATUS_CATEGORY,
    WAITING_FOR_CUSTOMER_STATUSES,
    Status,
    StatusCategory,
)

from .calendar import BusinessCalendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def default_paused_statuses() -> list[str]:
    """The customer's turn and the on-hold group: the clock does not run while support cannot act."""
    on_hold = {s for s, category in STATUS_CATEGORY.items() if category == StatusCategory.ON_HOLD}
    paused = WAITING_FOR_CUSTOMER_STATUSES | on_hold
    return [status.value for status in Status if status in paused]


def pausable_status_choices() -> list[tuple[str, Any]]:
    """Statuses a policy may pause in: any open one (closed tickets stop the clock anyway)."""
    return [(s.value, s.label) for s, c in STATUS_CATEGORY.items() if c != StatusCategory.CLOSED]


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Enter a time zone such as Europe/Rome."))


class Calendar(TimeStampedModel):
    """When support works: the working days, one working window per day, the holidays, in one time zone."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    monday = models.BooleanField(_("Monday"), default=True)
    tuesday = models.BooleanField(_("Tuesday"), default=True)
    wednesday = models.BooleanField(_("Wednesday"), default=True)
    thursday = models.BooleanField(_("Thursday"), default=True)
    friday = models.BooleanField(_("Friday"), default=True)
    saturday = models.BooleanField(_("Saturday"), default=False)
    sunday = models.BooleanField(_("Sunday"), default=False)
    day_starts = models.TimeField(_("working day starts"), default=time(9))
    day_ends = models.TimeField(_("working day ends"), default=time(17))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not any(getattr(self, day) for day in WEEKDAYS):
            raise ValidationError(_("Choose at least one working day."))
        if self.day_starts is not None and self.day_ends is not None and self.day_ends <= self.day_starts:
            raise ValidationError({"day_ends": _("The working day must end after it starts.")})

    def business_calendar(self) -> BusinessCalendar:
        """The calendar to count with; reads the holidays (prefetch ``holidays`` to read them once)."""
        return BusinessCalendar(
            time_zone=ZoneInfo(self.time_zone),
            working_days=frozenset(i for i, day in enumerate(WEEKDAYS) if getattr(self, day)),
            start=self.day_starts,
            end=self.day_ends,
            holidays=frozenset(holiday.date for holiday in self.holidays.all()),
        )


class Holiday(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class Policy(TimeStampedModel):
    """Targets per priority, counted in a calendar's business time, paused in the statuses it names."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="policies",
                                 verbose_name=_("business calendar"))
    is_default = models.BooleanField(
        _("default policy"), default=False,
        help_text=_("Applies to every organization that is not assigned a policy of its own."),
    )
    paused_statuses = models.JSONField(
        _("paused in statuses"), default=default_paused_statuses, blank=True,
        help_text=_("The clock stops while a ticket is in one of these statuses."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="sla_policy_one_default"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        known = {value for value, _label in pausable_status_choices()}
        if not isinstance(self.paused_statuses, list) or not set(self.paused_statuses) <= known:
            raise ValidationError({"paused_statuses": _("Choose statuses of open tickets only.")})


class Target(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"), help_text=_("Until support's first public reply.")
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), help_text=_("Until the ticket is closed.")
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["priority"]
        constraints = [models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_one_per_priority")]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_priority_display()}"


class OrganizationPolicy(models.Model):
    """An organization's contract tier: the policy its tickets follow instead of the default."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sla_policy_assignment", verbose_name=_("organization")
    )
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="assignments",
                               verbose_name=_("SLA policy"))

    class Meta:
        verbose_name = _("organization's SLA policy")
        verbose_name_plural = _("organizations' SLA policies")

    def __str__(self) -> str:
        return f"{self.organization} → {self.policy}"


class TeamLead(models.Model):
    """Who hears of a service team's missed targets. ``ServiceTeam`` names members only, so the lead lives here."""

    team = models.OneToOneField(ServiceTeam, on_delete=models.CASCADE, related_name="sla_lead",
                                verbose_name=_("service team"))
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             limit_choices_to={"is_staff": True}, verbose_name=_("team lead"))

    class Meta:
        verbose_name = _("team lead")
        verbose_name_plural = _("team leads")

    def __str__(self) -> str:
        return f"{self.team}: {self.lead}"


class Kind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class TicketSLA(models.Model):
    """One ticket's SLA figures: what was due when, when it happened, how long it was paused, what was missed."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(Policy, on_delete=models.SET_NULL, null=True, related_name="+")
    first_response_due_at = models.DateTimeField(null=True)
    first_response_at = models.DateTimeField(null=True)
    resolution_due_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    #: Business minutes the clock stood still in the policy's paused statuses.
    paused_minutes = models.PositiveIntegerField(default=0)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    #: The due time that runs now (first response, else resolution); empty while paused, answered and closed.
    next_due_at = models.DateTimeField(null=True)
    next_due_kind = models.CharField(max_length=16, choices=Kind.choices, blank=True)
    first_response_breach_notified = models.BooleanField(default=False)
    resolution_breach_notified = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        indexes = [models.Index(fields=["next_due_at"], name="sla_ticket_next_due",
                                condition=models.Q(next_due_at__isnull=False))]

    def __str__(self) -> str:
        return f"SLA of {self.ticket_id}"

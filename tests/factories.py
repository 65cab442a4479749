"""factory_boy factories, one per model of tessera/ (tests/test_factories.py checks that none is missing).

Each builds a valid row with what it needs around it; tests of behaviour create through the services and
use these for the world around them.
"""

import hashlib
from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tessera.accounts.models import AccountEmail, AccountToken, LegalDocument, TokenPurpose, User, UserSession
from tessera.audit.models import AuditAction, AuditEntry
from tessera.branding.models import Branding
from tessera.core.models import FormSubmission, Lease
from tessera.imports.models import ImportRun
from tessera.notifications.models import OutgoingEmail
from tessera.organizations.models import LinkAttempt, LinkRequest, Membership, Organization, OrganizationNote, Role
from tessera.sla.models import Calendar, Holiday, OrganizationPolicy, Policy, Target, TeamLead, TicketSLA
from tessera.sso.models import SsoIdentity
from tessera.tickets.models import (
    AgentSignature,
    Attachment,
    CannedResponse,
    Category,
    CategoryField,
    Comment,
    DeskView,
    Priority,
    SavedTicketFilter,
    ServiceTeam,
    Tag,
    Ticket,
    TicketCC,
    TicketEvent,
    TicketLink,
    TicketNumberCounter,
    TicketPresence,
)
from tessera.tickets.numbering import COUNTER_PK, draw_ticket_number
from tessera.tickets.workflow import Status
from tessera.tokens.models import AccessToken, TokenKind, TokenRateWindow, TokenScope
from tessera.webhooks.models import EventType, WebhookDelivery, WebhookSubscription
from tessera.webhooks.signing import new_message_id, new_secret

PASSWORD = "correct-horse-7"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class AgentFactory(UserFactory):
    is_staff = True


class AccountTokenFactory(DjangoModelFactory[AccountToken]):
    """A valid invitation link's row; the raw token is ``token-<n>`` (tests of links use ``tokens.token_issue``)."""

    class Meta:
        model = AccountToken

    user = factory.SubFactory(UserFactory)
    purpose = TokenPurpose.INVITATION
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"token-{n}".encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class UserSessionFactory(DjangoModelFactory[UserSession]):
    """The account page's record of a session (the session itself is not made)."""

    class Meta:
        model = UserSession

    user = factory.SubFactory(UserFactory)
    session_key = factory.Sequence(lambda n: f"session-{n:032d}")
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


class AccountEmailFactory(DjangoModelFactory[AccountEmail]):
    class Meta:
        model = AccountEmail

    user = factory.SubFactory(UserFactory)
    kind = AccountEmail.Kind.REGISTRATION


class LegalDocumentFactory(DjangoModelFactory[LegalDocument]):
    """One per kind and language: asking again for the same pair gives the same row."""

    class Meta:
        model = LegalDocument
        django_get_or_create = ("kind", "language")

    kind = LegalDocument.Kind.TERMS
    language = "en"
    title = factory.LazyAttribute(lambda o: f"{o.kind.label}")
    body = "First paragraph.\n\nSecond paragraph."


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    customer_code = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    postal_code = "20100"
    city = "Milano"
    country = "IT"


class OrganizationNoteFactory(DjangoModelFactory[OrganizationNote]):
    class Meta:
        model = OrganizationNote

    organization = factory.SubFactory(OrganizationFactory)
    author = factory.SubFactory("tests.factories.AgentFactory")
    body = "Prefers a call before 10:00."


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.BASIC


class CustomerFactory(UserFactory):
    """A basic member of a new organization: who a ticket needs as its author."""

    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user", role=Role.BASIC)


class LinkAttemptFactory(DjangoModelFactory[LinkAttempt]):
    class Meta:
        model = LinkAttempt

    user = factory.SubFactory(UserFactory)
    ip_address = "192.0.2.10"


class ServiceTeamFactory(DjangoModelFactory[ServiceTeam]):
    class Meta:
        model = ServiceTeam

    name = factory.Sequence(lambda n: f"Team {n}")


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    service_team = factory.SubFactory(ServiceTeamFactory)


class TicketNumberCounterFactory(DjangoModelFactory[TicketNumberCounter]):
    """The one counter (numbering.COUNTER_PK); its value is the last number drawn."""

    class Meta:
        model = TicketNumberCounter
        django_get_or_create = ("id",)

    id = COUNTER_PK


class TicketFactory(DjangoModelFactory[Ticket]):
    """A ticket written directly; tests of behaviour use the services instead."""

    class Meta:
        model = Ticket

    number = factory.LazyFunction(draw_ticket_number)
    organization = factory.LazyAttribute(lambda o: o.created_by.membership.organization)
    created_by = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Ticket {n}")
    description = "It does not work."
    status = Status.OPEN
    category = factory.SubFactory(CategoryFactory)
    service_team = factory.LazyAttribute(lambda o: o.category.service_team)


class AgentSignatureFactory(DjangoModelFactory[AgentSignature]):
    class Meta:
        model = AgentSignature

    user = factory.SubFactory("tests.factories.AgentFactory")
    text = "Marco Bianchi, Imaging support"


class DeskViewFactory(DjangoModelFactory[DeskView]):
    class Meta:
        model = DeskView

    name = factory.Sequence(lambda n: f"View {n}")
    owner = factory.SubFactory("tests.factories.AgentFactory")
    queue = "open"
    query = "priority=1"


class TagFactory(DjangoModelFactory[Tag]):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")


class TicketCCFactory(DjangoModelFactory[TicketCC]):
    class Meta:
        model = TicketCC

    ticket = factory.SubFactory(TicketFactory)
    user = None
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "someone@rossi.test")


class CommentFactory(DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author = factory.LazyAttribute(lambda o: o.ticket.created_by)
    body = "A comment."


class CategoryFieldFactory(DjangoModelFactory[CategoryField]):
    class Meta:
        model = CategoryField

    category = factory.SubFactory(CategoryFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    kind = CategoryField.Kind.TEXT


class AttachmentFactory(DjangoModelFactory[Attachment]):
    class Meta:
        model = Attachment

    ticket = factory.SubFactory(TicketFactory)
    file = factory.django.FileField(filename="notes.txt", data=b"Some notes.")
    original_name = "notes.txt"
    size = len(b"Some notes.")
    content_type = "text/plain"
    uploaded_by = factory.LazyAttribute(lambda o: o.ticket.created_by)


class TicketEventFactory(DjangoModelFactory[TicketEvent]):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    actor = factory.LazyAttribute(lambda o: o.ticket.created_by)
    type = TicketEvent.Type.CREATED


class TicketPresenceFactory(DjangoModelFactory[TicketPresence]):
    class Meta:
        model = TicketPresence

    ticket = factory.SubFactory(TicketFactory)
    user = factory.SubFactory("tests.factories.AgentFactory")


class SavedTicketFilterFactory(DjangoModelFactory[SavedTicketFilter]):
    class Meta:
        model = SavedTicketFilter

    user = factory.SubFactory(CustomerFactory)
    statuses = factory.LazyFunction(lambda: [Status.OPEN.value, Status.IN_PROCESS.value])


class TicketLinkFactory(DjangoModelFactory[TicketLink]):
    """Two related tickets; stored with the lower id first, which the order of creation gives."""

    class Meta:
        model = TicketLink

    from_ticket = factory.SubFactory(TicketFactory)
    to_ticket = factory.SubFactory(TicketFactory)
    created_by = factory.SubFactory(AgentFactory)


class CannedResponseFactory(DjangoModelFactory[CannedResponse]):
    class Meta:
        model = CannedResponse

    team = factory.SubFactory(ServiceTeamFactory)
    title = factory.Sequence(lambda n: f"Canned answer {n}")
    body = "Hello {customer_name}, about ticket {ticket_number}: it is solved."


class BrandingFactory(DjangoModelFactory[Branding]):
    """The vendor's branding: one row, as seed 000's header shows it."""

    class Meta:
        model = Branding
        django_get_or_create = ("id",)

    id = Branding.SINGLETON_PK
    product_name = "CGM Support"
    tagline = "Synchronizing Healthcare"
    primary_color = "#0b4f8a"
    support_phone = "+39 02 1234 5678"
    support_email = "support@cgm.example"
    support_hours = "Mon–Fri 8:00–18:00"


class FormSubmissionFactory(DjangoModelFactory[FormSubmission]):
    """A form sent once (``core.idempotency``)."""

    class Meta:
        model = FormSubmission

    token = factory.Sequence(lambda n: f"form-token-{n:016d}")
    user_id = factory.LazyFunction(lambda: UserFactory().pk)
    result_url = "/tickets/0800000001/"


class OutgoingEmailFactory(DjangoModelFactory[OutgoingEmail]):
    """A queued message, rendered as ``queue_email`` stores it."""

    class Meta:
        model = OutgoingEmail

    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    to = factory.Sequence(lambda n: f"recipient{n}@example.test")
    subject = "A message"
    text = "Hello."


class AuditEntryFactory(DjangoModelFactory[AuditEntry]):
    class Meta:
        model = AuditEntry

    action = AuditAction.LOGIN
    actor = factory.SubFactory(UserFactory)
    actor_email = factory.LazyAttribute(lambda o: o.actor.email if o.actor else "")
    ip_address = "192.0.2.10"


class LinkRequestFactory(DjangoModelFactory[LinkRequest]):
    """A pending request to be linked, as first login leaves it: see ``pending_applicant``."""

    class Meta:
        model = LinkRequest

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    customer_code = factory.LazyAttribute(lambda o: o.organization.customer_code)
    postal_code = factory.LazyAttribute(lambda o: o.organization.postal_code)


class ImportRunFactory(DjangoModelFactory[ImportRun]):
    """A dry run of an organizations file, as the desk's import page leaves it (without the stored file)."""

    class Meta:
        model = ImportRun

    kind = ImportRun.Kind.ORGANIZATIONS
    original_name = "customers.csv"
    created_by = factory.SubFactory(UserFactory, is_staff=True, is_superuser=True)
    summary = factory.LazyFunction(lambda: {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "error": 0})
    rows = factory.LazyFunction(lambda: [{"line": 2, "key": "5001", "outcome": "created",
                                          "messages": ["New organization Praxis Bianchi."]}])



class WebhookSubscriptionFactory(DjangoModelFactory[WebhookSubscription]):
    """A vendor administrator's subscription to every event (public comments only)."""

    class Meta:
        model = WebhookSubscription

    url = "https://erp.example.com/hooks/tessera"
    event_types = factory.LazyFunction(lambda: list(EventType.values))
    secret = factory.LazyFunction(new_secret)
    created_by = factory.SubFactory(UserFactory, is_staff=True, is_superuser=True)


class WebhookDeliveryFactory(DjangoModelFactory[WebhookDelivery]):
    """A delivered ``ticket.created`` message, as the log lists it."""

    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    message_id = factory.LazyFunction(new_message_id)
    event_type = EventType.TICKET_CREATED
    ordering_key = factory.Sequence(lambda n: f"ticket:{n}")
    body = '{"type":"ticket.created","data":{}}'
    status = WebhookDelivery.Status.SUCCEEDED
    attempts = 1
    response_status = 200
    response_excerpt = "ok"
    duration_ms = 12
    last_attempt_at = factory.LazyFunction(timezone.now)

def pending_applicant(organization, **user_fields) -> LinkRequest:
    """A user who entered ``organization``'s codes at first login: restricted member, request pending."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=Role.RESTRICTED)
    return LinkRequestFactory.create(user=user, organization=organization)


def create_tickets(count: int, *, created_by, category, **fields) -> list[Ticket]:
    """``count`` tickets in one INSERT, for tests of lists and exports at scale."""
    from tessera.tickets.numbering import draw_ticket_numbers

    numbers = draw_ticket_numbers(count)
    tickets = [
        Ticket(
            number=number, organization=created_by.membership.organization, created_by=created_by,
            title=f"Bulk ticket {number}", description="Created in bulk.", category=category,
            service_team=category.service_team, **fields,
        )
        for number in numbers
    ]
    return Ticket.objects.bulk_create(tickets)


def email_message(
    *, sender: str, to: str, subject: str = "About my ticket", body: str | None = "Hello", html: str | None = None,
    message_id: str | None = None, headers: dict | None = None, attachments=(),
):
    """An RFC 5322 message as a mail client sends it; ``attachments`` are (name, bytes, "type/subtype")."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or make_msgid(domain="mail.test")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


class LeaseFactory(DjangoModelFactory[Lease]):
    class Meta:
        model = Lease

    name = factory.Sequence(lambda n: f"lease-{n}")
    holder = "web-1:4242"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=5))


# --- access tokens (tessera/tokens) ---------------------------------------------------------------------------------

def _raw_token(n: int) -> str:
    return f"tsr_factory-token-{n:08d}"


class AccessTokenFactory(DjangoModelFactory[AccessToken]):
    """A personal read and write token; its value is ``raw`` (``token.raw``), only the hash is stored."""

    class Meta:
        model = AccessToken

    user = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("user")
    name = factory.Sequence(lambda n: f"Script {n}")
    kind = TokenKind.PERSONAL
    scope = TokenScope.READ_WRITE
    raw = factory.Sequence(_raw_token)
    prefix = factory.LazyAttribute(lambda o: o.raw[:10])
    key_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.raw.encode()).hexdigest())

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw")
        token = super()._create(model_class, *args, **kwargs)
        token.raw = raw  # what a client sends: Authorization: Bearer <raw>
        return token


class TokenRateWindowFactory(DjangoModelFactory[TokenRateWindow]):
    class Meta:
        model = TokenRateWindow

    token = factory.SubFactory(AccessTokenFactory)
    window_start = factory.LazyFunction(lambda: timezone.now().replace(second=0, microsecond=0))
    count = 1


class SsoIdentityFactory(DjangoModelFactory[SsoIdentity]):
    class Meta:
        model = SsoIdentity

    user = factory.SubFactory(UserFactory)
    provider = "cgm"
    subject = factory.Sequence(lambda n: f"subject-{n}")
    email = factory.LazyAttribute(lambda o: o.user.email)


# --- SLA (tessera/sla) ---------------------------------------------------------------------------------------------


class CalendarFactory(DjangoModelFactory[Calendar]):
    class Meta:
        model = Calendar

    name = factory.Sequence(lambda n: f"Office {n}")
    time_zone = "Europe/Rome"


class HolidayFactory(DjangoModelFactory[Holiday]):
    class Meta:
        model = Holiday

    calendar = factory.SubFactory(CalendarFactory)
    date = date(2027, 1, 6)
    name = "Epiphany"


class PolicyFactory(DjangoModelFactory[Policy]):
    class Meta:
        model = Policy

    name = factory.Sequence(lambda n: f"Policy {n}")
    calendar = factory.SubFactory(CalendarFactory)


class TargetFactory(DjangoModelFactory[Target]):
    class Meta:
        model = Target

    policy = factory.SubFactory(PolicyFactory)
    priority = Priority.MEDIUM
    first_response_minutes = 240
    resolution_minutes = 960


class OrganizationPolicyFactory(DjangoModelFactory[OrganizationPolicy]):
    class Meta:
        model = OrganizationPolicy

    organization = factory.SubFactory(OrganizationFactory)
    policy = factory.SubFactory(PolicyFactory)


class TeamLeadFactory(DjangoModelFactory[TeamLead]):
    class Meta:
        model = TeamLead

    team = factory.SubFactory(ServiceTeamFactory)
    lead = factory.SubFactory(AgentFactory)


class TicketSLAFactory(DjangoModelFactory[TicketSLA]):
    class Meta:
        model = TicketSLA

    ticket = factory.SubFactory(TicketFactory)
    policy = factory.SubFactory(PolicyFactory)
    computed_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(lambda o: o.computed_at + timedelta(hours=4))
    first_response_at = factory.LazyAttribute(lambda o: o.computed_at + timedelta(hours=1))
    resolution_due_at = factory.LazyAttribute(lambda o: o.computed_at + timedelta(days=2))
    resolved_at = factory.LazyAttribute(lambda o: o.computed_at + timedelta(days=1))
    next_due_at = factory.LazyAttribute(lambda o: o.resolution_due_at)

import factory
from factory.django import DjangoModelFactory

from tessera.accounts.models import User
from tessera.organizations.models import LinkRequest, Membership, Organization, Role
from tessera.tickets.models import Category, CategoryField, Comment, ServiceTeam, Ticket, TicketCC
from tessera.tickets.numbering import draw_ticket_number
from tessera.tickets.workflow import Status

PASSWORD = "correct-horse-7"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgentFactory(UserFactory):
    is_staff = True


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    customer_code = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    postal_code = "20100"
    city = "Milano"
    country = "IT"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.BASIC


class ServiceTeamFactory(DjangoModelFactory):
    class Meta:
        model = ServiceTeam

    name = factory.Sequence(lambda n: f"Team {n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    service_team = factory.SubFactory(ServiceTeamFactory)


class TicketFactory(DjangoModelFactory):
    """A ticket written directly; tests of behaviour use the services instead."""

    class Meta:
        model = Ticket

    number = factory.LazyFunction(draw_ticket_number)
    organization = factory.LazyAttribute(lambda o: o.created_by.membership.organization)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Ticket {n}")
    description = "It does not work."
    status = Status.OPEN
    category = factory.SubFactory(CategoryFactory)
    service_team = factory.LazyAttribute(lambda o: o.category.service_team)


class TicketCCFactory(DjangoModelFactory):
    class Meta:
        model = TicketCC

    ticket = factory.SubFactory(TicketFactory)
    user = None
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "someone@example.test")


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author = factory.LazyAttribute(lambda o: o.ticket.created_by)
    body = "A comment."


class CategoryFieldFactory(DjangoModelFactory):
    class Meta:
        model = CategoryField

    category = factory.SubFactory(CategoryFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    kind = CategoryField.Kind.TEXT


class LinkRequestFactory(DjangoModelFactory):
    """A pending request to be linked, as first login leaves it: see ``pending_applicant``."""

    class Meta:
        model = LinkRequest

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    customer_code = factory.LazyAttribute(lambda o: o.organization.customer_code)
    postal_code = factory.LazyAttribute(lambda o: o.organization.postal_code)


def pending_applicant(organization, **user_fields) -> LinkRequest:
    """A user who entered ``organization``'s codes at first login: restricted member, request pending."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=Role.RESTRICTED)
    return LinkRequestFactory(user=user, organization=organization)


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

import factory
from factory.django import DjangoModelFactory

from tessera.accounts.models import User
from tessera.organizations.models import Membership, Organization, Role
from tessera.tickets.models import Category, Comment, ServiceTeam, Ticket, TicketCC
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

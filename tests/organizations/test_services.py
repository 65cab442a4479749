"""Services of seed 001's first login and organization administration, without the web layer."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import dateformat, timezone, translation

from tessera.core.errors import ApplicationError
from tessera.organizations import services
from tessera.organizations.models import LinkAttempt, LinkRequest, Membership, Role
from tessera.organizations.throttling import TooManyAttempts
from tessera.tickets.models import Ticket
from tessera.tickets.policies import ticket_policy
from tests.factories import (
    AgentFactory,
    MembershipFactory,
    OrganizationFactory,
    TicketFactory,
    UserFactory,
    pending_applicant,
)

pytestmark = pytest.mark.usefixtures("worker_keeps_test_connection")

NO_MATCH = "We could not find a customer with this customer code and postal code."


def link(user, code="100001", postal="20121", ip="10.0.0.1"):
    return services.link_request_create(user=user, customer_code=code, postal_code=postal, ip_address=ip)


def fresh(user):
    """The user as the next request loads it (no cached membership)."""
    return type(user).objects.select_related("membership").get(pk=user.pk)


def month_in(language, moment):
    with translation.override(language):
        return dateformat.format(timezone.localtime(moment), "j F Y")


# Linking at first login


def test_matching_codes_make_a_restricted_member_with_a_pending_request(unlinked_user, organization):
    link_request = link(unlinked_user)
    assert link_request.state == LinkRequest.State.PENDING
    assert link_request.organization == organization
    assert (link_request.customer_code, link_request.postal_code) == ("100001", "20121")
    membership = Membership.objects.get(user=unlinked_user)
    assert (membership.organization, membership.role, membership.is_active) == (organization, Role.RESTRICTED, True)


@pytest.mark.parametrize(("code", "postal"), [(" 100001 ", "20121"), ("100001", " 20 121 ")])
def test_codes_are_trimmed_and_spaces_in_the_postal_code_ignored(unlinked_user, organization, code, postal):
    assert link(unlinked_user, code=code, postal=postal).organization == organization


@pytest.mark.parametrize(("code", "postal"), [("cgm-4711", "d-80331"), (" Cgm-4711", "D-80 331")])
def test_the_customer_code_is_case_insensitive(unlinked_user, code, postal):
    organization = OrganizationFactory(customer_code="CGM-4711", postal_code="D-80331")
    assert link(unlinked_user, code=code, postal=postal).organization == organization


@pytest.mark.parametrize(("code", "postal"), [("999999", "20121"), ("100001", "99999"), ("200002", "20121"), ("", "")])
def test_wrong_code_or_postal_code_give_one_message_and_link_nothing(unlinked_user, organization, other_organization,
                                                                      code, postal):
    with pytest.raises(ValidationError) as refusal:
        link(unlinked_user, code=code, postal=postal)
    assert refusal.value.messages[0].startswith(NO_MATCH)
    assert not Membership.objects.filter(user=unlinked_user).exists()
    assert not LinkRequest.objects.filter(user=unlinked_user).exists()
    assert LinkAttempt.objects.filter(user=unlinked_user).count() == 1


def test_an_inactive_organization_is_not_found(unlinked_user, organization):
    organization.is_active = False
    organization.save()
    with pytest.raises(ValidationError):
        link(unlinked_user)


def test_members_and_restricted_members_cannot_link_again(customer, restricted_user, inactive_member):
    for user in (customer, restricted_user, inactive_member):
        with pytest.raises(ApplicationError, match="already linked"):
            link(user)


def test_staff_do_not_link(agent, organization):
    with pytest.raises(PermissionDenied):
        link(agent)


def test_five_failures_block_the_user_even_with_the_right_codes(unlinked_user, organization):
    for attempt in range(5):
        with pytest.raises(ValidationError):
            link(unlinked_user, code="999999", ip=f"10.0.0.{attempt + 1}")
    with pytest.raises(TooManyAttempts, match="Please wait 15 minutes"):
        link(unlinked_user, ip="10.9.9.9")
    assert not LinkRequest.objects.filter(user=unlinked_user).exists()
    assert LinkAttempt.objects.count() == 5  # a refused try is not counted again


def test_one_users_failures_do_not_lock_out_colleagues_behind_the_same_router(organization):
    """Issue 14, finding 4: a practice shares one address; one colleague's typos must not block the others."""
    clumsy = UserFactory()
    for _ in range(5):
        with pytest.raises(ValidationError):
            link(clumsy, code="999999", ip="10.0.0.7")
    with pytest.raises(TooManyAttempts):
        link(clumsy, ip="10.0.0.7")
    assert link(UserFactory(), ip="10.0.0.7").organization == organization


def test_an_address_is_blocked_at_its_own_much_higher_limit(settings, organization):
    assert settings.TESSERA_LINK_NETWORK_FAILURE_LIMIT >= 10 * settings.TESSERA_LINK_FAILURE_LIMIT
    settings.TESSERA_LINK_NETWORK_FAILURE_LIMIT = 7
    for _ in range(7):
        with pytest.raises(ValidationError):
            link(UserFactory(), code="999999", ip="10.0.0.7")
    with pytest.raises(TooManyAttempts):
        link(UserFactory(), ip="10.0.0.7")
    assert link(UserFactory(), ip="10.0.0.8").organization == organization


def test_guessing_one_organizations_postal_code_from_many_accounts_blocks_that_organization(
    settings, organization, other_organization
):
    settings.TESSERA_LINK_ORGANIZATION_FAILURE_LIMIT = 6
    for attempt in range(6):  # six accounts, six addresses: no user or address limit is reached
        with pytest.raises(ValidationError):
            link(UserFactory(), code=organization.customer_code, postal=f"0000{attempt}", ip=f"10.1.0.{attempt}")
    assert LinkAttempt.objects.filter(organization=organization).count() == 6
    with pytest.raises(TooManyAttempts):
        link(UserFactory(), ip="10.2.0.1")  # even the right pair waits
    other = link(UserFactory(), code=other_organization.customer_code, postal=other_organization.postal_code,
                 ip="10.2.0.2")
    assert other.organization == other_organization
    # A code nobody has counts against no organization.
    with pytest.raises(ValidationError):
        link(UserFactory(), code="999999", ip="10.3.0.1")
    assert LinkAttempt.objects.filter(organization__isnull=True).count() == 1


@pytest.mark.postgres(reason="needs PostgreSQL row locking between parallel requests")
@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_of_one_user_never_exceed_the_limit(settings, unlinked_user, organization):
    """Issue 14, finding 4: nothing locked between the check and the recorded failure."""
    import threading

    from django.db import connection

    settings.TESSERA_LINK_FAILURE_LIMIT = 3
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guess(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                link(unlinked_user, code="999999", ip=f"10.4.0.{worker}")
            except TooManyAttempts:
                outcome = "blocked"
            except ValidationError:
                outcome = "tried"
            with lock:
                outcomes.append(outcome)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(outcomes) == ["blocked"] * 9 + ["tried"] * 3
    assert LinkAttempt.objects.filter(user=unlinked_user).count() == 3


def test_failures_older_than_the_window_no_longer_count(unlinked_user, organization):
    for _ in range(5):
        with pytest.raises(ValidationError):
            link(unlinked_user, code="999999")
    LinkAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert link(unlinked_user).state == LinkRequest.State.PENDING


def test_limit_and_window_come_from_settings(settings, unlinked_user, organization):
    settings.TESSERA_LINK_FAILURE_LIMIT = 2
    settings.TESSERA_LINK_COOLOFF_MINUTES = 30
    for _ in range(2):
        with pytest.raises(ValidationError):
            link(unlinked_user, code="999999")
    with pytest.raises(TooManyAttempts, match="30 minutes"):
        link(unlinked_user)


def test_admins_are_asked_each_in_their_language(unlinked_user, organization, org_admin, manager, outsider,
                                                 deliver, mailoutbox):
    org_admin.language = "it"
    org_admin.save()
    second_admin = UserFactory(email="a2@rossi.test")
    MembershipFactory(organization=organization, role=Role.ADMIN, user=second_admin)
    with deliver():
        link_request = link(unlinked_user)
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {org_admin.email, second_admin.email}
    italian = by_recipient[org_admin.email]
    assert italian.subject == f"Nuovo utente in attesa di approvazione: {unlinked_user.email} (Praxis Rossi)"
    assert by_recipient[second_admin.email].subject.startswith("New user waiting for approval:")
    assert unlinked_user.email in italian.body and "100001" in italian.body and "20121" in italian.body
    assert "http://127.0.0.1:8000/organization/users/" in italian.body
    assert month_in("it", link_request.created_at) in italian.body
    assert month_in("en", link_request.created_at) in by_recipient[second_admin.email].body
    assert "/organization/users/" in italian.alternatives[0][0]


def test_without_an_active_admin_all_active_vendor_staff_are_asked(unlinked_user, organization, agent, customer,
                                                                  deliver, mailoutbox):
    MembershipFactory(organization=organization, role=Role.ADMIN, is_active=False)
    AgentFactory(email="gone@vendor.test", is_active=False)
    boss = AgentFactory(email="boss@vendor.test", is_superuser=True)
    with deliver():
        link(unlinked_user)
    assert sorted(message.to[0] for message in mailoutbox) == sorted([agent.email, boss.email])
    assert all("http://127.0.0.1:8000/desk/approvals/" in message.body for message in mailoutbox)


# Approval and rejection


def test_admin_approves_and_the_user_is_told(organization, org_admin, deliver, mailoutbox):
    link_request = pending_applicant(organization, email="new@rossi.test", language="it")
    with deliver():
        membership = services.link_request_approve(link_request=link_request, approved_by=org_admin)
    assert (membership.role, membership.is_active) == (Role.BASIC, True)
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.APPROVED and link_request.decided_by == org_admin
    assert link_request.decided_at is not None
    [message] = mailoutbox
    assert message.to == ["new@rossi.test"]
    assert message.subject == "Il tuo accesso a Praxis Rossi è attivo"
    assert "Basic user" in message.body and "http://127.0.0.1:8000/" in message.body
    assert month_in("it", link_request.decided_at) in message.body


def test_vendor_staff_approve_for_any_organization(organization, other_organization, agent):
    link_request = pending_applicant(other_organization)
    assert services.link_request_approve(link_request=link_request, approved_by=agent).role == Role.BASIC


def test_nobody_else_may_decide(organization, outsider, customer, manager, restricted_user, inactive_member):
    link_request = pending_applicant(organization)
    inactive_admin = MembershipFactory(organization=organization, role=Role.ADMIN, is_active=False).user
    for user in (outsider, customer, manager, restricted_user, inactive_member, inactive_admin):
        with pytest.raises(PermissionDenied):
            services.link_request_approve(link_request=link_request, approved_by=user)
        with pytest.raises(PermissionDenied):
            services.link_request_reject(link_request=link_request, rejected_by=user, reason="No.")
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.PENDING


def test_a_request_is_decided_once(organization, org_admin, agent):
    link_request = pending_applicant(organization)
    services.link_request_approve(link_request=link_request, approved_by=org_admin)
    with pytest.raises(ApplicationError, match="already been decided"):
        services.link_request_reject(link_request=link_request, rejected_by=agent, reason="Too late")
    assert Membership.objects.get(user=link_request.user).role == Role.BASIC


def test_rejection_needs_a_reason(organization, org_admin):
    link_request = pending_applicant(organization)
    with pytest.raises(ValidationError) as refusal:
        services.link_request_reject(link_request=link_request, rejected_by=org_admin, reason="   ")
    assert "reason" in refusal.value.error_dict


def test_rejection_tells_the_reason_and_lets_the_user_try_again(organization, org_admin, deliver, mailoutbox):
    link_request = pending_applicant(organization, email="new@rossi.test")
    with deliver():
        services.link_request_reject(link_request=link_request, rejected_by=org_admin, reason="Not one of our staff.")
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.REJECTED
    assert link_request.rejection_reason == "Not one of our staff."
    assert not Membership.objects.filter(user=link_request.user).exists()
    [message] = mailoutbox
    assert message.to == ["new@rossi.test"]
    assert message.subject == "Your request to be linked to Praxis Rossi was not approved"
    assert "Not one of our staff." in message.body and "http://127.0.0.1:8000/link/" in message.body
    assert link(fresh(link_request.user)).state == LinkRequest.State.PENDING


# Activation, roles, deactivation


def test_activation_gives_the_chosen_role_and_approves_the_pending_request(organization, org_admin, deliver,
                                                                           mailoutbox):
    link_request = pending_applicant(organization)
    membership = link_request.user.membership
    with deliver():
        services.membership_activate(membership=membership, role=Role.MANAGER, activated_by=org_admin)
    membership.refresh_from_db()
    link_request.refresh_from_db()
    assert membership.role == Role.MANAGER
    assert link_request.state == LinkRequest.State.APPROVED
    [message] = mailoutbox
    assert message.to == [link_request.user.email] and "Manager" in message.body


def test_activation_without_a_request_and_refusals(organization, org_admin, restricted_user, customer, outsider):
    membership = restricted_user.membership
    with pytest.raises(ValidationError):
        services.membership_activate(membership=membership, role=Role.RESTRICTED, activated_by=org_admin)
    with pytest.raises(PermissionDenied):
        services.membership_activate(membership=membership, role=Role.BASIC, activated_by=outsider)
    services.membership_activate(membership=membership, role=Role.ADMIN, activated_by=org_admin)
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN
    with pytest.raises(ApplicationError, match="already activated"):
        services.membership_activate(membership=customer.membership, role=Role.BASIC, activated_by=org_admin)


def test_role_changes(organization, org_admin, customer, restricted_user, outsider):
    services.membership_change_role(membership=customer.membership, role=Role.MANAGER, changed_by=org_admin)
    assert Membership.objects.get(user=customer).role == Role.MANAGER
    with pytest.raises(ApplicationError, match="Activate this user first"):
        services.membership_change_role(membership=restricted_user.membership, role=Role.BASIC, changed_by=org_admin)
    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=customer.membership, role=Role.BASIC, changed_by=outsider)
    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=org_admin.membership, role=Role.BASIC, changed_by=customer)


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(organization, org_admin, agent):
    for actor in (org_admin, agent):
        with pytest.raises(ApplicationError, match="only active administrator"):
            services.membership_change_role(membership=org_admin.membership, role=Role.MANAGER, changed_by=actor)
        with pytest.raises(ApplicationError, match="only active administrator"):
            services.membership_deactivate(membership=org_admin.membership, deactivated_by=actor)
    assert Membership.objects.get(user=org_admin).is_admin


def test_inactive_admins_and_admins_with_a_disabled_account_do_not_count(organization, org_admin):
    MembershipFactory(organization=organization, role=Role.ADMIN, is_active=False)
    disabled = MembershipFactory(organization=organization, role=Role.ADMIN).user
    disabled.is_active = False
    disabled.save()
    with pytest.raises(ApplicationError):
        services.membership_change_role(membership=org_admin.membership, role=Role.BASIC, changed_by=org_admin)


def test_with_a_second_admin_an_admin_may_step_down(organization, org_admin):
    second = MembershipFactory(organization=organization, role=Role.ADMIN).user
    services.membership_change_role(membership=org_admin.membership, role=Role.BASIC, changed_by=org_admin)
    assert Membership.objects.get(user=org_admin).role == Role.BASIC
    with pytest.raises(ApplicationError):
        services.membership_deactivate(membership=second.membership, deactivated_by=second)


def test_deactivate_and_reactivate(organization, org_admin, customer, category):
    TicketFactory(created_by=customer, category=category)
    services.membership_deactivate(membership=customer.membership, deactivated_by=org_admin)
    customer = fresh(customer)
    assert not customer.membership.is_active
    assert not Ticket.objects.visible_to(customer).exists() and not ticket_policy.can_create(customer)
    with pytest.raises(ApplicationError, match="already inactive"):
        services.membership_deactivate(membership=customer.membership, deactivated_by=org_admin)
    services.membership_reactivate(membership=customer.membership, reactivated_by=org_admin)
    customer = fresh(customer)
    assert Ticket.objects.visible_to(customer).count() == 1
    with pytest.raises(ApplicationError, match="already active"):
        services.membership_reactivate(membership=customer.membership, reactivated_by=org_admin)


def test_a_waiting_user_is_rejected_not_deactivated(organization, org_admin):
    link_request = pending_applicant(organization)
    with pytest.raises(ApplicationError, match="approve or reject"):
        services.membership_deactivate(membership=link_request.user.membership, deactivated_by=org_admin)


def test_outsider_can_neither_deactivate_nor_reactivate(organization, customer, inactive_member, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(membership=customer.membership, deactivated_by=outsider)
    with pytest.raises(PermissionDenied):
        services.membership_reactivate(membership=inactive_member.membership, reactivated_by=outsider)


# Restricted users and tickets (tickets/policies.py)


def test_a_linked_user_sees_no_ticket_until_approved(organization, org_admin, customer, unlinked_user, category):
    TicketFactory(created_by=customer, category=category)
    TicketFactory(created_by=org_admin, category=category)
    link(unlinked_user)
    user = fresh(unlinked_user)
    assert not Ticket.objects.visible_to(user).exists()
    assert not ticket_policy.can_create(user)

    services.link_request_approve(link_request=LinkRequest.objects.get(user=user), approved_by=org_admin)
    user = fresh(user)
    assert ticket_policy.can_create(user)
    own = TicketFactory(created_by=user, category=category)
    assert list(Ticket.objects.visible_to(user)) == [own]  # a Basic user sees their own tickets only

    services.membership_change_role(membership=user.membership, role=Role.MANAGER, changed_by=org_admin)
    assert Ticket.objects.visible_to(fresh(user)).count() == 3

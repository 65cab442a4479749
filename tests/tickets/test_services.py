"""Ticket services: every write, its checks, the rows it leaves and the events it records."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tessera.tickets import services
from tessera.tickets.models import (
    Attachment,
    CategoryField,
    Comment,
    Priority,
    Source,
    Ticket,
    TicketCC,
    TicketEvent,
)
from tessera.tickets.selectors import ticket_counts
from tessera.tickets.workflow import Status, TransitionNotAllowed

from ..factories import (
    AgentFactory,
    CategoryFactory,
    CategoryFieldFactory,
    ServiceTeamFactory,
    TicketFactory,
)

Type = TicketEvent.Type
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _events(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True))


def _set_status(ticket, status) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Printer does not print", category=category)


# --- ticket_create ---------------------------------------------------------------------------------------------


def test_create_opens_a_ticket_for_the_authors_organization(customer, organization, category, service_team):
    ticket = services.ticket_create(
        author=customer, title="  Printer does not print  ", category=category, description="Since Monday.",
        priority=Priority.HIGH, external_reference=" REF-1 ",
    )
    ticket.refresh_from_db()
    assert ticket.organization == organization
    assert ticket.created_by == customer
    assert ticket.title == "Printer does not print"
    assert ticket.description == "Since Monday."
    assert ticket.priority == Priority.HIGH
    assert ticket.external_reference == "REF-1"
    assert ticket.status == Status.OPEN
    assert ticket.source == Source.PORTAL
    assert ticket.service_team == service_team
    assert ticket.closed_at is None
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.type, event.actor, event.data) == (Type.CREATED, customer, {"status": "open", "source": "portal"})


def test_create_routes_to_the_parent_categorys_team_when_the_child_names_none(customer, category, service_team):
    child = CategoryFactory(parent=category, name="Invoices", service_team=None)
    grandchild = CategoryFactory(parent=child, name="Reminders", service_team=None)
    ticket = services.ticket_create(author=customer, title="Reminder", category=grandchild)
    assert ticket.service_team == service_team
    assert ticket.category == grandchild


def test_create_routes_to_the_childs_own_team(customer, category):
    own_team = ServiceTeamFactory(name="Billing")
    child = CategoryFactory(parent=category, name="Invoices", service_team=own_team)
    assert services.ticket_create(author=customer, title="Invoice", category=child).service_team == own_team


def test_create_without_any_team_leaves_it_unrouted(customer):
    category = CategoryFactory(service_team=None)
    assert services.ticket_create(author=customer, title="Question", category=category).service_team is None


def test_create_with_cc_of_colleagues_and_plain_addresses(customer, colleague, manager, category):
    ticket = services.ticket_create(
        author=customer, title="Printer", category=category, cc_users=[colleague, manager],
        cc_emails=[" Reception@Rossi.test ", "", colleague.email.upper()],
    )
    entries = {cc.email: cc.user for cc in TicketCC.objects.filter(ticket=ticket)}
    assert entries == {colleague.email: colleague, manager.email: manager, "reception@rossi.test": None}


def test_create_refuses_cc_of_another_organizations_user(customer, outsider, category):
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="Printer", category=category, cc_users=[outsider])
    assert "cc_users" in refused.value.message_dict
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("persona", ["unlinked_user", "inactive_member", "agent"])
def test_create_refuses_cc_of_users_who_are_not_active_colleagues(request, customer, category, persona):
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            author=customer, title="Printer", category=category, cc_users=[request.getfixturevalue(persona)]
        )
    assert "cc_users" in refused.value.message_dict
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "two@@rossi.test"])
def test_create_refuses_an_invalid_cc_address(customer, category, address):
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="Printer", category=category, cc_emails=[address])
    assert "cc_emails" in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_create_needs_the_required_category_fields(customer, category):
    CategoryFieldFactory(category=category, key="workstation", label="Workstation", required=True)
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="Printer", category=category, field_values={"other": "x"})
    assert set(refused.value.message_dict) == {"workstation"}
    assert not Ticket.objects.exists()


def test_create_stores_cleaned_field_values_of_the_category_and_its_ancestors(customer, category):
    child = CategoryFactory(parent=category, name="Printing", service_team=None)
    CategoryFieldFactory(category=category, key="workstation", kind=CategoryField.Kind.TEXT)
    CategoryFieldFactory(category=child, key="copies", kind=CategoryField.Kind.NUMBER)
    ticket = services.ticket_create(
        author=customer, title="Printer", category=child,
        field_values={"workstation": " PC-3 ", "copies": "2,5", "unknown": "dropped"},
    )
    ticket.refresh_from_db()
    assert ticket.field_values == {"workstation": "PC-3", "copies": "2.5"}


def test_create_refuses_a_blank_title(customer, category):
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="   ", category=category)
    assert "title" in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_create_refuses_an_inactive_category(customer):
    category = CategoryFactory(is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="Printer", category=category)
    assert "category" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["restricted_user", "inactive_member", "unlinked_user", "inactive_user"])
def test_create_is_refused_to_users_without_ticket_access(request, category, persona):
    with pytest.raises(PermissionDenied):
        services.ticket_create(author=request.getfixturevalue(persona), title="Printer", category=category)
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_staff_must_choose_the_organization(agent, category):
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=agent, title="Phoned in", category=category)
    assert "organization" in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_staff_create_for_the_chosen_organization(agent, other_organization, outsider, category):
    ticket = services.ticket_create(
        author=agent, organization=other_organization, title="Phoned in", category=category,
        source=Source.DESK, cc_users=[outsider],
    )
    assert ticket.organization == other_organization
    assert ticket.created_by == agent
    assert ticket.source == Source.DESK
    assert list(ticket.cc_entries.values_list("user", flat=True)) == [outsider.pk]


def test_create_stores_attachments_with_their_original_name_and_size(customer, category):
    log = SimpleUploadedFile("error.log", b"Traceback: boom\n", content_type="text/plain")
    image = SimpleUploadedFile("Screen shot.png", PNG, content_type="image/png")
    ticket = services.ticket_create(author=customer, title="Crash", category=category, attachments=[log, image])
    attachments = {a.original_name: a for a in Attachment.objects.filter(ticket=ticket)}
    assert set(attachments) == {"error.log", "Screen shot.png"}
    assert attachments["error.log"].size == len(b"Traceback: boom\n")
    assert attachments["Screen shot.png"].size == len(PNG)
    assert attachments["Screen shot.png"].content_type == "image/png"
    assert all(a.uploaded_by == customer and a.comment is None for a in attachments.values())
    with attachments["error.log"].file.open("rb") as stored:
        assert stored.read() == b"Traceback: boom\n"
    # The name in storage is not the user's: no collisions, no path tricks.
    assert "error.log" not in attachments["error.log"].file.name
    assert _events(ticket) == [Type.CREATED, Type.ATTACHMENT_ADDED, Type.ATTACHMENT_ADDED]


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_create_refuses_an_oversized_attachment_and_creates_nothing(settings, customer, category):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 10
    fine = SimpleUploadedFile("small.txt", b"small", content_type="text/plain")
    too_big = SimpleUploadedFile("big.txt", b"x" * 11, content_type="text/plain")
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="Crash", category=category, attachments=[fine, too_big])
    assert "attachments" in refused.value.message_dict
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_an_attachment_of_exactly_the_limit_is_accepted(settings, customer, category):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("exact.txt", b"x" * 10, content_type="text/plain")
    ticket = services.ticket_create(author=customer, title="Crash", category=category, attachments=[upload])
    assert ticket.attachments.get().size == 10


def test_create_refuses_an_empty_attachment_and_creates_nothing(settings, customer, category):
    empty = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(author=customer, title="Crash", category=category, attachments=[empty])
    assert "attachments" in refused.value.message_dict
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


# --- comment_add -----------------------------------------------------------------------------------------------


def test_customer_comment(ticket, customer):
    comment = services.comment_add(ticket=ticket, author=customer, body="  It prints blank pages.  ")
    assert comment.body == "It prints blank pages."
    assert comment.is_internal is False
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.type, event.actor, event.data) == (Type.COMMENT_ADDED, customer, {"comment_id": comment.pk})


def test_customer_comment_on_customer_action_hands_the_ticket_back(ticket, customer):
    _set_status(ticket, Status.CUSTOMER_ACTION)
    services.comment_add(ticket=ticket, author=customer, body="Here is the log.")
    ticket.refresh_from_db()
    assert ticket.status == Status.ADDITIONAL_INFO
    event = TicketEvent.objects.filter(ticket=ticket, type=Type.STATUS_CHANGED).get()
    assert event.actor == customer
    assert event.data == {"old": "customer_action", "new": "additional_info", "action": "customer_replied"}


def test_agent_comment_on_customer_action_keeps_waiting(ticket, agent):
    _set_status(ticket, Status.CUSTOMER_ACTION)
    services.comment_add(ticket=ticket, author=agent, body="Any news?")
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_ACTION
    assert not TicketEvent.objects.filter(ticket=ticket, type=Type.STATUS_CHANGED).exists()


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.COMPLETED_SILENT, Status.CANCELED, Status.ERROR])
@pytest.mark.parametrize("persona", ["customer", "agent"])
def test_comment_on_a_closed_ticket_is_refused(request, ticket, status, persona):
    _set_status(ticket, status)
    with pytest.raises(PermissionDenied):
        services.comment_add(ticket=ticket, author=request.getfixturevalue(persona), body="Hello?")
    assert not Comment.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("persona", ["outsider", "restricted_user", "colleague"])
def test_comment_by_someone_who_cannot_see_the_ticket_is_refused(request, ticket, persona):
    with pytest.raises(PermissionDenied):
        services.comment_add(ticket=ticket, author=request.getfixturevalue(persona), body="Me too")
    assert not Comment.objects.exists()


@pytest.mark.parametrize("persona", ["customer", "manager", "org_admin"])
def test_internal_note_by_a_customer_is_refused(request, ticket, persona):
    with pytest.raises(PermissionDenied):
        services.comment_add(ticket=ticket, author=request.getfixturevalue(persona), body="psst", is_internal=True)
    assert not Comment.objects.exists()


def test_internal_note_by_an_agent(ticket, agent):
    note = services.comment_add(ticket=ticket, author=agent, body="Known driver bug.", is_internal=True)
    assert Comment.objects.get(pk=note.pk).is_internal is True
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.type, event.actor, event.data) == (Type.NOTE_ADDED, agent, {"comment_id": note.pk})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_empty_comment_is_refused(ticket, customer, body):
    with pytest.raises(ValidationError) as refused:
        services.comment_add(ticket=ticket, author=customer, body=body)
    assert "body" in refused.value.message_dict
    assert not Comment.objects.exists()


def test_comment_with_only_an_attachment(ticket, customer):
    upload = SimpleUploadedFile("trace.txt", b"trace", content_type="text/plain")
    comment = services.comment_add(ticket=ticket, author=customer, body="", attachments=[upload])
    attachment = Attachment.objects.get()
    assert (attachment.ticket, attachment.comment, attachment.original_name) == (ticket, comment, "trace.txt")


def test_comment_moves_the_change_date(ticket, customer):
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    services.comment_add(ticket=ticket, author=customer, body="More info")
    assert Ticket.objects.get(pk=ticket.pk).updated_at > before


# --- ticket_change_status --------------------------------------------------------------------------------------


def test_request_info_needs_a_message(ticket, agent):
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_status(ticket=ticket, user=agent, action="request_info", message="  ")
    assert "message" in refused.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    assert not Comment.objects.exists()
    assert _events(ticket) == [Type.CREATED]


def test_request_info_posts_the_message_as_a_public_comment(ticket, agent):
    services.ticket_change_status(ticket=ticket, user=agent, action="request_info", message="Which printer?")
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_ACTION
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.author, comment.is_internal, comment.source) == (
        "Which printer?", agent, False, Source.DESK,
    )
    assert _events(ticket) == [Type.CREATED, Type.COMMENT_ADDED, Type.STATUS_CHANGED]
    change = TicketEvent.objects.get(ticket=ticket, type=Type.STATUS_CHANGED)
    assert change.actor == agent
    assert change.data == {"old": "open", "new": "customer_action", "action": "request_info"}


def test_provide_solution_needs_a_message(ticket, agent):
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_status(ticket=ticket, user=agent, action="provide_solution")
    assert "message" in refused.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_provide_solution(ticket, agent):
    services.ticket_change_status(ticket=ticket, user=agent, action="provide_solution", message="Update the driver.")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_PROVIDED
    assert ticket.closed_at is None
    assert Comment.objects.get(ticket=ticket).body == "Update the driver."


def test_start_needs_no_message(ticket, agent):
    result = services.ticket_change_status(ticket=ticket, user=agent, action="start")
    assert result.status == Status.IN_PROCESS
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROCESS
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("action", "status"),
    [("complete", Status.COMPLETED), ("complete_silently", Status.COMPLETED_SILENT), ("mark_error", Status.ERROR)],
)
def test_closing_sets_closed_at(ticket, agent, action, status):
    services.ticket_change_status(ticket=ticket, user=agent, action=action)
    ticket.refresh_from_db()
    assert ticket.status == status
    assert ticket.is_closed
    assert ticket.closed_at is not None
    assert ticket.updated_at >= ticket.closed_at


@pytest.mark.parametrize(
    ("status", "persona", "action"),
    [
        (Status.COMPLETED, "agent", "start"),
        (Status.CANCELED, "agent", "complete"),
        (Status.IN_PROCESS, "agent", "start"),
        (Status.OPEN, "agent", "accept_solution"),
        (Status.OPEN, "customer", "start"),
        (Status.OPEN, "customer", "complete"),
        (Status.OPEN, "customer", "accept_solution"),
        (Status.CANCELED, "customer", "close"),
        (Status.OPEN, "agent", "close"),
        (Status.CUSTOMER_ACTION, "customer", "customer_replied"),
    ],
)
def test_a_disallowed_transition_is_refused_and_writes_nothing(request, ticket, status, persona, action):
    _set_status(ticket, status)
    updated_at = ticket.updated_at
    with pytest.raises(TransitionNotAllowed):
        services.ticket_change_status(
            ticket=ticket, user=request.getfixturevalue(persona), action=action, message="With a message"
        )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.updated_at, ticket.closed_at) == (status, updated_at, None)
    assert not Comment.objects.exists()
    assert _events(ticket) == [Type.CREATED]


@pytest.mark.parametrize("persona", ["outsider", "restricted_user", "colleague", "unlinked_user"])
def test_users_who_cannot_see_the_ticket_cannot_change_it(request, ticket, persona):
    with pytest.raises(PermissionDenied):
        services.ticket_change_status(ticket=ticket, user=request.getfixturevalue(persona), action="close")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    assert _events(ticket) == [Type.CREATED]


def test_agent_outside_the_team_cannot_change_status_when_agents_see_only_their_teams(settings, ticket, other_agent):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    with pytest.raises(PermissionDenied):
        services.ticket_change_status(ticket=ticket, user=other_agent, action="start")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_system_transition(ticket):
    _set_status(ticket, Status.SOLUTION_PROVIDED)
    services.ticket_system_transition(ticket=ticket, action="auto_complete")
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED and ticket.closed_at is not None
    event = TicketEvent.objects.get(ticket=ticket, type=Type.STATUS_CHANGED)
    assert event.actor is None
    assert event.data == {"old": "solution_provided", "new": "completed", "action": "auto_complete"}


# --- customer actions ------------------------------------------------------------------------------------------


def test_customer_closes_a_ticket(ticket, customer):
    services.ticket_close(ticket=ticket, user=customer)
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELED
    assert ticket.closed_at is not None
    assert TicketEvent.objects.get(ticket=ticket, type=Type.STATUS_CHANGED).data == {
        "old": "open", "new": "canceled", "action": "close",
    }


def test_manager_closes_a_colleagues_ticket(ticket, manager):
    services.ticket_close(ticket=ticket, user=manager, message="Solved it ourselves.")
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELED
    assert Comment.objects.get(ticket=ticket).body == "Solved it ourselves."


def test_closing_a_closed_ticket_is_refused(ticket, customer):
    services.ticket_close(ticket=ticket, user=customer)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_close(ticket=ticket, user=customer)


def test_customer_accepts_the_solution(ticket, customer):
    _set_status(ticket, Status.SOLUTION_PROVIDED)
    services.ticket_accept_solution(ticket=ticket, user=customer)
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED
    assert ticket.closed_at is not None


def test_accepting_without_a_solution_is_refused(ticket, customer):
    with pytest.raises(TransitionNotAllowed):
        services.ticket_accept_solution(ticket=ticket, user=customer)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_customer_rejects_the_solution_with_a_reason(ticket, customer):
    _set_status(ticket, Status.SOLUTION_PROVIDED)
    services.ticket_reject_solution(ticket=ticket, user=customer, message="Still blank pages.")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROCESS
    assert ticket.closed_at is None
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.author, comment.source) == ("Still blank pages.", customer, Source.PORTAL)


def test_rejecting_needs_a_reason(ticket, customer):
    _set_status(ticket, Status.SOLUTION_PROVIDED)
    with pytest.raises(ValidationError) as refused:
        services.ticket_reject_solution(ticket=ticket, user=customer, message=" ")
    assert "message" in refused.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLUTION_PROVIDED


def test_agents_cannot_accept_for_the_customer(ticket, agent):
    _set_status(ticket, Status.SOLUTION_PROVIDED)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_accept_solution(ticket=ticket, user=agent)


# --- agent operations ------------------------------------------------------------------------------------------


def test_assign_and_reassign(ticket, agent, other_agent, vendor_admin):
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    services.ticket_assign(ticket=ticket, user=vendor_admin, assignee=other_agent)
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent
    first, second = TicketEvent.objects.filter(ticket=ticket, type=Type.ASSIGNED)
    assert first.actor == agent
    assert first.data == {"assignee_id": agent.pk, "assignee": str(agent), "previous_id": None, "previous": None}
    assert second.actor == vendor_admin
    assert second.data == {
        "assignee_id": other_agent.pk, "assignee": str(other_agent), "previous_id": agent.pk, "previous": str(agent),
    }


def test_assigning_the_current_assignee_again_records_nothing(ticket, agent):
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    assert TicketEvent.objects.filter(ticket=ticket, type=Type.ASSIGNED).count() == 1


@pytest.mark.parametrize("make_assignee", [
    lambda customer: customer,
    lambda customer: AgentFactory(email="gone@vendor.test", is_active=False),
], ids=["customer", "inactive_agent"])
def test_tickets_are_assigned_only_to_active_staff(ticket, agent, customer, make_assignee):
    assignee = make_assignee(customer)
    with pytest.raises(ValidationError) as refused:
        services.ticket_assign(ticket=ticket, user=agent, assignee=assignee)
    assert "assignee" in refused.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_unassign(ticket, agent):
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    services.ticket_unassign(ticket=ticket, user=agent)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    event = TicketEvent.objects.get(ticket=ticket, type=Type.UNASSIGNED)
    assert (event.actor, event.data) == (agent, {"previous_id": agent.pk, "previous": str(agent)})
    services.ticket_unassign(ticket=ticket, user=agent)
    assert TicketEvent.objects.filter(ticket=ticket, type=Type.UNASSIGNED).count() == 1


def test_change_priority(ticket, agent):
    services.ticket_change_priority(ticket=ticket, user=agent, priority="1")
    ticket.refresh_from_db()
    assert ticket.priority == Priority.VERY_HIGH
    event = TicketEvent.objects.get(ticket=ticket, type=Type.PRIORITY_CHANGED)
    assert (event.actor, event.data) == (agent, {"old": 3, "new": 1})
    services.ticket_change_priority(ticket=ticket, user=agent, priority=Priority.VERY_HIGH)
    assert TicketEvent.objects.filter(ticket=ticket, type=Type.PRIORITY_CHANGED).count() == 1


def test_an_unknown_priority_is_refused(ticket, agent):
    with pytest.raises(ValueError):
        services.ticket_change_priority(ticket=ticket, user=agent, priority=7)
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


def test_change_category_reroutes_the_ticket(ticket, agent, category, service_team):
    imaging_team = ServiceTeamFactory(name="Imaging")
    imaging = CategoryFactory(name="Imaging", service_team=imaging_team)
    services.ticket_change_category(ticket=ticket, user=agent, category=imaging)
    ticket.refresh_from_db()
    assert (ticket.category, ticket.service_team) == (imaging, imaging_team)
    changed = TicketEvent.objects.get(ticket=ticket, type=Type.CATEGORY_CHANGED)
    assert (changed.actor, changed.data) == (
        agent, {"old_id": category.pk, "new_id": imaging.pk, "old": str(category), "new": str(imaging)},
    )
    team = TicketEvent.objects.get(ticket=ticket, type=Type.TEAM_CHANGED)
    assert team.data == {"old": str(service_team), "new": str(imaging_team)}


def test_change_category_within_the_same_team_records_no_team_change(ticket, agent, category):
    child = CategoryFactory(parent=category, name="Printing", service_team=None)
    services.ticket_change_category(ticket=ticket, user=agent, category=child)
    assert _events(ticket) == [Type.CREATED, Type.CATEGORY_CHANGED]
    services.ticket_change_category(ticket=ticket, user=agent, category=child)
    assert _events(ticket) == [Type.CREATED, Type.CATEGORY_CHANGED]


@pytest.mark.parametrize("persona", ["customer", "manager", "org_admin", "outsider"])
def test_customers_cannot_use_agent_operations(request, ticket, agent, category, persona):
    user = request.getfixturevalue(persona)
    other_category = CategoryFactory(name="Elsewhere")
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=ticket, user=user, assignee=agent)
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    with pytest.raises(PermissionDenied):
        services.ticket_unassign(ticket=ticket, user=user)
    with pytest.raises(PermissionDenied):
        services.ticket_change_priority(ticket=ticket, user=user, priority=Priority.VERY_HIGH)
    with pytest.raises(PermissionDenied):
        services.ticket_change_category(ticket=ticket, user=user, category=other_category)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority, ticket.category) == (agent, Priority.MEDIUM, category)
    assert _events(ticket) == [Type.CREATED, Type.ASSIGNED]


# --- ticket_counts ---------------------------------------------------------------------------------------------


def test_ticket_counts(customer, colleague, manager, outsider, restricted_user, category):
    mine = [TicketFactory(created_by=customer, category=category, status=s) for s in (
        Status.OPEN, Status.IN_PROCESS, Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED, Status.COMPLETED,
        Status.CANCELED,
    )]
    TicketFactory(created_by=colleague, category=category, status=Status.CUSTOMER_ACTION)
    TicketFactory(created_by=colleague, category=category, status=Status.ERROR)
    TicketFactory(created_by=outsider, category=category, status=Status.OPEN)
    assert len(mine) == 6

    assert ticket_counts(customer) == ticket_counts(customer, only_own=True)
    counts = ticket_counts(customer)
    assert (counts.open, counts.waiting_for_customer) == (4, 2)
    counts = ticket_counts(manager)
    assert (counts.open, counts.waiting_for_customer) == (5, 3)
    counts = ticket_counts(manager, only_own=True)
    assert (counts.open, counts.waiting_for_customer) == (0, 0)
    counts = ticket_counts(outsider)
    assert (counts.open, counts.waiting_for_customer) == (1, 0)
    counts = ticket_counts(restricted_user)
    assert (counts.open, counts.waiting_for_customer) == (0, 0)


def test_ticket_counts_include_tickets_in_cc(customer, colleague, category):
    services.ticket_create(author=colleague, title="For both of us", category=category, cc_users=[customer])
    assert ticket_counts(customer).open == 1
    assert ticket_counts(customer, only_own=True).open == 0


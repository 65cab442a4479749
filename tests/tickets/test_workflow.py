"""The status workflow: every (status, actor, action) triple is either allowed, with one target, or refused.

The expected table below is written out from DESIGN.md ("Statuses" and the
customer rules under it), not derived from ``workflow.TRANSITIONS``: a change
to the code's table that the design does not make fails here.
"""

import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from tessera.tickets import workflow
from tessera.tickets.workflow import Action, Actor, Status, StatusCategory, TransitionNotAllowed

ALL_STATUSES = (
    "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
    "appointment", "redirected", "solution_provided", "completed", "completed_silent", "canceled", "error",
)

# Every status an agent may act on: not closed. A ticket "Request being sent" too, so support can work a
# submission that never finished storing (the customer's actions wait until it is stored).
AGENT_ACTIONS = {
    # action: (target, sources)
    "start": ("in_process", {
        "sending", "open", "customer_action", "additional_info", "on_hold", "awaiting_release", "appointment",
        "redirected", "solution_provided",
    }),
    "request_info": ("customer_action", {
        "sending", "open", "in_process", "additional_info", "on_hold", "awaiting_release", "appointment",
        "redirected", "solution_provided",
    }),
    "hold": ("on_hold", {
        "sending", "open", "in_process", "customer_action", "additional_info", "awaiting_release", "appointment",
        "redirected", "solution_provided",
    }),
    "await_release": ("awaiting_release", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "appointment",
        "redirected", "solution_provided",
    }),
    "schedule_appointment": ("appointment", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "redirected", "solution_provided",
    }),
    "redirect": ("redirected", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "appointment", "solution_provided",
    }),
    "provide_solution": ("solution_provided", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "appointment", "redirected",
    }),
    "complete": ("completed", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "appointment", "redirected", "solution_provided",
    }),
    "complete_silently": ("completed_silent", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "appointment", "redirected", "solution_provided",
    }),
    "mark_error": ("error", {
        "sending", "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "appointment", "redirected", "solution_provided",
    }),
    # Support takes a closed ticket up again (with a reason the customer is told).
    "reopen": ("in_process", {"completed", "completed_silent", "canceled", "error"}),
}


CUSTOMER_ACTIONS = {
    "close": ("canceled", {
        "open", "in_process", "customer_action", "additional_info", "on_hold", "awaiting_release",
        "appointment", "redirected", "solution_provided",
    }),
    "accept_solution": ("completed", {"solution_provided"}),
    "reject_solution": ("in_process", {"solution_provided"}),
}

SYSTEM_ACTIONS = {
    "submitted": ("open", {"sending"}),
    "customer_replied": ("additional_info", {"customer_action", "solution_provided"}),
    "auto_complete": ("completed", {"solution_provided"}),
}

EXPECTED = {"agent": AGENT_ACTIONS, "customer": CUSTOMER_ACTIONS, "system": SYSTEM_ACTIONS}


def expected_target(actor: str, action: str, status: str) -> str | None:
    target, sources = EXPECTED[actor].get(action, (None, set()))
    return target if status in sources else None


def test_the_enums_hold_exactly_the_statuses_actors_and_actions_of_the_table():
    assert {s.value for s in Status} == set(ALL_STATUSES)
    assert {a.value for a in Actor} == set(EXPECTED)
    assert {a.value for a in Action} == {action for actions in EXPECTED.values() for action in actions}


@pytest.mark.parametrize(
    ("status", "actor", "action"),
    list(itertools.product(Status, Actor, Action)),
    ids=lambda value: value.value,
)
def test_transition(status, actor, action):
    expected = expected_target(actor.value, action.value, status.value)
    assert workflow.is_allowed(actor, action, status) is (expected is not None)
    assert workflow.is_allowed(actor.value, action.value, status.value) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as refused:
            workflow.target_status(actor, action, status)
        assert (refused.value.actor, refused.value.action, refused.value.status) == (actor, action, status)
    else:
        assert workflow.target_status(actor.value, action.value, status.value) == expected


@pytest.mark.parametrize(("status", "actor"), list(itertools.product(Status, Actor)), ids=lambda v: v.value)
def test_available_actions_agree_with_the_table(status, actor):
    offered = {(t.action.value, t.target.value) for t in workflow.available_actions(actor, status)}
    expected = {
        (action, target) for action, (target, sources) in EXPECTED[actor.value].items() if status.value in sources
    }
    assert offered == expected


@pytest.mark.parametrize(
    ("actor", "action", "status"),
    [
        ("robot", "start", "open"),
        ("", "start", "open"),
        ("agent", "reopen", "in_process"),
        ("agent", "", "open"),
        ("customer", "delete", "open"),
        ("AGENT", "start", "open"),
        ("agent", "start", "no_such_status"),
    ],
)
def test_unknown_actor_action_or_status_is_refused(actor, action, status):
    assert workflow.is_allowed(actor, action, status) is False
    with pytest.raises(TransitionNotAllowed):
        workflow.target_status(actor, action, status)


def test_there_are_fourteen_statuses():
    assert len(Status) == 14


def test_closed_statuses_are_exactly_the_four_final_ones():
    closed = {"completed", "completed_silent", "canceled", "error"}
    assert set(workflow.CLOSED_STATUSES) == closed
    assert {s.value for s in Status if workflow.status_category(s) == StatusCategory.CLOSED} == closed
    for status in ALL_STATUSES:
        assert workflow.is_closed(status) is (status in closed)
    assert set(workflow.OPEN_STATUSES) == set(ALL_STATUSES) - closed


def test_status_categories_follow_the_design():
    assert {s.value: workflow.status_category(s).value for s in Status} == {
        "sending": "new",
        "open": "new",
        "in_process": "open",
        "customer_action": "waiting",
        "additional_info": "open",
        "on_hold": "on_hold",
        "awaiting_release": "on_hold",
        "appointment": "on_hold",
        "redirected": "on_hold",
        "solution_provided": "solved",
        "completed": "closed",
        "completed_silent": "closed",
        "canceled": "closed",
        "error": "closed",
    }


def test_waiting_for_customer_statuses():
    assert set(workflow.WAITING_FOR_CUSTOMER_STATUSES) == {"customer_action", "solution_provided"}


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_every_status_has_a_category_a_tooltip_and_a_lazily_translated_label(status):
    assert isinstance(workflow.status_category(status.value), StatusCategory)
    tooltip = workflow.status_tooltip(status.value)
    assert isinstance(tooltip, Promise) and str(tooltip).strip()
    # Lazy: resolved in the language active when shown, not at import.
    assert isinstance(status.label, Promise) and str(status.label).strip()


def test_labels_tell_statuses_apart():
    labels = [str(s.label) for s in Status]
    assert len(set(labels)) == len(labels)


def test_message_and_silent_rules():
    assert {a.value for a in workflow.ACTIONS_REQUIRING_MESSAGE} == {"request_info", "provide_solution", "reopen"}
    assert {s.value for s in workflow.SILENT_TARGETS} == {"completed_silent"}


def _italian_catalog_compiled() -> bool:
    return any((Path(path) / "it" / "LC_MESSAGES" / "django.mo").exists() for path in settings.LOCALE_PATHS)


@pytest.mark.skipif(not _italian_catalog_compiled(), reason="the Italian catalog is not compiled yet")
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_labels_and_tooltips_are_translated_to_italian(status):
    english_label, english_tooltip = str(status.label), str(workflow.status_tooltip(status))
    with translation.override("it"):
        assert str(status.label) != english_label
        assert str(workflow.status_tooltip(status)) != english_tooltip


@pytest.mark.parametrize("language", ["en", "it", "de"])
def test_a_tickets_status_label_is_the_choice_label_in_the_active_language(language):
    from tessera.tickets.models import Ticket

    with translation.override(language):
        for status in Status:
            assert Ticket(status=status).get_status_display() == str(dict(Status.choices)[status.value])
    assert Ticket(status="retired").get_status_display() == "retired"

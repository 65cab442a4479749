"""Ticket statuses and the one table of who may move a ticket from where to where.

Labels follow seed 000 (English portal); tooltips follow seed 001's table
("Tool tip – Suggerimento significato"), the wording customers see on hover.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StatusCategory(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", pgettext_lazy("status category", "Open")
    WAITING = "waiting", _("Waiting for customer")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", pgettext_lazy("status category", "Closed")


class Status(models.TextChoices):
    SENDING = "sending", _("Request being sent")
    OPEN = "open", _("Open")
    IN_PROCESS = "in_process", _("In process")
    CUSTOMER_ACTION = "customer_action", _("Customer action")
    ADDITIONAL_INFO = "additional_info", _("Additional info")
    ON_HOLD = "on_hold", _("Interrupted")
    AWAITING_RELEASE = "awaiting_release", _("Awaiting a new version")
    APPOINTMENT = "appointment", _("Appointment scheduled")
    REDIRECTED = "redirected", _("Redirected")
    SOLUTION_PROVIDED = "solution_provided", _("Solution provided")
    COMPLETED = "completed", _("Completed")
    COMPLETED_SILENT = "completed_silent", _("Completed (w/o e-mail)")
    CANCELED = "canceled", _("Canceled by customer")
    ERROR = "error", _("Error")


STATUS_CATEGORY: dict[Status, StatusCategory] = {
    Status.SENDING: StatusCategory.NEW,
    Status.OPEN: StatusCategory.NEW,
    Status.IN_PROCESS: StatusCategory.OPEN,
    Status.CUSTOMER_ACTION: StatusCategory.WAITING,
    Status.ADDITIONAL_INFO: StatusCategory.OPEN,
    Status.ON_HOLD: StatusCategory.ON_HOLD,
    Status.AWAITING_RELEASE: StatusCategory.ON_HOLD,
    Status.APPOINTMENT: StatusCategory.ON_HOLD,
    Status.REDIRECTED: StatusCategory.ON_HOLD,
    Status.SOLUTION_PROVIDED: StatusCategory.SOLVED,
    Status.COMPLETED: StatusCategory.CLOSED,
    Status.COMPLETED_SILENT: StatusCategory.CLOSED,
    Status.CANCELED: StatusCategory.CLOSED,
    Status.ERROR: StatusCategory.CLOSED,
}

STATUS_TOOLTIP: dict[Status, Promise] = {
    Status.SENDING: _("Your request is being sent to customer support"),
    Status.OPEN: _("Your request has been received by the customer support team"),
    Status.IN_PROCESS: _("Your request is being handled by the customer support team"),
    Status.CUSTOMER_ACTION: _("Further information is requested"),
    Status.ADDITIONAL_INFO: _("You have added information; customer support will review it"),
    Status.ON_HOLD: _("Solution on hold"),
    Status.AWAITING_RELEASE: _("Waiting for a new version"),
    Status.APPOINTMENT: _("Appointment scheduled"),
    Status.REDIRECTED: _("Your request has been handed to another party"),
    Status.SOLUTION_PROVIDED: _("There is a solution ready for your ticket"),
    Status.COMPLETED: _("Your ticket has been closed successfully"),
    Status.COMPLETED_SILENT: _("Your ticket has been closed successfully"),
    Status.CANCELED: _("Closed by the customer"),
    Status.ERROR: _("Your request could not be processed"),
}

CLOSED_STATUSES = frozenset(s for s, c in STATUS_CATEGORY.items() if c == StatusCategory.CLOSED)
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES
#: The statuses in which the customer is expected to act.
WAITING_FOR_CUSTOMER_STATUSES = frozenset({Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED})

OPEN_STATUS_CHOICES = tuple(s for s in Status if s not in CLOSED_STATUSES)
CLOSED_STATUS_CHOICES = tuple(s for s in Status if s in CLOSED_STATUSES)
#: The status filter's two groups (of the customer's list and of the desk's queues), in the workflow's order.
STATUS_GROUPS = (
    (pgettext_lazy("status category", "Open"), OPEN_STATUS_CHOICES),
    (pgettext_lazy("status category", "Closed"), CLOSED_STATUS_CHOICES),
)


def status_category(status: str) -> StatusCategory:
    return STATUS_CATEGORY[Status(status)]


def status_tooltip(status: str) -> Promise:
    return STATUS_TOOLTIP[Status(status)]


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES


class Actor(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Action(models.TextChoices):
    # system
    SUBMITTED = "submitted", _("Submission stored")
    CUSTOMER_REPLIED = "customer_replied", _("Customer answered")
    AUTO_COMPLETE = "auto_complete", _("Completed automatically")
    # customer
    CLOSE = "close", _("Close ticket")
    ACCEPT_SOLUTION = "accept_solution", _("Accept solution")
    REJECT_SOLUTION = "reject_solution", _("Reject solution")
    # agent: one action per status an agent may set
    START = "start", _("Start work")
    REQUEST_INFO = "request_info", _("Request information")
    HOLD = "hold", _("Put on hold")
    AWAIT_RELEASE = "await_release", _("Wait for a new version")
    SCHEDULE_APPOINTMENT = "schedule_appointment", _("Schedule an appointment")
    REDIRECT = "redirect", _("Redirect")
    PROVIDE_SOLUTION = "provide_solution", _("Provide solution")
    COMPLETE = "complete", _("Complete")
    COMPLETE_SILENTLY = "complete_silently", _("Complete without e-mail")
    MARK_ERROR = "mark_error", _("Mark as error")
    REOPEN = "reopen", _("Reopen")


@dataclass(frozen=True)
class Transition:
    actor: Actor
    action: Action
    sources: frozenset[Status]
    target: Status


_WORKABLE = OPEN_STATUSES - {Status.SENDING}
#: Agents also work a ticket whose submission is still being stored ("Request being sent"): it may stay
#: there when storing it failed half-way, and support must be able to take it on.
_AGENT_WORKABLE = OPEN_STATUSES


def _agent(action: Action, target: Status) -> Transition:
    return Transition(Actor.AGENT, action, _AGENT_WORKABLE - {target}, target)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Actor.SYSTEM, Action.SUBMITTED, frozenset({Status.SENDING}), Status.OPEN),
    # The customer wrote while support waited for them: the ticket is support's turn again.
    Transition(
        Actor.SYSTEM, Action.CUSTOMER_REPLIED, frozenset({Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED}),
        Status.ADDITIONAL_INFO,
    ),
    Transition(Actor.SYSTEM, Action.AUTO_COMPLETE, frozenset({Status.SOLUTION_PROVIDED}), Status.COMPLETED),
    Transition(Actor.CUSTOMER, Action.CLOSE, _WORKABLE, Status.CANCELED),
    Transition(Actor.CUSTOMER, Action.ACCEPT_SOLUTION, frozenset({Status.SOLUTION_PROVIDED}), Status.COMPLETED),
    Transition(Actor.CUSTOMER, Action.REJECT_SOLUTION, frozenset({Status.SOLUTION_PROVIDED}), Status.IN_PROCESS),
    _agent(Action.START, Status.IN_PROCESS),
    _agent(Action.REQUEST_INFO, Status.CUSTOMER_ACTION),
    _agent(Action.HOLD, Status.ON_HOLD),
    _agent(Action.AWAIT_RELEASE, Status.AWAITING_RELEASE),
    _agent(Action.SCHEDULE_APPOINTMENT, Status.APPOINTMENT),
    _agent(Action.REDIRECT, Status.REDIRECTED),
    _agent(Action.PROVIDE_SOLUTION, Status.SOLUTION_PROVIDED),
    _agent(Action.COMPLETE, Status.COMPLETED),
    _agent(Action.COMPLETE_SILENTLY, Status.COMPLETED_SILENT),
    _agent(Action.MARK_ERROR, Status.ERROR),
    # A closed ticket that support takes up again (with a reason the customer is told): back to work.
    Transition(Actor.AGENT, Action.REOPEN, CLOSED_STATUSES, Status.IN_PROCESS),
)

_TABLE: dict[tuple[Actor, Action], Transition] = {(t.actor, t.action): t for t in TRANSITIONS}

#: Agent actions that need a message to the customer, and what the message is.
ACTIONS_REQUIRING_MESSAGE = frozenset({Action.REQUEST_INFO, Action.PROVIDE_SOLUTION, Action.REOPEN})
#: Agent actions with a form and a service of their own, not offered among the status changes.
ACTIONS_OF_THEIR_OWN = frozenset({Action.REOPEN})
#: Status changes that never send e-mail.
SILENT_TARGETS = frozenset({Status.COMPLETED_SILENT})


class TransitionNotAllowed(Exception):
    def __init__(self, actor: str, action: str, status: str) -> None:
        super().__init__(f"{actor} may not {action} a ticket in status {status}")
        self.actor, self.action, self.status = actor, action, status


def target_status(actor: str, action: str, status: str) -> Status:
    """The status ``action`` by ``actor`` leads to from ``status``; raises if not allowed."""
    try:
        transition = _TABLE.get((Actor(actor), Action(action)))
    except ValueError:
        transition = None
    if transition is None or status not in transition.sources:
        raise TransitionNotAllowed(actor, action, status)
    return transition.target


def is_allowed(actor: str, action: str, status: str) -> bool:
    try:
        target_status(actor, action, status)
    except TransitionNotAllowed:
        return False
    return True


def available_actions(actor: str, status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.actor == actor and status in t.sources]

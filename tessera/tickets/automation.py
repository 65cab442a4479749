"""What Tessera does on its own to tickets that wait for the customer.

- A ``solution_provided`` ticket the customer has not answered for
  ``TESSERA_AUTO_COMPLETE_DAYS`` becomes ``completed``; half-way there the
  requester is reminded of the date it will be considered accepted.
- A ``customer_action`` ticket waiting ``TESSERA_CUSTOMER_ACTION_REMINDER_DAYS``
  sends the requester a reminder.

Waiting is counted from the status change (``Ticket.status_changed_at``); a
customer who comments on a provided solution has answered, and the ticket is
left to support. Each reminder goes out at most once per waiting period:
``Ticket.reminder_sent_at`` is cleared by every status change and claimed here
with a conditional UPDATE on the locked row, so several workers running the
same pass at once neither send twice nor complete twice. A reminder is a ticket
event (``reminder_sent``): its e-mail is decided and sent by
``notifications.py``, as every other ticket e-mail. ``run_automation_pass``
is what the scheduled task (``tasks.run_automation``) and the management
command run; ``now`` may be given to travel in time.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tessera.core.idempotency import forget_old_submissions
from tessera.core.operations import unit_of_work

from . import events, services
from .models import Comment, Ticket
from .workflow import Action, Status

logger = logging.getLogger(__name__)

#: Tickets read per query while a pass walks the due ones; each is then handled in its own short transaction.
BATCH_SIZE = 200


def auto_complete_after() -> timedelta:
    return timedelta(days=settings.TESSERA_AUTO_COMPLETE_DAYS)


def solution_reminder_after() -> timedelta:
    return auto_complete_after() / 2


def customer_action_reminder_after() -> timedelta:
    return timedelta(days=settings.TESSERA_CUSTOMER_ACTION_REMINDER_DAYS)


def auto_complete_date(ticket: Ticket) -> datetime:
    """When a ticket with a provided solution is considered accepted if nobody answers."""
    return ticket.status_changed_at + auto_complete_after()


def _customer_answered() -> Exists:
    """A public comment by the customer's side since the status last changed."""
    return Exists(
        Comment.objects.filter(
            ticket=OuterRef("pk"), is_internal=False, author__is_staff=False,
            created_at__gt=OuterRef("status_changed_at"),
        )
    )


def due_for_auto_completion(now: datetime) -> QuerySet:
    return Ticket.objects.filter(
        status=Status.SOLUTION_PROVIDED, status_changed_at__lte=now - auto_complete_after()
    ).exclude(_customer_answered())


def due_for_solution_reminder(now: datetime) -> QuerySet:
    # A ticket already past its completion date is completed, not reminded.
    return Ticket.objects.filter(
        status=Status.SOLUTION_PROVIDED, reminder_sent_at__isnull=True,
        status_changed_at__lte=now - solution_reminder_after(),
        status_changed_at__gt=now - auto_complete_after(),
    ).exclude(_customer_answered())


def due_for_customer_action_reminder(now: datetime) -> QuerySet:
    return Ticket.objects.filter(
        status=Status.CUSTOMER_ACTION, reminder_sent_at__isnull=True,
        status_changed_at__lte=now - customer_action_reminder_after(),
    )


def _due_ids(queryset: QuerySet, batch_size: int) -> Iterator[int]:
    """The ids of ``queryset`` in batches, walking forward so a skipped ticket is never read again."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        yield from ids
        if len(ids) < batch_size:
            return
        last = ids[-1]


def _lock_if_still_due(queryset: QuerySet, ticket_id: int) -> Ticket | None:
    # Another worker (or an agent) holding the row is handling it: skip it rather than wait.
    return queryset.select_for_update(skip_locked=True).filter(pk=ticket_id).first()


@unit_of_work
def ticket_auto_complete(*, ticket_id: int, now: datetime | None = None) -> bool:
    """Complete one ticket whose solution went unanswered too long; False if it is no longer due."""
    ticket = _lock_if_still_due(due_for_auto_completion(now or timezone.now()), ticket_id)
    if ticket is None:
        return False
    services.ticket_system_transition(ticket=ticket, action=Action.AUTO_COMPLETE)
    return True


def _last_message_from_support(ticket: Ticket) -> int | None:
    return (
        ticket.comments.filter(is_internal=False, author__is_staff=True).order_by("-created_at", "-id")
        .values_list("pk", flat=True).first()
    )


def _claim_reminder(ticket: Ticket, now: datetime) -> bool:
    # The conditional UPDATE is the claim: of two workers only one changes the row.
    return bool(
        Ticket.objects.filter(
            pk=ticket.pk, status=ticket.status, status_changed_at=ticket.status_changed_at,
            reminder_sent_at__isnull=True,
        ).update(reminder_sent_at=now)
    )


@unit_of_work
def ticket_send_reminder(*, ticket_id: int, now: datetime | None = None) -> bool:
    """Remind the requester of one waiting ticket, once per waiting period.

    Returns True if the reminder was claimed for this period (its ``reminder_sent`` event written; the mail
    goes to the requester unless they do not get ticket e-mail), False if it was not due.
    """
    now = now or timezone.now()
    due = due_for_solution_reminder(now) | due_for_customer_action_reminder(now)
    ticket = _lock_if_still_due(due, ticket_id)
    if ticket is None or not _claim_reminder(ticket, now):
        return False
    events.reminder_sent_event(
        ticket=ticket,
        waiting_since=ticket.status_changed_at,
        accept_on=auto_complete_date(ticket) if ticket.status == Status.SOLUTION_PROVIDED else None,
        message_id=_last_message_from_support(ticket),
    )
    return True


#: Passes of apps above tickets (the SLA breach check, ``tessera.sla``), registered in their ``ready()``: each
#: is called with ``now`` on every automation run and returns how many tickets it handled.
_extra_passes: dict[str, Callable[[datetime], int]] = {}


def register_pass(name: str, run: Callable[[datetime], int]) -> None:
    _extra_passes[name] = run


@dataclass
class AutomationResult:
    completed: int = 0
    solution_reminders: int = 0
    customer_action_reminders: int = 0
    failed: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        result = asdict(self)
        return {**{k: v for k, v in result.items() if k != "extra"}, **self.extra}


def _each(ids: Iterator[int], handle, result: AutomationResult) -> int:
    done = 0
    for ticket_id in ids:
        try:
            done += handle(ticket_id)
        except Exception:
            # One broken ticket must not stop the others; it is tried again on the next pass.
            logger.exception("Automation failed for ticket id=%s", ticket_id)
            result.failed += 1
    return done


def run_automation_pass(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> AutomationResult:
    """Complete the tickets whose solution went unanswered and send the reminders that are due."""
    now = now or timezone.now()
    result = AutomationResult()
    result.completed = _each(
        _due_ids(due_for_auto_completion(now), batch_size),
        lambda pk: ticket_auto_complete(ticket_id=pk, now=now), result,
    )
    result.solution_reminders = _each(
        _due_ids(due_for_solution_reminder(now), batch_size),
        lambda pk: ticket_send_reminder(ticket_id=pk, now=now), result,
    )
    result.customer_action_reminders = _each(
        _due_ids(due_for_customer_action_reminder(now), batch_size),
        lambda pk: ticket_send_reminder(ticket_id=pk, now=now), result,
    )
    for name, run in _extra_passes.items():
        try:
            result.extra[name] = run(now)
        except Exception:
            logger.exception("Automation pass %s failed", name)
            result.failed += 1
    forget_old_submissions()  # one-time form tokens of yesterday are of no use any more
    return result

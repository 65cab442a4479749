"""Business time: the working days, hours and holidays of a calendar in its time zone (pure Python).

A calendar has one working window per working day, from ``start`` to ``end`` wall-clock time in its zone.
Business time is the real time elapsed inside those windows: a window on a day the clocks change is as long
as it really is (09:00-17:00 stays eight hours, since clocks change at night), and a wall time the change
skips or repeats is read as zoneinfo reads it (``fold=0``).

``add_business_minutes(calendar, moment, n)`` is the moment ``n`` business minutes after ``moment``;
``business_minutes_between(calendar, a, b)`` counts them (whole minutes, rounded down). For any ``a`` and
``n``: ``business_minutes_between(c, a, add_business_minutes(c, a, n)) == n``.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: How far the search for working time goes: a calendar without a working day in ten years is broken.
MAX_DAYS = 3660
MINUTE = timedelta(minutes=1)


class CalendarError(ValueError):
    """The calendar has no working time to count in."""


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: ZoneInfo
    working_days: frozenset[int]  # 0 = Monday … 6 = Sunday, as date.weekday()
    start: time
    end: time
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.working_days or not self.working_days <= set(range(7)):
            raise CalendarError("A calendar needs at least one working day (0 = Monday … 6 = Sunday).")
        if self.end <= self.start:
            raise CalendarError("A working day ends after it starts.")

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working window of local ``day`` in UTC, or None on a day off."""
        if day.weekday() not in self.working_days or day in self.holidays:
            return None
        opens = datetime.combine(day, self.start, tzinfo=self.time_zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self.time_zone).astimezone(UTC)
        return (opens, closes) if closes > opens else None

    def windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working windows (UTC) that end after ``moment``, the first one cut to start at ``moment``."""
        moment = _aware(moment)
        day = moment.astimezone(self.time_zone).date() - timedelta(days=1)  # a window may reach past midnight UTC
        for offset in range(MAX_DAYS):
            window = self.window(day + timedelta(days=offset))
            if window is None or window[1] <= moment:
                continue
            yield max(window[0], moment), window[1]
        raise CalendarError("No working time within ten years.")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Business time is counted between aware datetimes.")
    return moment.astimezone(UTC)


def add_business_time(calendar: BusinessCalendar, moment: datetime, amount: timedelta) -> datetime:
    """The moment ``amount`` of business time after ``moment`` (``moment`` itself for nothing), in UTC."""
    moment = _aware(moment)
    if amount <= timedelta(0):
        return moment
    remaining = amount
    for opens, closes in calendar.windows_from(moment):
        if closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: windows_from raises when it runs out")  # pragma: no cover


def add_business_minutes(calendar: BusinessCalendar, moment: datetime, minutes: int) -> datetime:
    return add_business_time(calendar, moment, minutes * MINUTE)


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The business time from ``start`` to ``end`` (nothing when ``end`` is not after ``start``)."""
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in calendar.windows_from(start):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def business_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    return business_time_between(calendar, start, end) // MINUTE

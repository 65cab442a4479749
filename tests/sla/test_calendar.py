"""Business time: examples across weekends, holidays and clock changes, and properties that hold for any moment."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tessera.sla.calendar import (
    BusinessCalendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
    business_time_between,
)

ROME = ZoneInfo("Europe/Rome")
OFFICE = BusinessCalendar(
    time_zone=ROME, working_days=frozenset(range(5)), start=time(9), end=time(17),
    holidays=frozenset({date(2027, 1, 11), date(2027, 4, 5)}),
)


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


def test_minutes_left_on_friday_carry_over_the_weekend_and_a_holiday():
    # Friday 15:00: two hours left that day; Saturday, Sunday and Monday the 11th (a holiday) are off.
    due = add_business_minutes(OFFICE, rome(2027, 1, 8, 15), 240)
    assert due == rome(2027, 1, 12, 11)
    assert business_minutes_between(OFFICE, rome(2027, 1, 8, 15), due) == 240


def test_a_moment_outside_working_hours_starts_counting_at_the_next_opening():
    assert add_business_minutes(OFFICE, rome(2027, 1, 9, 12), 30) == rome(2027, 1, 12, 9, 30)
    assert add_business_minutes(OFFICE, rome(2027, 1, 7, 20), 60) == rome(2027, 1, 8, 10)
    assert add_business_minutes(OFFICE, rome(2027, 1, 7, 6), 60) == rome(2027, 1, 7, 10)


def test_the_last_minute_of_a_day_ends_at_closing_not_next_morning():
    assert add_business_minutes(OFFICE, rome(2027, 1, 8, 15), 120) == rome(2027, 1, 8, 17)


def test_zero_minutes_is_the_moment_itself():
    moment = rome(2027, 1, 9, 12)
    assert add_business_minutes(OFFICE, moment, 0) == moment


def test_counting_backwards_or_across_nothing_is_zero():
    assert business_minutes_between(OFFICE, rome(2027, 1, 12, 11), rome(2027, 1, 8, 15)) == 0
    assert business_minutes_between(OFFICE, rome(2027, 1, 9, 0), rome(2027, 1, 11, 23)) == 0


def test_a_working_day_keeps_its_length_when_the_clocks_change_at_night():
    # Europe/Rome: clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    sunday_shift = BusinessCalendar(time_zone=ROME, working_days=frozenset(range(7)), start=time(9), end=time(17))
    assert business_minutes_between(sunday_shift, rome(2027, 3, 28, 0), rome(2027, 3, 29, 0)) == 480
    assert business_minutes_between(sunday_shift, rome(2027, 10, 31, 0), rome(2027, 11, 1, 0)) == 480
    # Friday 16:00 + 2 business hours is Monday 10:00 local, whatever the offset did over the weekend.
    assert add_business_minutes(OFFICE, rome(2027, 3, 26, 16), 120) == rome(2027, 3, 29, 10)
    assert add_business_minutes(OFFICE, rome(2027, 10, 29, 16), 120) == rome(2027, 11, 1, 10)


def test_a_window_through_the_night_of_the_change_is_as_long_as_it_really_is():
    night = BusinessCalendar(time_zone=ROME, working_days=frozenset(range(7)), start=time(1), end=time(4))
    assert business_minutes_between(night, rome(2027, 3, 28, 0), rome(2027, 3, 28, 5)) == 120  # 02:00-03:00 skipped
    assert business_minutes_between(night, rome(2027, 10, 31, 0), rome(2027, 10, 31, 5)) == 240  # 02:00-03:00 twice
    assert business_minutes_between(night, rome(2027, 10, 30, 0), rome(2027, 10, 30, 5)) == 180


def test_a_calendar_needs_working_time():
    with pytest.raises(CalendarError):
        BusinessCalendar(time_zone=ROME, working_days=frozenset(), start=time(9), end=time(17))
    with pytest.raises(CalendarError):
        BusinessCalendar(time_zone=ROME, working_days=frozenset({0}), start=time(17), end=time(9))


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(OFFICE, datetime(2027, 1, 8, 15), 10)  # noqa: DTZ001


# --- properties ------------------------------------------------------------------------------------------------

ZONES = st.sampled_from(["Europe/Rome", "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"])
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def calendars(draw) -> BusinessCalendar:
    start_minute = draw(st.integers(0, 23 * 60 - 30))
    end_minute = draw(st.integers(start_minute + 30, 24 * 60 - 1))
    first_day = date(2026, 1, 1)
    holidays = draw(st.frozensets(st.integers(0, 3 * 366).map(lambda d: first_day + timedelta(days=d)), max_size=40))
    return BusinessCalendar(
        time_zone=ZoneInfo(draw(ZONES)),
        working_days=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        start=time(start_minute // 60, start_minute % 60),
        end=time(end_minute // 60, end_minute % 60),
        holidays=holidays,
    )


@settings(max_examples=100, deadline=None)
@given(calendars(), MOMENTS, st.integers(0, 60 * 24 * 3))
def test_counting_the_minutes_added_gives_them_back(calendar, moment, minutes):
    due = add_business_minutes(calendar, moment, minutes)
    assert due >= moment
    assert business_time_between(calendar, moment, due) == timedelta(minutes=minutes)


@settings(max_examples=100, deadline=None)
@given(calendars(), MOMENTS, st.integers(0, 60 * 24 * 2), st.integers(0, 60 * 24 * 2))
def test_adding_twice_is_adding_the_sum(calendar, moment, first, second):
    once = add_business_minutes(calendar, moment, first + second)
    twice = add_business_minutes(calendar, add_business_minutes(calendar, moment, first), second)
    assert once == twice


@settings(max_examples=100, deadline=None)
@given(calendars(), MOMENTS, MOMENTS, MOMENTS)
def test_business_time_adds_up_and_never_exceeds_real_time(calendar, a, b, c):
    a, b, c = sorted((a, b, c))
    ab, bc, ac = (business_time_between(calendar, x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert timedelta(0) <= ac <= c - a


@settings(max_examples=100, deadline=None)
@given(calendars(), MOMENTS, st.integers(1, 60 * 24 * 3))
def test_the_due_moment_falls_in_working_hours_of_a_working_day(calendar, moment, minutes):
    due = add_business_minutes(calendar, moment, minutes)
    local = due.astimezone(calendar.time_zone)
    # It is the end of some business minute: the minute before it was working time.
    assert business_time_between(calendar, due - timedelta(seconds=1), due) == timedelta(seconds=1)
    assert local.date() not in calendar.holidays
    assert local.weekday() in calendar.working_days

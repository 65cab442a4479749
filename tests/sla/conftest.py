from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tessera.sla.models import Calendar, Holiday, Policy, Target

ROME = ZoneInfo("Europe/Rome")


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


@pytest.fixture
def office_calendar(db):
    """Monday to Friday, 9 to 17 in Rome; Monday 11 January 2027 is a holiday."""
    calendar = Calendar.objects.create(
        name="Rome office", time_zone="Europe/Rome", day_starts=time(9), day_ends=time(17)
    )
    Holiday.objects.create(calendar=calendar, date=date(2027, 1, 11), name="Company day")
    return calendar


@pytest.fixture
def default_policy(office_calendar):
    """Four business hours to answer medium tickets, two days to resolve them; 1 and 2 hours for very high."""
    policy = Policy.objects.create(name="Standard", calendar=office_calendar, is_default=True)
    Target.objects.create(policy=policy, priority=3, first_response_minutes=240, resolution_minutes=960)
    Target.objects.create(policy=policy, priority=1, first_response_minutes=60, resolution_minutes=120)
    return policy

"""Fixed cases of last month in two townships, for the ranking and its exports."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from cases.models import Channel, Deadline, Stage

LAST_MONTH = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def _in(month: date, day: int = 10) -> datetime:
    return timezone.make_aware(datetime(month.year, month.month, day, 10, 0))


@pytest.fixture
def month_cases(make_case, director):
    """Own township: 4 cases, 2 from the grid, 1 resolved on time of 2 met; sibling: 2 walk-ins, 1 late."""
    own = [
        make_case(channel=Channel.GRID, received_at=_in(LAST_MONTH)),
        make_case(channel=Channel.GRID, received_at=_in(LAST_MONTH)),
        make_case(received_at=_in(LAST_MONTH)),
        make_case(received_at=_in(LAST_MONTH)),
    ]
    sibling = [
        make_case(center_code="620102002", actor=director, received_at=_in(LAST_MONTH)),
        make_case(center_code="620102002", actor=director, received_at=_in(LAST_MONTH)),
    ]
    due = _in(LAST_MONTH, 20)
    for case, met in (
        (own[0], due - timedelta(days=1)),
        (own[1], due + timedelta(days=1)),
        (sibling[0], due + timedelta(days=2)),
    ):
        Deadline.objects.filter(case=case, stage=Stage.RESOLVE).update(met_at=met, due_at=due)
    return own, sibling


SCHEME = {"grid_found": 50, "resolve_on_time": 50}

"""Grid fixtures: a grid under the own township's village, its worker and the township's director."""

import pytest

from govcenter.models import Role
from grids import services
from grids.models import GridKind


@pytest.fixture
def village(tree):
    return tree["620102001001"]


@pytest.fixture
def township_director(member_at):
    return member_at("own", Role.DIRECTOR, username="director_township")


@pytest.fixture
def worker(member_at):
    return member_at("child", Role.GRID_WORKER, username="grid_worker", first_name="赵磊")


@pytest.fixture
def make_grid(village, township_director):
    def build(center=None, actor=None, kind=GridKind.URBAN, households=400, residents=1000, **fields):
        return services.grid_create(
            actor=actor or township_director,
            center=center or village,
            name=fields.pop("name", "东岗社区网格"),
            kind=kind,
            households=households,
            residents=residents,
            **fields,
        )

    return build


@pytest.fixture
def grid(make_grid):
    return make_grid(name="东岗社区第1网格")


@pytest.fixture
def walked_grid(grid, worker, township_director):
    """The grid with the worker on it, full-time, since a week ago."""
    from datetime import timedelta

    from django.utils import timezone

    services.grid_assign(
        actor=township_director, grid=grid, worker=worker, started_at=timezone.now() - timedelta(days=7)
    )
    return grid


@pytest.fixture
def moment():
    """An instant that has a few hours of its own local month behind it: now, or on the first day of
    a month, this time yesterday. A month's figures built from `moment - a few hours` then fall in
    `localdate(moment)`'s month whenever the suite runs, just after midnight on the 1st included."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return now - timedelta(days=1) if timezone.localdate(now).day == 1 else now

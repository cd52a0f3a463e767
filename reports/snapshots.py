"""Rollups of what is true now under a big center, refreshed by django-q2.

A province's dashboard counts three things that do not depend on its period: grid coverage (every
grid, village and auxiliary officer), the command post (every overdue open case, by unit and by
department) and the mediators' load (every open assignment). Live, they are most of the time of a
province's dashboard; they change slowly. So every `REFRESH_MINUTES` the worker counts them for
every center at county level and above and keeps the numbers in `NowSnapshot`; the dashboard uses
a snapshot younger than `MAX_AGE` and says when it was taken. A township's dashboard, or one with
no fresh snapshot (a new center, a stopped worker), counts live, so the figures are never older
than `MAX_AGE`.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from govcenter.divisions import Level
from govcenter.models import Center
from grids import selectors as grid_selectors
from grids.selectors import Coverage, CoverageRow
from reports.models import NowSnapshot

REFRESH_MINUTES = 5
MAX_AGE = timedelta(minutes=15)
SNAPSHOT_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)


@dataclass
class Now:
    computed_at: datetime
    coverage: Coverage
    overdue: dict  # as reports.selectors.overdue_now gives it
    mediators: list[dict]  # the busiest mediators, as reports.selectors.mediators_load gives them


def fresh(center: Center, now: datetime | None = None) -> Now | None:
    """The snapshot of `center` if one younger than MAX_AGE exists, else None (count live)."""
    if center.level not in SNAPSHOT_LEVELS:
        return None
    now = now or timezone.now()
    snapshot = NowSnapshot.objects.filter(center_code=center.code, computed_at__gt=now - MAX_AGE).first()
    if snapshot is None:
        return None
    rows = [CoverageRow(**row) for row in snapshot.data["coverage"]]
    overdue = snapshot.data["overdue"]
    coverage = grid_selectors.coverage_of_rows(center, rows)
    return Now(snapshot.computed_at, coverage, overdue, snapshot.data.get("mediators", []))


def refresh(center: Center) -> NowSnapshot:
    from reports import selectors  # selectors reads snapshots

    data = {
        "coverage": [asdict(row) for row in grid_selectors.coverage(center).rows],
        "overdue": selectors.overdue_now(center),
        "mediators": selectors.mediators_load(center),
    }
    snapshot, _ = NowSnapshot.objects.update_or_create(
        center_code=center.code, defaults={"computed_at": timezone.now(), "data": data}
    )
    return snapshot


def refresh_all() -> int:
    """Every few minutes: the snapshots of every active center at county level and above; the
    snapshots of centers no longer there go."""
    centers = list(Center.objects.filter(level__in=SNAPSHOT_LEVELS, is_active=True).order_by("code"))
    for center in centers:
        refresh(center)
    NowSnapshot.objects.exclude(center_code__in=[c.code for c in centers]).delete()
    return len(centers)

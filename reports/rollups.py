"""Monthly rollups of the dashboard's case counts, refreshed by django-q2.

A province's year is about 330,000 cases: grouped live that is most of a second on this machine
even from a covering index (docs/scaling.md). The groupings of every whole month are kept per
county, city and the province in `CaseMonthCount`: the last two months every `RECENT_MINUTES`,
all months every hour (an old case can still close). A dashboard of a county or above then adds
the rolled-up whole months of its period to the live count of the days around them (the month
under way, and a partial month at the start), so it reads a few thousand rows and about a month of
cases. With no fresh rollup (a stopped worker, a new database) it counts everything live.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Left, Length
from django.utils import timezone

from cases.models import Case
from govcenter.periods import next_month, previous_month, start_of
from reports.counting import COLUMNS, as_date, grouped_rows
from reports.models import CaseMonthCount, RollupStamp

RECENT_MINUTES = 10
RECENT_MAX_AGE = timedelta(minutes=25)
ALL_MAX_AGE = timedelta(minutes=75)
UNIT_LENGTHS = (2, 4, 6)  # the province, cities, counties


def refresh(months: list[date] | None = None) -> int:
    """Recount the given months (first days), or every month; returns the rows written."""
    cases = Case.objects.all()
    if months is not None:
        when = Q()
        for month in months:
            when |= Q(received_at__gte=start_of(month), received_at__lt=start_of(next_month(month)))
        cases = cases.filter(when)
    rows = []
    for length in UNIT_LENGTHS:
        units = cases.annotate(code_length=Length("center_code"), unit=Left("center_code", length)).filter(
            code_length__gte=length
        )
        for unit, month, grouping, values, n in grouped_rows(units, keys=("unit", "month")):
            values.pop("month")  # the key's, the same
            rows.append(CaseMonthCount(center_code=unit, month=as_date(month), grouping=grouping, n=n, **values))
    with transaction.atomic():
        stale = CaseMonthCount.objects.all() if months is None else CaseMonthCount.objects.filter(month__in=months)
        stale.delete()
        CaseMonthCount.objects.bulk_create(rows, batch_size=5000)
        now = timezone.now()
        stamps = ["recent", "all"] if months is None else ["recent"]
        for name in stamps:
            RollupStamp.objects.update_or_create(name=name, defaults={"computed_at": now})
    return len(rows)


def refresh_recent(today: date | None = None) -> int:
    this_month = (today or timezone.localdate()).replace(day=1)
    return refresh([previous_month(this_month), this_month])


def forget_past_months() -> None:
    """Cases were added to months already rolled up (an import of historic cases): the dashboards
    count live until the hourly refresh of every month has counted them in."""
    RollupStamp.objects.filter(name="all").delete()


def rolled_up_since(now: datetime | None = None) -> datetime | None:
    """The time of the older of the two refreshes when both are fresh enough to use, else None."""
    now = now or timezone.now()
    stamps = dict(RollupStamp.objects.filter(name__in=["recent", "all"]).values_list("name", "computed_at"))
    recent, every = stamps.get("recent"), stamps.get("all")
    if recent and every and recent > now - RECENT_MAX_AGE and every > now - ALL_MAX_AGE:
        return min(recent, every)
    return None


def whole_months(start: date, end: date, today: date) -> list[date]:
    """The months lying whole inside [start, end] (both inclusive), the month under way excluded."""
    months, month = [], start if start.day == 1 else next_month(start.replace(day=1))
    while next_month(month) - timedelta(days=1) <= end and month < today.replace(day=1):
        months.append(month)
        month = next_month(month)
    return months


def month_rows(code: str, months: list[date]) -> list[tuple]:
    """(grouping, {column: value}, count) rows of `code` for those months, as the live count gives."""
    rows = CaseMonthCount.objects.filter(center_code=code, month__in=months).values_list(
        "grouping", "month", *[c for c in COLUMNS if c != "month"], "n"
    )
    out = []
    for grouping, month, *values, n in rows:
        named = dict(zip([c for c in COLUMNS if c != "month"], values, strict=True))
        out.append((grouping, {**named, "month": month}, n))
    return out

"""The dashboard of a center's subtree over a period: every figure with the filters of the case list
behind it, so a director can click through and find the same total.

Cases are counted by their handling center (`center_code`) inside the subtree and their time of
receipt inside the period: exactly what `cases/?under=<code>&created_after=…&created_before=…` lists.
Each grouping is one aggregate query over the covering index, whatever the size of the subtree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone

from cases.models import OPEN_STATUSES, Case, Category, Channel, Dispatch, Handoff, Kind, Status
from cases.risk.models import RiskLevel, RiskWarning, WarningStatus, WarningTask
from cases.risk.warnings import overdue_task_q
from govcenter.divisions import Level, subtree_q
from govcenter.models import Center
from govcenter.periods import next_month, start_of
from grids import selectors as grid_selectors
from mediation.models import Assignment
from reports import rollups, snapshots
from reports.counting import CaseCounts, case_counts, grouped_rows, tally

TOP_OVERDUE = 20
TOP_MEDIATORS = 10


@dataclass
class Figure:
    """One number on the dashboard and the case-list filters that give the same total."""

    key: str
    label: str
    value: int
    filters: dict = field(default_factory=dict)
    list_name: str = "case-list"  # the page that lists what is counted: cases, or hand-offs

    @property
    def url(self) -> str:
        return f"{reverse(self.list_name)}?{urlencode(self.filters, doseq=True)}" if self.filters else ""


@dataclass
class Period:
    start: date
    end: date  # inclusive: the last day counted

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return start_of(self.start), start_of(self.end + timedelta(days=1))


@dataclass
class Dashboard:
    center: Center
    period: Period
    total: Figure
    by_channel: list[Figure]
    by_kind: list[Figure]
    by_category: list[Figure]
    trend: list[Figure]
    open_by_status: list[Figure]
    overdue_by_status: list[Figure]
    resolution_level: list[Figure]
    diversion: dict
    police: dict
    petitions: dict
    handoffs: dict
    warnings: dict
    coverage: object
    mediators: list[dict]
    command_post: dict
    # When coverage and the command post come from the background's snapshot: the time it was taken.
    now_as_of: datetime | None = None
    # When the whole months of the period come from the monthly rollup: the time it was counted.
    months_as_of: datetime | None = None


def base_filters(center: Center, period: Period) -> dict:
    start, end = period.bounds
    return {"under": center.code, "created_after": start.isoformat(), "created_before": end.isoformat()}


def period_cases(center: Center, period: Period):
    start, end = period.bounds
    return Case.objects.filter(subtree_q("center_code", center.code), received_at__gte=start, received_at__lt=end)


def _figures(counts: dict, choices, base: dict, param: str, prefix: str, extra: dict | None = None) -> list[Figure]:
    return [
        Figure(f"{prefix}.{value}", str(label), counts.get(value, 0), {**base, **(extra or {}), param: value})
        for value, label in choices
        if counts.get(value, 0)
    ]


def _trend(by_month: dict, base: dict, period: Period) -> list[Figure]:
    """Cases received per month of the period, each linked to its month's list."""
    figures = []
    month = period.start.replace(day=1)
    start, end = period.bounds
    while month <= period.end:
        following = next_month(month)
        low, high = max(start, start_of(month)), min(end, start_of(following))
        filters = {**base, "created_after": low.isoformat(), "created_before": high.isoformat()}
        figures.append(Figure(f"trend.{month:%Y-%m}", f"{month:%Y-%m}", by_month.get(month, 0), filters))
        month = following
    return figures


def _categories(by_category: dict, base: dict) -> list[Figure]:
    """Cases by top-level category: a case classified under a subcategory counts under its parent."""
    tops = {}
    for category_id, code, parent_code in Category.objects.values_list("id", "code", "parent__code"):
        tops[category_id] = parent_code or code
    counts: dict[str, int] = {}
    for category_id, n in by_category.items():
        if category_id is not None:
            code = tops.get(category_id)
            counts[code] = counts.get(code, 0) + n
    names = dict(Category.objects.filter(code__in=counts).values_list("code", "name"))
    figures = [
        Figure(f"category.{code}", names.get(code, code), n, {**base, "category": code}) for code, n in counts.items()
    ]
    return sorted(figures, key=lambda f: (-f.value, f.key))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


HANDOFF_CHANNELS = (Channel.COURT, Channel.POLICE, Channel.PETITION)


def _channel_blocks(counts: CaseCounts, base: dict) -> dict[str, dict]:
    """Received, resolved and open for the court's diversion, police alerts and petitions."""
    blocks = {}
    for channel in HANDOFF_CHANNELS:
        row = counts.by_channel_outcome.get(channel, {"received": 0, "resolved": 0, "decided": 0, "open": 0})
        filters = {**base, "channel": channel}
        blocks[channel] = {
            "received": Figure(f"{channel}.received", "", row["received"], filters),
            "resolved": Figure(f"{channel}.resolved", "", row["resolved"], {**filters, "resolved": "true"}),
            "open": Figure(f"{channel}.open", "", row["open"], {**filters, "open": "true"}),
            "success_rate": _rate(row["resolved"], row["decided"]),
            "decided": row["decided"],
        }
    return blocks


ACCEPTED_HANDOFFS = (Handoff.State.ACCEPTED, Handoff.State.CLOSED)


def _handoffs(center: Center, period: Period) -> dict[str, dict]:
    """Per source, the hand-offs sent to the subtree in the period and what became of them; the
    diversion rate is the share the centers took on (accepted, or handled and closed) rather than
    returned or left with the court."""
    start, end = period.bounds
    base = {"under": center.code, "sent_after": start.isoformat(), "sent_before": end.isoformat()}
    rows = {
        row["source"]: row
        for row in Handoff.objects.filter(subtree_q("center_code", center.code), sent_at__gte=start, sent_at__lt=end)
        .order_by()
        .values("source")
        # Counted over columns the handoff_sent / handoff_center_sent indexes carry: index-only.
        .annotate(
            sent=Count("*"),
            accepted=Count("status", filter=Q(status__in=ACCEPTED_HANDOFFS)),
            returned=Count("status", filter=Q(status=Handoff.State.RETURNED)),
        )
    }
    blocks = {}
    for source in Handoff.Source.values:
        row = rows.get(source, {"sent": 0, "accepted": 0, "returned": 0})
        filters = {**base, "source": source}
        blocks[source] = {
            "sent": Figure(f"handoff.{source}.sent", "", row["sent"], filters, "handoff-list"),
            "accepted": Figure(
                f"handoff.{source}.accepted",
                "",
                row["accepted"],
                {**filters, "status": list(ACCEPTED_HANDOFFS)},
                "handoff-list",
            ),
            "returned": Figure(
                f"handoff.{source}.returned",
                "",
                row["returned"],
                {**filters, "status": Handoff.State.RETURNED},
                "handoff-list",
            ),
            "diversion_rate": _rate(row["accepted"], row["sent"]),
        }
    return blocks


def _warnings(center: Center) -> dict:
    """The risk warnings open now in the subtree, by level, and those with a visit past due: two
    grouped queries, each figure with the warning list behind it."""
    now = timezone.now()
    open_warnings = RiskWarning.objects.filter(subtree_q("center_code", center.code), status=WarningStatus.OPEN)
    counts = dict(open_warnings.order_by().values_list("level").annotate(n=Count("id")))
    base = {"under": center.code, "status": WarningStatus.OPEN}
    late = (
        open_warnings.filter(Exists(WarningTask.objects.filter(overdue_task_q(now), warning_id=OuterRef("pk"))))
        .order_by()
        .count()
    )
    return {
        "by_level": [
            Figure(f"warning.{level}", str(label), counts.get(level, 0), {**base, "level": level}, "warning-list")
            for level, label in reversed(RiskLevel.choices)
            if level
        ],
        "overdue": Figure("warning.overdue", "", late, {**base, "overdue": "true"}, "warning-list"),
    }


def mediators_load(center: Center) -> list[dict]:
    rows = (
        # The subtree's mediators and its cases only: a figure about the subtree, nothing from outside.
        Assignment.objects.filter(ended_at__isnull=True, case__status__in=OPEN_STATUSES)
        .filter(subtree_q("mediator__center_code", center.code), subtree_q("case__center_code", center.code))
        .order_by()
        .values("mediator_id", "mediator__name", "mediator__org__name")
        .annotate(open_cases=Count("case_id", distinct=True))
        .order_by("-open_cases", "mediator__name")[:TOP_MEDIATORS]
    )
    return [
        {
            "id": r["mediator_id"],
            "name": r["mediator__name"],
            "org": r["mediator__org__name"],
            "open_cases": r["open_cases"],
        }
        for r in rows
    ]


def overdue_now(center: Center) -> dict:
    """What is late now in the subtree, whatever the period, as plain numbers (kept as they are in a
    snapshot): the overdue open cases, per unit one level down, the departments holding them, and
    the ids of the most overdue."""
    overdue = Case.objects.filter(subtree_q("center_code", center.code), is_overdue=True, status__in=OPEN_STATUSES)
    length = grid_selectors.unit_length(center.code)
    by_unit = dict(
        overdue.order_by().annotate(unit=Left("center_code", length)).values_list("unit").annotate(n=Count("id"))
    )
    late_departments = (
        Dispatch.objects.filter(case__in=overdue, status__in=["pending", "accepted"])
        .order_by()
        .values("department_id", "department__name")
        .annotate(n=Count("case_id", distinct=True))
        .order_by("-n", "department__name")[:10]
    )
    return {
        "total": sum(by_unit.values()),
        "by_unit": by_unit,
        "case_ids": list(overdue.order_by("next_due_at", "id").values_list("pk", flat=True)[:TOP_OVERDUE]),
        "late_departments": [
            {"id": d["department_id"], "name": d["department__name"], "overdue_cases": d["n"]} for d in late_departments
        ],
    }


def command_post(center: Center, numbers: dict | None = None) -> dict:
    """The command post's figures from `overdue_now` (counted now unless given), each with its list."""
    numbers = numbers or overdue_now(center)
    names = dict(Center.objects.filter(code__in=numbers["by_unit"]).values_list("code", "name"))
    units = sorted(
        (
            Figure(f"overdue.{code}", names.get(code, code), n, {"under": code, "overdue": "true", "open": "true"})
            for code, n in numbers["by_unit"].items()
        ),
        key=lambda f: (-f.value, f.key),
    )
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=numbers["case_ids"])
        .select_related("center")
        .only("id", "number", "title", "status", "center__name", "next_due_at", "next_stage", "center_code")
    }
    return {
        "overdue": Figure("overdue", "", numbers["total"], {"under": center.code, "overdue": "true", "open": "true"}),
        "cases": [cases[pk] for pk in numbers["case_ids"] if pk in cases],
        "worst_units": units,
        "late_departments": numbers["late_departments"],
    }


def dashboard(center: Center, period: Period) -> Dashboard:
    base = base_filters(center, period)
    counts, months_as_of = period_counts(center, period)
    now = snapshots.fresh(center)
    levels = [(level, label) for level, label in Level.choices if level >= Level.COUNTY]
    handoffs = _channel_blocks(counts, base)
    open_by_status = {status: n for status, n in counts.by_status.items() if status in OPEN_STATUSES}
    overdue_by_status = {status: n for status, n in counts.overdue_by_status.items() if status in OPEN_STATUSES}
    return Dashboard(
        center=center,
        period=period,
        total=Figure("total", "", counts.total, base),
        by_channel=_figures(counts.by_channel, Channel.choices, base, "channel", "channel"),
        by_kind=_figures(counts.by_kind, Kind.choices, base, "kind", "kind"),
        by_category=_categories(counts.by_category, base),
        trend=_trend(counts.by_month, base, period),
        open_by_status=_figures(open_by_status, Status.choices, base, "status", "open"),
        overdue_by_status=_figures(overdue_by_status, Status.choices, base, "status", "overdue", {"overdue": "true"}),
        resolution_level=_figures(counts.by_level, levels, base, "resolved_level", "level"),
        diversion=handoffs[Channel.COURT],
        police=handoffs[Channel.POLICE],
        petitions=handoffs[Channel.PETITION],
        handoffs=_handoffs(center, period),
        warnings=_warnings(center),
        coverage=now.coverage if now else grid_selectors.coverage(center),
        mediators=now.mediators if now else mediators_load(center),
        command_post=command_post(center, now.overdue if now else None),
        now_as_of=now.computed_at if now else None,
        months_as_of=months_as_of,
    )


def period_counts(center: Center, period: Period) -> tuple[CaseCounts, datetime | None]:
    """The period's case counts: whole months from the monthly rollup when it is fresh (a county or
    above), the days around them live; else all live. Also the time of the rollup, if used."""
    months = rollups.whole_months(period.start, period.end, timezone.localdate())
    since = rollups.rolled_up_since() if months and center.level in snapshots.SNAPSHOT_LEVELS else None
    if since is None:
        return case_counts(period_cases(center, period)), None
    rows = rollups.month_rows(center.code, months)
    first, last = months[0], next_month(months[-1]) - timedelta(days=1)
    if period.start < first:
        rows += grouped_rows(period_cases(center, Period(period.start, first - timedelta(days=1))))
    if last < period.end:
        rows += grouped_rows(period_cases(center, Period(last + timedelta(days=1), period.end)))
    return tally(rows), since

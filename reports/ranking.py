"""The red/black list (红黑榜): the units one level down (a county's townships, a city's counties)
ranked each month on four areas, each a weighted set of indicators drawn from the cases.

A unit is credited with the cases that began in it (`origin_code`): a dispute a township escalated
to the county still counts for the township. Every indicator is a share, numerator over denominator,
scored 0–100 (higher is better; for "lower is better" indicators the complement); an indicator with
nothing to count for a unit drops out of that unit's score and its weight is shared out among the
rest. Scores tie at one decimal and share a rank (1, 1, 3).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Channel, Deadline, Kind, Severity, Stage
from cases.risk.models import WarningTask
from govcenter.divisions import Level, subtree_q
from govcenter.models import Center
from govcenter.periods import month_bounds
from grids.selectors import unit_length
from reports.models import Area, RankingScheme


@dataclass(frozen=True)
class Indicator:
    code: str
    area: str
    label: str
    count: Callable  # (cases of the month in the subtree, unit code length) -> {unit: (numerator, denominator)}
    lower_is_better: bool = False
    default_weight: int = 0


def _share(cases, length: int, numerator: Q, denominator: Q | None = None) -> dict:
    rows = (
        cases.filter(denominator or Q())
        .order_by()
        .annotate(unit_code=Left("origin_code", length))
        .values_list("unit_code")
        .annotate(num=Count("id", filter=numerator), den=Count("id"))
    )
    return {u: (num, den) for u, num, den in rows}


def _on_time(cases, length: int, which: Q | None = None) -> dict:
    """Of the cases' resolve limits that were met or are past, how many were met in time: a case left
    open past its limit counts as late, or leaving cases overdue would score better than resolving
    them late."""
    due = Q(met_at__isnull=False) | Q(due_at__lt=timezone.now())
    rows = (
        Deadline.objects.current()
        .filter(due, stage=Stage.RESOLVE, case__in=cases.filter(which or Q()).values("pk"))
        .order_by()
        .annotate(unit_code=Left("case__origin_code", length))
        .values_list("unit_code")
        .annotate(num=Count("id", filter=Q(met_at__lte=F("due_at"))), den=Count("id"))
    )
    return {u: (num, den) for u, num, den in rows}


def _warnings_visited(cases, length: int) -> dict:
    """Of the visits the risk warnings of the month's cases called for (done, or past due), how many
    were made in time."""
    rows = (
        WarningTask.objects.filter(Q(done_at__isnull=False) | Q(due_at__lt=timezone.now()))
        .filter(warning__case__in=cases.values("pk"))
        .order_by()
        .annotate(unit_code=Left("warning__case__origin_code", length))
        .values_list("unit_code")
        .annotate(num=Count("id", filter=Q(done_at__lte=F("due_at"))), den=Count("id"))
    )
    return {u: (num, den) for u, num, den in rows}


INDICATORS = [
    Indicator(
        "grid_found",
        Area.SCREENING,
        _("Share found by the grid or screening before anyone came to complain"),
        lambda cases, length: _share(cases, length, Q(channel__in=[Channel.GRID, Channel.SCREENING])),
        default_weight=10,
    ),
    Indicator(
        "resolved_below",
        Area.SCREENING,
        _("Share of resolved cases resolved at the township or village"),
        lambda cases, length: _share(
            cases, length, Q(resolved_level__gte=Level.TOWNSHIP), Q(resolved_level__isnull=False)
        ),
        default_weight=15,
    ),
    Indicator(
        "resolve_on_time",
        Area.SCREENING,
        _("Share of cases resolved within the time limit"),
        lambda cases, length: _on_time(cases, length),
        default_weight=15,
    ),
    Indicator(
        "police_resolved",
        Area.SECURITY,
        _("Share of 110 dispute alerts resolved"),
        lambda cases, length: _share(cases, length, Q(resolved_level__isnull=False), Q(channel=Channel.POLICE)),
        default_weight=10,
    ),
    Indicator(
        "group_incidents",
        Area.SECURITY,
        _("Share of cases that were group incidents"),
        lambda cases, length: _share(cases, length, Q(is_group_incident=True)),
        lower_is_better=True,
        default_weight=10,
    ),
    Indicator(
        "petition_on_time",
        Area.PETITION,
        _("Share of petitions resolved within the time limit"),
        lambda cases, length: _on_time(cases, length, Q(channel=Channel.PETITION)),
        default_weight=10,
    ),
    Indicator(
        "repeat_petitions",
        Area.PETITION,
        _("Share of petitions raised again (repeat petitions)"),
        lambda cases, length: _share(cases, length, Q(report_count__gt=1), Q(channel=Channel.PETITION)),
        lower_is_better=True,
        default_weight=10,
    ),
    Indicator(
        "risk_on_time",
        Area.HOMICIDE,
        _("Share of risks and serious disputes resolved within the time limit"),
        lambda cases, length: _on_time(
            cases, length, Q(kind=Kind.RISK) | Q(severity__in=[Severity.HIGH, Severity.CRITICAL])
        ),
        default_weight=10,
    ),
    Indicator(
        "warnings_visited",
        Area.HOMICIDE,
        _("Share of risk-warning visits made in time"),
        _warnings_visited,
        default_weight=5,
    ),
    Indicator(
        "emergencies",
        Area.HOMICIDE,
        _("Share of cases that were emergencies"),
        lambda cases, length: _share(cases, length, Q(is_emergency=True)),
        lower_is_better=True,
        default_weight=5,
    ),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
DEFAULT_WEIGHTS = {indicator.code: indicator.default_weight for indicator in INDICATORS}


@dataclass
class Scheme:
    weights: dict[str, int]
    red_cutoff: Decimal
    black_cutoff: Decimal

    def as_json(self) -> dict:
        return {"weights": self.weights, "red_cutoff": str(self.red_cutoff), "black_cutoff": str(self.black_cutoff)}


def scheme_for(center: Center) -> Scheme:
    """The center's scheme, or the defaults when it has set none."""
    stored = RankingScheme.objects.filter(center=center).prefetch_related("weights").first()
    if stored is None:
        defaults = RankingScheme()
        return Scheme(dict(DEFAULT_WEIGHTS), defaults.red_cutoff, defaults.black_cutoff)
    return Scheme({w.indicator: w.weight for w in stored.weights.all()}, stored.red_cutoff, stored.black_cutoff)


@dataclass
class Row:
    code: str
    name: str
    figures: dict = field(default_factory=dict)  # indicator → {"num", "den", "score"}
    area_scores: dict = field(default_factory=dict)
    score: Decimal | None = None  # None: nothing to count this month (no case at all)
    rank: int | None = None
    mark: str = ""
    previous_rank: int | None = None

    @property
    def change(self) -> int | None:
        """Places gained since last month (positive: moved up)."""
        return None if self.previous_rank is None or self.rank is None else self.previous_rank - self.rank


def _month_cases(center: Center, month: date):
    start, end = month_bounds(month)
    return Case.objects.filter(subtree_q("origin_code", center.code), received_at__gte=start, received_at__lt=end)


def _score(row: Row, scheme: Scheme) -> None:
    weighted = {}
    for code, weight in scheme.weights.items():
        figure = row.figures.get(code)
        if weight and figure and figure["score"] is not None:
            weighted[code] = (weight, figure["score"])
    total = sum(weight for weight, _score in weighted.values())
    row.score = (
        Decimal(sum(weight * score for weight, score in weighted.values()) / total).quantize(Decimal("0.1"))
        if total
        else None
    )
    for area in Area.values:
        parts = [(w, s) for code, (w, s) in weighted.items() if BY_CODE[code].area == area]
        area_weight = sum(w for w, _s in parts)
        row.area_scores[area] = round(sum(w * s for w, s in parts) / area_weight, 1) if area_weight else None


def compute(center: Center, month: date, scheme: Scheme | None = None, previous: dict | None = None) -> list[Row]:
    """The month's ranking of the units one level below a county or city: one grouped query per
    indicator, whatever the number of units."""
    scheme = scheme or scheme_for(center)
    length = unit_length(center.code)
    units = Center.objects.filter(subtree_q("code", center.code), level=Level.TOWNSHIP if length == 9 else Level.COUNTY)
    rows = {c.code: Row(c.code, c.name) for c in units.filter(is_active=True).order_by("code").only("code", "name")}
    cases = _month_cases(center, month)
    for code, weight in scheme.weights.items():
        indicator = BY_CODE[code]
        counts = indicator.count(cases, length) if weight else {}
        for row in rows.values():
            num, den = counts.get(row.code, (0, 0))
            share = num / den if den else None
            score = None if share is None else round(100 * ((1 - share) if indicator.lower_is_better else share), 1)
            row.figures[code] = {"num": num, "den": den, "score": score}
    for row in rows.values():
        _score(row, scheme)
        row.previous_rank = (previous or {}).get(row.code)
    # A unit with nothing to count is neither praised nor blamed: listed after the ranked ones.
    scored = sorted((r for r in rows.values() if r.score is not None), key=lambda r: (-r.score, r.code))
    for position, row in enumerate(scored, start=1):
        tied = position > 1 and row.score == scored[position - 2].score
        row.rank = scored[position - 2].rank if tied else position
        row.mark = "red" if row.score >= scheme.red_cutoff else "black" if row.score < scheme.black_cutoff else ""
    return scored + [r for r in rows.values() if r.score is None]

"""The actions of reports: a county's or city's ranking scheme, and publishing a month's red/black
list as a frozen snapshot."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcenter import access, audit, periods
from govcenter.access import Action
from govcenter.divisions import Level
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.models import Center
from reports import ranking
from reports.models import RankingEntry, RankingPublication, RankingScheme, RankingWeight

RANKING_LEVELS = (Level.CITY, Level.COUNTY)


def check_ranking_center(center: Center) -> None:
    if center.level not in RANKING_LEVELS:
        raise DomainError(
            _("A county ranks its townships and a city its counties; choose a county or city center."), field="center"
        )


def check_month(month: date, *, complete: bool) -> None:
    """No month in the future; for publishing, only a month that has ended."""
    this_month = timezone.localdate().replace(day=1)
    if month > this_month or (complete and month == this_month):
        message = (
            _("Only a month that has ended can be published.")
            if month == this_month
            else _("That month is in the future.")
        )
        raise DomainError(message, field="month")


def _check_manager(actor, center: Center) -> None:
    if not access.can_at(actor, Action.RANKING_MANAGE, center.code):
        raise NotAllowed(_("Only a director of this center or above sets and publishes its red/black list."))


def _cutoff(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise DomainError(_("Give a score from 0 to 100."), field=name) from error
    if not number.is_finite() or not 0 <= number <= 100:
        raise DomainError(_("Give a score from 0 to 100."), field=name)
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def scheme_set(*, actor, center: Center, weights: dict, red_cutoff, black_cutoff) -> RankingScheme:
    """Replace the center's indicators and weights (points summing to 100) and its cut-offs."""
    check_ranking_center(center)
    _check_manager(actor, center)
    unknown = sorted(set(weights) - set(ranking.BY_CODE))
    if unknown:
        raise DomainError(_("Unknown indicator: %(codes)s.") % {"codes": ", ".join(unknown)}, field="weights")
    if any(not isinstance(w, int) or isinstance(w, bool) or not 0 <= w <= 100 for w in weights.values()):
        raise DomainError(_("Each weight is a whole number from 0 to 100."), field="weights")
    total = sum(weights.values())
    if total != 100:
        raise DomainError(
            _("The weights must add up to 100; these add up to %(total)d.") % {"total": total}, field="weights"
        )
    red, black = _cutoff(red_cutoff, "red_cutoff"), _cutoff(black_cutoff, "black_cutoff")
    if black > red:
        raise DomainError(_("The black-list cut-off cannot be above the red-list one."), field="black_cutoff")
    scheme, _created = RankingScheme.objects.select_for_update().get_or_create(
        center=center, defaults={"center_code": center.code, "red_cutoff": red, "black_cutoff": black}
    )
    scheme.red_cutoff, scheme.black_cutoff, scheme.updated_by = red, black, actor
    scheme.save()
    scheme.weights.all().delete()
    RankingWeight.objects.bulk_create(
        RankingWeight(scheme=scheme, indicator=code, weight=weight) for code, weight in weights.items() if weight
    )
    audit.record(
        actor=actor,
        action="ranking.scheme",
        obj=scheme,
        center_code=center.code,
        data={"weights": weights, "red_cutoff": str(red), "black_cutoff": str(black)},
    )
    return scheme


def previous_ranks(center: Center, month: date) -> dict[str, int]:
    """The ranks published for the month before this one (none when that month was not published:
    a change against an older list would mislead)."""
    last = RankingPublication.objects.filter(center=center, month=periods.previous_month(month)).first()
    return dict(last.entries.exclude(rank=None).values_list("unit_code", "rank")) if last else {}


def preview(center: Center, month: date) -> list[ranking.Row]:
    check_ranking_center(center)
    check_month(month, complete=False)
    return ranking.compute(center, month, previous=previous_ranks(center, month))


@transaction.atomic
def publish(*, actor, center: Center, month: date) -> RankingPublication:
    """Freeze the month's list: every unit's figures, score, rank and mark, never recomputed."""
    check_ranking_center(center)
    _check_manager(actor, center)
    check_month(month, complete=True)
    if RankingPublication.objects.filter(center=center, month=month).exists():
        raise ConflictError(_("The list of %(month)s is already published.") % {"month": f"{month:%Y-%m}"})
    scheme = ranking.scheme_for(center)
    rows = ranking.compute(center, month, scheme, previous=previous_ranks(center, month))
    try:
        with transaction.atomic():
            publication = RankingPublication.objects.create(
                center=center,
                center_code=center.code,
                month=month,
                scheme=scheme.as_json(),
                published_at=timezone.now(),
                published_by=actor,
            )
    except IntegrityError as error:  # a second director pressed the button at the same moment
        raise ConflictError(_("The list of %(month)s is already published.") % {"month": f"{month:%Y-%m}"}) from error
    RankingEntry.objects.bulk_create(
        RankingEntry(
            publication=publication,
            unit_code=row.code,
            unit_name=row.name,
            rank=row.rank,
            score=row.score,
            area_scores=row.area_scores,
            figures=row.figures,
            mark=row.mark,
            previous_rank=row.previous_rank,
        )
        for row in rows
    )
    audit.record(
        actor=actor,
        action="ranking.publish",
        obj=publication,
        center_code=center.code,
        data={"month": f"{month:%Y-%m}", "units": len(rows)},
    )
    return publication

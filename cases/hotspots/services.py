"""Hotspots: the detection pass that keeps them (idempotent), and a director's two verbs on one —
merge its cases into one (并案) or dismiss it."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.hotspots import detect
from cases.hotspots.models import Hotspot, HotspotCase, HotspotStatus
from cases.models import Case, Deadline, Party, Status
from cases.services.core import CaseConflict, CaseError, Step, apply_step, lock_case
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import NotAllowed
from govcenter.models import Center


class HotspotConflict(CaseConflict):
    """The hotspot was already merged or dismissed: 409."""


def window_hours() -> int:
    return int(getattr(settings, "HOTSPOT_WINDOW_HOURS", 6))


# --- Reading the window -----------------------------------------------------------------------------


def window_reports(*, start: datetime, end: datetime, county_code: str | None = None) -> dict[str, list]:
    """The cases received in [start, end) with their applicants, by county: one query."""
    rows = (
        Case.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(applicant=FilteredRelation("parties", condition=Q(parties__role=Party.Role.APPLICANT)))
        .order_by()
        .values_list(
            "pk",
            "county_code",
            "channel",
            "received_at",
            "title",
            "facts",
            "place",
            "applicant__id_number",
            "applicant__phone",
            "applicant__name",
        )
    )
    if county_code:
        rows = rows.filter(county_code=county_code)
    cases: dict[int, dict] = {}
    for pk, county, channel, received_at, title, facts, place, id_number, phone, name in rows:
        row = cases.setdefault(
            pk,
            {
                "county": county,
                "channel": channel,
                "at": received_at,
                "text": "\n".join(part for part in (title, facts, place) if part),
                "place": place,
                "people": set(),
            },
        )
        person = id_number or phone or name
        if person:
            row["people"].add(person.strip().upper())
    by_county: dict[str, list[detect.Report]] = defaultdict(list)
    for pk, row in cases.items():
        by_county[row["county"]].append(
            detect.Report(
                case_id=pk,
                county_code=row["county"],
                channel=row["channel"],
                reporters=frozenset(row["people"]),
                received_at=row["at"],
                text=row["text"],
                place=row["place"],
            )
        )
    return by_county


def dictionary_names(counties) -> dict[str, set[str]]:
    """The center and grid names of each county, for jieba's user dictionary: two queries."""
    from grids.models import Grid

    counties = sorted(counties)
    names: dict[str, set[str]] = defaultdict(set)
    if not counties:
        return names
    centers = Center.objects.annotate(county=Left("code", 6)).filter(county__in=counties)
    for county, name in centers.values_list("county", "name"):
        names[county].add(name)
    grids = Grid.objects.annotate(county=Left("center_code", 6)).filter(county__in=counties, is_active=True)
    for county, name in grids.values_list("county", "name"):
        names[county].add(name)
    return names


def hotspot_candidates(*, now: datetime | None = None, county_code: str | None = None, hours: int | None = None):
    """The groups of the window ending now, county by county, without saving anything."""
    now = now or timezone.now()
    start = now - timedelta(hours=hours or window_hours())
    reports = window_reports(start=start, end=now + timedelta(seconds=1), county_code=county_code)
    names = dictionary_names(reports)
    configured = list(getattr(settings, "HOTSPOT_TERMS", []))
    groups = []
    for county, rows in sorted(reports.items()):
        dictionary = detect.build_dictionary(rows, names=names.get(county, ()), configured=configured)
        groups += detect.find_groups(rows, dictionary)
    return groups


# --- Keeping them -----------------------------------------------------------------------------------


@transaction.atomic
def hotspots_detect(*, now: datetime | None = None, county_code: str | None = None) -> list[Hotspot]:
    """One pass: new groups become hotspots, a group that grew updates its open hotspot, a group
    already merged or dismissed is left alone. Running it twice changes nothing."""
    now = now or timezone.now()
    groups = hotspot_candidates(now=now, county_code=county_code)
    if not groups:
        return []
    known = _known_hotspots({g.county_code for g in groups}, since=now - timedelta(hours=2 * window_hours()))
    touched = []
    for group in groups:
        hotspot = _keep(group, known, now)
        if hotspot is not None:
            touched.append(hotspot)
    return touched


def _known_hotspots(counties, since: datetime) -> list[dict]:
    rows = (
        HotspotCase.objects.filter(hotspot__county_code__in=sorted(counties), hotspot__window_end__gte=since)
        .select_related("hotspot")
        .order_by("hotspot_id")
    )
    hotspots: dict[int, dict] = {}
    for link in rows:
        entry = hotspots.setdefault(link.hotspot_id, {"hotspot": link.hotspot, "cases": set()})
        entry["cases"].add(link.case_id)
    return list(hotspots.values())


def _keep(group: detect.Group, known: list[dict], now: datetime) -> Hotspot | None:
    ids = set(group.case_ids)
    related = [
        entry
        for entry in known
        if entry["hotspot"].county_code == group.county_code
        and (entry["cases"] & ids or (entry["hotspot"].is_open and entry["hotspot"].key == group.key))
    ]
    open_entry = next((entry for entry in related if entry["hotspot"].is_open), None)
    if open_entry is not None:
        return _grow(open_entry, group)
    if related and ids <= set().union(*(entry["cases"] for entry in related)):
        return None  # already merged or dismissed, nothing new came in
    hotspot = Hotspot.objects.create(
        county_code=group.county_code,
        terms=group.terms,
        key=group.key,
        window_start=group.window_start,
        window_end=group.window_end,
        channels=group.channels,
        reporter_count=group.reporter_count,
        case_count=len(ids),
        detected_at=now,
    )
    HotspotCase.objects.bulk_create([HotspotCase(hotspot=hotspot, case_id=case_id) for case_id in sorted(ids)])
    known.append({"hotspot": hotspot, "cases": ids})
    audit.record(
        actor=None, action="hotspot.detect", obj=hotspot, center_code=hotspot.county_code, data=_summary(hotspot)
    )
    return hotspot


def _grow(entry: dict, group: detect.Group) -> Hotspot | None:
    hotspot, cases = entry["hotspot"], entry["cases"]
    new = set(group.case_ids) - cases
    channels = sorted(set(hotspot.channels) | set(group.channels))
    if not new and channels == hotspot.channels:
        return None
    HotspotCase.objects.bulk_create(
        [HotspotCase(hotspot=hotspot, case_id=case_id) for case_id in sorted(new)], ignore_conflicts=True
    )
    cases |= new
    hotspot.terms = group.terms or hotspot.terms
    hotspot.channels = channels
    hotspot.case_count = len(cases)
    hotspot.reporter_count = max(hotspot.reporter_count, group.reporter_count)
    hotspot.window_start = min(hotspot.window_start, group.window_start)
    hotspot.window_end = max(hotspot.window_end, group.window_end)
    hotspot.save(
        update_fields=["terms", "channels", "case_count", "reporter_count", "window_start", "window_end", "updated_at"]
    )
    return hotspot


def _summary(hotspot: Hotspot) -> dict:
    return {"terms": hotspot.terms, "channels": hotspot.channels, "cases": hotspot.case_count}


# --- A director's verbs -----------------------------------------------------------------------------


def _lock_open(actor, hotspot: Hotspot) -> Hotspot:
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if not access.can_at(actor, Action.CASE_DISPATCH, hotspot.county_code):
        raise NotAllowed(_("You may see this hotspot but not merge or dismiss it."))
    if not hotspot.is_open:
        raise HotspotConflict(
            _("The hotspot is already %(status)s.") % {"status": hotspot.get_status_display()},
            extra={"status": hotspot.status},
        )
    return hotspot


@transaction.atomic
def hotspot_merge(*, actor, hotspot: Hotspot, into_case: Case, note: str = "") -> Hotspot:
    """并案: the other open cases of the hotspot are recorded as merged into the one kept, which
    counts their reports; the director then dispatches that one case as usual."""
    hotspot = _lock_open(actor, hotspot)
    case_ids = list(hotspot.links.order_by("case_id").values_list("case_id", flat=True))
    if into_case.pk not in case_ids:
        raise CaseError(_("Choose one of the hotspot’s own cases to keep."), field="case")
    kept = lock_case(into_case, None)
    if not kept.is_open:
        raise CaseError(_("The case to keep must be open."), field="case")
    others = [lock_case(case, None) for case in Case.objects.filter(pk__in=case_ids).exclude(pk=kept.pk).order_by("pk")]
    others = [case for case in others if case.is_open]
    now = timezone.now()
    for case in others:
        # Merged away: closed, its limits superseded (they live on in the kept case), so it is not
        # dispatched, chased or escalated on its own.
        Deadline.objects.running().filter(case=case).update(superseded_at=now)
        case.closed_at = now
        step = Step(
            "hotspot-merge",
            Status.CLOSED,
            note=note,
            data={"hotspot": hotspot.pk, "into": kept.number},
            fields=("closed_at",),
        )
        apply_step(case, actor, step, now=now)
    kept.report_count += len(others)
    step = Step(
        "hotspot-merge",
        note=note,
        data={"hotspot": hotspot.pk, "merged": [case.number for case in others], "report_count": kept.report_count},
        fields=("report_count",),
    )
    apply_step(kept, actor, step, now=now)
    hotspot.status = HotspotStatus.MERGED
    hotspot.merged_into = kept
    hotspot.handled_by = actor
    hotspot.handled_at = now
    hotspot.reason = note
    hotspot.save(update_fields=["status", "merged_into", "handled_by", "handled_at", "reason", "updated_at"])
    audit.record(
        actor=actor,
        action="hotspot.merge",
        obj=hotspot,
        center_code=hotspot.county_code,
        data={"into": kept.number, "merged": [case.number for case in others]},
    )
    return hotspot


@transaction.atomic
def hotspot_dismiss(*, actor, hotspot: Hotspot, reason: str) -> Hotspot:
    """Not one matter after all: the hotspot is closed and its cases go on separately."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Say why the hotspot is dismissed."), field="reason")
    hotspot = _lock_open(actor, hotspot)
    hotspot.status = HotspotStatus.DISMISSED
    hotspot.handled_by = actor
    hotspot.handled_at = timezone.now()
    hotspot.reason = reason
    hotspot.save(update_fields=["status", "handled_by", "handled_at", "reason", "updated_at"])
    audit.record(
        actor=actor, action="hotspot.dismiss", obj=hotspot, center_code=hotspot.county_code, data={"reason": reason}
    )
    return hotspot


# --- What a user may see ----------------------------------------------------------------------------


def may_see_hotspots(user) -> bool:
    """Whether any hotspot can be in the user's reach: by the "cases.hotspot" policy, a case-view right
    at a county or above (a township's subtree holds no county code)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(len(root) <= 6 for root in access.roots(user, Action.CASE_VIEW))


def hotspot_list_visible(*, user):
    """Hotspots of the counties inside the subtrees where the user sees cases (a county's hotspot
    spans its townships, so a township's staff do not see it): the policy's "cases.hotspot" row."""
    return access.scope(user, Hotspot.objects.all(), Action.CASE_VIEW)


def hotspot_get_visible(*, user, hotspot_id) -> Hotspot | None:
    return hotspot_list_visible(user=user).filter(pk=hotspot_id).first()


def hotspot_cases(hotspot: Hotspot):
    return hotspot.cases.order_by("received_at", "pk").only(
        "pk", "number", "title", "channel", "received_at", "status", "center_code", "report_count"
    )

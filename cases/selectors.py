"""Reads on cases, always starting from the access policy."""

from collections.abc import Callable

from django.db.models import Count, F, Prefetch, Q, QuerySet

from cases.models import (
    Case,
    CaseEvent,
    Category,
    Deadline,
    Dispatch,
    DiversionRule,
    Handoff,
    HandoffEvent,
    Notification,
)
from govcenter import access
from govcenter.access import Action
from govcenter.paging import Branches


def case_list_visible(*, user) -> QuerySet[Case]:
    """The cases the user may see, with what a list row shows loaded in flat queries."""
    return access.scope(user, Case.objects.all(), Action.CASE_VIEW).select_related("category__parent", "center")


CASE_LIST_ORDER = ("-received_at", "-id")
# What a row of the case list shows (the API's CaseListSerializer, the page's table): the facts and
# the rest of a case stay in the database.
CASE_LIST_COLUMNS = (
    "id",
    "number",
    "status",
    "kind",
    "channel",
    "category",
    "center",
    "center_code",
    "title",
    "severity",
    "received_at",
    "next_stage",
    "next_due_at",
    "is_overdue",
    "version",
    "center__name",
    "category__code",
    "category__name",
    "category__name_en",
    "category__parent__name",
    "category__parent__name_en",
)


def case_list_rows(*, user, refine: Callable[[QuerySet], QuerySet] = lambda rows: rows) -> QuerySet | Branches:
    """The user's case list, newest first, narrowed by `refine` (the list's filters): a queryset
    when the scope is one index range, else `Branches`, one per range, merged page by page."""
    rows = Case.objects.select_related("category__parent", "center").only(*CASE_LIST_COLUMNS).order_by(*CASE_LIST_ORDER)
    terms = access.scope_terms(user, Case, Action.CASE_VIEW)
    if terms is None:
        return refine(rows)
    if len(terms) < 2:
        return refine(rows.filter(terms[0] if terms else Q(pk__in=[])))
    return Branches([refine(rows.filter(term)) for term in terms], terms, rows)


def case_get_visible(*, user, case_id) -> Case | None:
    """One case with its timeline, parties, deadlines and dispatches; None when out of scope."""
    return (
        access.scope(user, Case.objects.all(), Action.CASE_VIEW)
        .select_related("category__parent", "center", "origin_center", "created_by", "risk")
        .prefetch_related(
            "parties",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")),
            Prefetch("dispatches", queryset=Dispatch.objects.select_related("department").order_by("dispatched_at")),
            "attachments",
        )
        .filter(pk=case_id)
        .first()
    )


def case_by_receipt(*, receipt: str) -> Case | None:
    return Case.objects.select_related("category", "center").filter(receipt=receipt.strip().upper()).first()


def late_dispatches(*, user, now) -> QuerySet[Dispatch]:
    """Dispatches past their deadline without a result: who is late, for the handling centers."""
    cases = access.scope(user, Case.objects.all(), Action.CASE_DISPATCH)
    return (
        Dispatch.objects.filter(case__in=cases, status__in=["pending", "accepted"], due_at__lt=now)
        .select_related("department", "case")
        .order_by("due_at")
    )


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("group", "sort_order", "code")


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user).select_related("case")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def text_search_q(term: str) -> Q:
    term = term.strip()
    return Q(number__icontains=term) | Q(title__icontains=term) | Q(facts__icontains=term) | Q(place__icontains=term)


# --- Hand-offs (三调对接) ------------------------------------------------------------------------------


def handoff_list_visible(*, user) -> QuerySet[Handoff]:
    return access.scope(user, Handoff.objects.all(), Action.HANDOFF_VIEW).select_related("center", "case")


def handoff_get_visible(*, user, handoff_id) -> Handoff | None:
    return (
        handoff_list_visible(user=user)
        .prefetch_related(
            Prefetch("events", queryset=HandoffEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("case__events", queryset=CaseEvent.objects.order_by("at", "id")),
        )
        .filter(pk=handoff_id)
        .first()
    )


def _handoffs_in(user, source: str, start, end) -> QuerySet[Handoff]:
    rows = handoff_list_visible(user=user).filter(source=source)
    if start:
        rows = rows.filter(sent_at__date__gte=start)
    if end:
        rows = rows.filter(sent_at__date__lte=end)
    return rows


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


RESOLVED = Q(case__resolved_level__isnull=False)


def court_figures(*, user, start=None, end=None) -> dict:
    """诉调: pre-litigation cases the courts registered, the share diverted to centers (分流率), the
    share of those mediated successfully (成功率), returned to court, judicially confirmed; in all
    and per court (the sender's center) and per receiving center."""
    rows = _handoffs_in(user, Handoff.Source.COURT, start, end)

    def figures(group):
        totals = group.aggregate(
            sent=Count("pk"),
            diverted=Count("pk", filter=Q(case__isnull=False)),
            succeeded=Count("pk", filter=RESOLVED),
            returned=Count("pk", filter=Q(status=Handoff.State.RETURNED) | Q(filing_number__gt="")),
            confirmed=Count("pk", filter=Q(confirmation="confirmed")),
        )
        totals["diversion_rate"] = _share(totals["diverted"], totals["sent"])
        totals["success_rate"] = _share(totals["succeeded"], totals["diverted"])
        return totals

    def by(column):
        return [
            {column: row[column], **_rates(row)}
            for row in rows.values(column)
            .annotate(
                sent=Count("pk"),
                diverted=Count("pk", filter=Q(case__isnull=False)),
                succeeded=Count("pk", filter=RESOLVED),
                returned=Count("pk", filter=Q(status=Handoff.State.RETURNED) | Q(filing_number__gt="")),
                confirmed=Count("pk", filter=Q(confirmation="confirmed")),
            )
            .order_by(column)
        ]

    return {**figures(rows), "by_court": by("sender_code"), "by_center": by("center_code")}


def _rates(row: dict) -> dict:
    return {
        **{
            key: value
            for key, value in row.items()
            if key in ("sent", "diverted", "succeeded", "returned", "confirmed")
        },
        "diversion_rate": _share(row["diverted"], row["sent"]),
        "success_rate": _share(row["succeeded"], row["diverted"]),
    }


def police_figures(*, user, start=None, end=None) -> dict:
    """警调: dispute alerts the police pushed, and how many of their cases were resolved."""
    rows = _handoffs_in(user, Handoff.Source.POLICE, start, end)
    totals = rows.aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=~Q(status=Handoff.State.SENT)),
        resolved=Count("pk", filter=RESOLVED),
        repeated=Count("pk", filter=Q(case__report_count__gt=1)),
    )
    return {**totals, "resolved_rate": _share(totals["resolved"], totals["received"])}


def petition_figures(*, user, start=None, end=None) -> dict:
    """访调: petitions by category, handled on time (the resolve limit met), repeat petitions."""
    rows = _handoffs_in(user, Handoff.Source.PETITION, start, end)
    on_time = Q(
        case__deadlines__stage="resolve",
        case__deadlines__met_at__isnull=False,
        case__deadlines__met_at__lte=F("case__deadlines__due_at"),
    )
    by_category = (
        rows.values("petition_category")
        .annotate(
            total=Count("pk", distinct=True),
            on_time=Count("pk", filter=on_time, distinct=True),
            repeat=Count("pk", filter=Q(repeat_count__gt=0), distinct=True),
        )
        .order_by("petition_category")
    )
    categories = [{**row, "on_time_rate": _share(row["on_time"], row["total"])} for row in by_category]
    total = sum(row["total"] for row in categories)
    return {
        "total": total,
        "repeat": sum(row["repeat"] for row in categories),
        "on_time": sum(row["on_time"] for row in categories),
        "by_category": categories,
    }


def in_diversion_catalog(user, category: Category | None, center_code: str = "") -> bool:
    """Whether the court's pre-litigation catalog (诉前调解目录) lists this category or its parent type.
    The court is the user's court seat; without one (an administrator) the county of the center."""
    if category is None:
        return False
    courts = [seat.center_code for seat in access.seats(user) if seat.role == "court"]
    if not courts and center_code:
        courts = [center_code[:6]]
    categories = [category.pk, *([category.parent_id] if category.parent_id else [])]
    return DiversionRule.objects.filter(court_code__in=courts, category_id__in=categories).exists()

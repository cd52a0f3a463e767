"""Reads on cases, always starting from the access policy."""

from django.db.models import Prefetch, Q, QuerySet

from cases.models import Case, CaseEvent, Category, Deadline, Dispatch, Notification
from govcenter import access
from govcenter.access import Action


def case_list_visible(*, user) -> QuerySet[Case]:
    """The cases the user may see, with what a list row shows loaded in flat queries."""
    return access.scope(user, Case.objects.all(), Action.CASE_VIEW).select_related("category__parent", "center")


def case_get_visible(*, user, case_id) -> Case | None:
    """One case with its timeline, parties, deadlines and dispatches; None when out of scope."""
    return (
        access.scope(user, Case.objects.all(), Action.CASE_VIEW)
        .select_related("category__parent", "center", "origin_center", "created_by")
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

"""The cases panel of the home page: what is waiting for this user today."""

from urllib.parse import urlencode

from django.utils import timezone

from cases import selectors
from cases.models import OPEN_STATUSES, Status
from govcenter import access
from govcenter.access import Action
from govcenter.panels import Panel, register


@register
def work_today(request):
    user = request.user
    if not (user.is_superuser or access.seats(user)):
        return None
    visible = selectors.case_list_visible(user=user)
    open_cases = visible.filter(status__in=OPEN_STATUSES)
    context = {
        "open": open_cases.count(),
        "open_query": urlencode([("status", status) for status in Status.values if status in OPEN_STATUSES]),
        "overdue": open_cases.filter(is_overdue=True).count(),
        "review": visible.filter(review_required=True).count() if access.roots(user, Action.CASE_REOPEN) else None,
        "late_dispatches": selectors.late_dispatches(user=user, now=timezone.now()).count()
        if access.roots(user, Action.CASE_DISPATCH)
        else None,
        "unread": selectors.notifications_for(user=user, unread_only=True).count(),
    }
    return Panel("cases/_home_panel.html", context)

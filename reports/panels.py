"""The reports panel of the home page: for those who read dashboards, what is overdue in their
subtree now and the state of this month's red/black list."""

from datetime import timedelta

from django.utils import timezone

from cases.models import OPEN_STATUSES, Case
from govcenter import access
from govcenter.access import Action
from govcenter.divisions import subtree_q
from govcenter.models import Center
from govcenter.panels import Panel, register
from reports.models import RankingPublication
from reports.services import RANKING_LEVELS


@register
def reports_overview(request):
    user = request.user
    code = access.home_root(user, Action.REPORT_VIEW)
    if code is None:
        return None
    center = Center.objects.get(code=code)
    overdue = Case.objects.filter(subtree_q("center_code", center.code), is_overdue=True, status__in=OPEN_STATUSES)
    ranked_at = center if center.level in RANKING_LEVELS else None
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    published = RankingPublication.objects.filter(center=ranked_at, month=last_month).exists() if ranked_at else None
    context = {
        "center": center,
        "overdue": overdue.count(),
        "ranked_at": ranked_at,
        "last_month": last_month,
        "published": published,
        "may_publish": ranked_at is not None and access.can_at(user, Action.RANKING_MANAGE, center.code),
    }
    return Panel("reports/_home_panel.html", context)

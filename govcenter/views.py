"""Pages of the core: the home page and a center's page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from govcenter import access, panels, selectors
from govcenter.access import Action
from govcenter.workdays import YEAR_STATUS_LABELS, WorkCalendar, YearStatus


def _calendar_notices(today) -> list[dict]:
    """Years the deadlines now being set reach into, with how their holidays are known."""
    calendar = WorkCalendar.load(today.year, today.year + 1)
    notices = []
    for year in (today.year, today.year + 1):
        status = calendar.year_status(year)
        notices.append(
            {"year": year, "status": status, "label": YEAR_STATUS_LABELS[status], "warn": status == YearStatus.FALLBACK}
        )
    return notices


@login_required
def home(request):
    memberships = list(selectors.memberships_of(user=request.user))
    seats = [
        {
            "membership": membership,
            "duty": access.ROLE_DUTIES.get(membership.role, ""),
            "actions": [access.ACTION_LABELS[action] for action in access.actions_of_role(membership.role)],
        }
        for membership in memberships
    ]
    context = {
        "seats": seats,
        "calendar_notices": _calendar_notices(timezone.localdate()),
        "panels": panels.render_for(request),
    }
    return render(request, "govcenter/home.html", context)


@login_required
def center_detail(request, code: str):
    center = selectors.center_list_visible(user=request.user).select_related("parent").filter(code=code).first()
    if center is None:
        raise Http404
    children = selectors.center_list_visible(user=request.user).filter(parent_id=center.code).order_by("code")
    departments = selectors.department_list_visible(user=request.user).filter(center_code=center.code)
    may_see_members = access.can_at(request.user, Action.MEMBER_VIEW, center.code)
    members = (
        selectors.membership_list_visible(user=request.user).filter(center_code=center.code, is_active=True)
        if may_see_members
        else None
    )
    ancestors = selectors.center_list_visible(user=request.user).filter(code__in=center.ancestor_codes).order_by("code")
    context = {
        "center": center,
        "ancestors": ancestors,
        "children": children,
        "departments": departments,
        "members": members,
    }
    return render(request, "govcenter/center_detail.html", context)

"""Pages of the core: the home page, a center's page and the public check of a document's code."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govcenter import access, documents, panels, ratelimit, selectors
from govcenter.access import Action
from govcenter.models import group_code
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


# --- Checking a document's verification code (public) -------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=32,
        help_text=gettext_lazy("The 12 letters and digits printed at the foot of each page, e.g. 7KQ4-M2XP-9TRA."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = documents.normalise_code(self.cleaned_data["code"])
        if not documents.is_well_formed(code):
            raise forms.ValidationError(
                gettext_lazy("A code has 12 characters: the letters A–Z without I and O, and the digits 2–9.")
            )
        return code


@require_GET
def verify_form(request):
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("verify-document", code=form.cleaned_data["code"])
    return render(request, "govcenter/verify.html", {"state": "form", "form": form})


@never_cache  # a revocation must show at once, not after a proxy's copy expires
@require_GET
def verify_document(request, code: str):
    """Anyone holding a paper may check its code: what the document is and whether it stands."""
    if ratelimit.over_limit(request, "verify", settings.VERIFY_THROTTLE_RATE):
        return render(request, "govcenter/verify.html", {"state": "throttled"}, status=429)
    found = documents.verify(code)
    if found is None:
        context = {"state": "unknown", "code": group_code(documents.normalise_code(code)[:32]), "form": VerifyForm()}
        return render(request, "govcenter/verify.html", context, status=404)
    state = "revoked" if found["is_revoked"] else "genuine"
    return render(request, "govcenter/verify.html", {"state": state, "document": found})

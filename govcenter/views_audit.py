"""The audit log as a page, for the auditors and directors who may read it (Action.AUDIT_VIEW):
who did what, when and from where, newest first, filtered by area and person, in pages."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from govcenter import access
from govcenter.access import Action
from govcenter.models import AuditEvent
from govcenter.paging import FastPaginator

PAGE_SIZE = 50

# The first part of an event's action code names its area ("export.fetch" → exports).
AREAS = {
    "auth": _("Sign-ins"),
    "case": _("Cases"),
    "handoff": _("Hand-offs"),
    "mediation": _("Mediation"),
    "grid": _("Grids"),
    "police_grid": _("Police grids"),
    "visit": _("Patrol visits"),
    "risk_warning": _("Risk warnings"),
    "hotspot": _("Hotspots"),
    "report": _("Reports"),
    "ranking": _("Red/black list"),
    "export": _("Exports"),
    "document": _("Issued documents"),
    "member": _("Staff"),
    "center": _("Centers"),
    "department": _("Departments"),
    "calendar": _("Working-day calendar"),
}

# What the auditor most often looks for, said in words; other events show their area and code.
ACTION_LABELS = {
    "export.start": _("Export started"),
    "export.done": _("Export made"),
    "export.fail": _("Export failed"),
    "export.fetch": _("Export downloaded"),
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Failed sign-in"),
    "case.create": _("Case recorded"),
    "case.import": _("Case imported from the former system"),
    "case.pii_view": _("Personal data viewed"),
    "ranking.publish": _("Red/black list published"),
}


class AuditFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False, choices=[("", _("All areas")), *AREAS.items()])
    actor = forms.CharField(
        label=_("User name"), required=False, max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


def _filtered(events, form: AuditFilterForm):
    if not form.is_valid():
        return events
    if area := form.cleaned_data["area"]:
        events = events.filter(action__startswith=f"{area}.")
    if actor := form.cleaned_data["actor"].strip():
        events = events.filter(actor_name=actor)
    return events


def _row(event: AuditEvent) -> dict:
    area = event.action.split(".", 1)[0]
    return {
        "event": event,
        "area": AREAS.get(area, ""),
        "label": ACTION_LABELS.get(event.action, ""),
        # An export's file name says what left the portal.
        "detail": event.data.get("filename") or event.data.get("number") or "",
    }


@login_required
@require_GET
def audit_log(request):
    if not access.has_action_anywhere(request.user, Action.AUDIT_VIEW):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    events = access.scope(request.user, AuditEvent.objects.order_by("-id"), Action.AUDIT_VIEW)
    page = FastPaginator(_filtered(events, form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": [_row(e) for e in page], "querystring": query.urlencode()}
    return render(request, "govcenter/audit_log.html", context)

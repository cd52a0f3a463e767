"""Pages of hotspots: the list and one hotspot with its merge and dismiss forms. Thin: reads come from
the selectors in `services`, writes go through the API's `run_hotspot_verb`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from cases.hotspots import api, services
from cases.hotspots.models import HotspotStatus
from cases.views_handoffs import error_lines
from govcenter import access
from govcenter.access import Action
from govcenter.errors import DomainError
from govcenter.http import see_other

PAGE_SIZE = 25


@login_required
def hotspot_list(request):
    status = request.GET.get("status", HotspotStatus.OPEN)
    rows = api.with_cases(services.hotspot_list_visible(user=request.user)).order_by("-window_end", "-id")
    if status in HotspotStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": HotspotStatus.choices}
    return render(request, "cases/hotspot_list.html", context)


@login_required
def hotspot_detail(request, hotspot_id: int):
    hotspot = api.with_cases(services.hotspot_list_visible(user=request.user)).filter(pk=hotspot_id).first()
    if hotspot is None:
        raise Http404
    cases = list(hotspot.cases.all())
    context = {
        "hotspot": hotspot,
        "cases": cases,
        "open_cases": [case for case in cases if case.is_open],
        "may_handle": hotspot.is_open and access.can_at(request.user, Action.CASE_DISPATCH, hotspot.county_code),
        "channels": [api.CHANNEL_LABELS.get(code, code) for code in hotspot.channels],
    }
    return render(request, "cases/hotspot_detail.html", context)


@login_required
@require_POST
def hotspot_verb(request, hotspot_id: int, verb: str):
    if verb not in ("merge", "dismiss"):
        raise Http404
    hotspot = services.hotspot_get_visible(user=request.user, hotspot_id=hotspot_id)
    if hotspot is None:
        raise Http404
    try:
        api.run_hotspot_verb(verb, actor=request.user, hotspot=hotspot, data=request.POST)
    except (ApiValidationError, DomainError) as error:
        for line in error_lines(error):
            messages.error(request, line)
    else:
        label = _("Merged into one case") if verb == "merge" else _("Dismissed")
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return see_other(reverse("hotspot-detail", args=[hotspot_id]))

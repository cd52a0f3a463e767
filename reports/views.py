"""Pages of reports: the dashboard of a center's subtree (a command post at county level), the
red/black list with its preview, publication and scheme."""

import re
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Handoff
from govcenter import access
from govcenter.access import Action
from govcenter.divisions import Level
from govcenter.errors import DomainError
from govcenter.http import FIGURES_MAX_AGE, private_cache, see_other
from govcenter.models import Center
from reports import api as report_api
from reports import ranking, selectors, services
from reports.models import Area, RankingPublication


def _home_center(user, action: Action = Action.REPORT_VIEW) -> Center:
    """The highest center where the user may see reports: where their dashboard opens."""
    if user.is_superuser:
        return Center.objects.filter(level=Level.PROVINCE).order_by("code").first() or Center.objects.first()
    code = access.home_root(user, action)
    if code is None:
        raise Http404
    return Center.objects.get(code=code)


def _center(request, action: Action = Action.REPORT_VIEW) -> Center:
    code = request.GET.get("center") or request.POST.get("center")
    if not code:
        return _home_center(request.user, action)
    try:
        return report_api.center_in_reach(request.user, code, action)
    except DomainError as error:
        raise Http404 from error


def _chart_data(board: selectors.Dashboard) -> dict:
    return {
        "trend": {"labels": [f.label for f in board.trend], "values": [f.value for f in board.trend]},
        "channels": {"labels": [f.label for f in board.by_channel], "values": [f.value for f in board.by_channel]},
        "categories": {
            "labels": [f.label for f in board.by_category[:10]],
            "values": [f.value for f in board.by_category[:10]],
        },
    }


@login_required
def dashboard(request):
    center = _center(request)
    errors = []
    try:
        period = report_api.parse_period(request.GET)
    except DomainError as error:
        errors.append(str(error.message))
        period = report_api.parse_period({})
    board = selectors.dashboard(center, period)
    overdue = {f.key.split(".", 1)[1]: f for f in board.overdue_by_status}
    context = {
        "board": board,
        "errors": errors,
        "status_rows": [(f, overdue.get(f.key.split(".", 1)[1])) for f in board.open_by_status],
        "chart_data": _chart_data(board),
        "ancestors": Center.objects.filter(code__in=center.ancestor_codes).order_by("code"),
        "may_rank": center.level in services.RANKING_LEVELS,
        "export_params": {"center": center.code, "from": period.start.isoformat(), "to": period.end.isoformat()},
        "export_kinds": [
            ("dashboard_pdf", _("Export the report (PDF)")),
            ("dashboard_xlsx", _("Export the tables (Excel)")),
        ],
        "channel_blocks": [
            (_("Pre-litigation transfers from the court"), board.diversion),
            (_("110 dispute alerts"), board.police),
            (_("Petitions"), board.petitions),
        ],
        "handoff_blocks": [(label, board.handoffs[source]) for source, label in Handoff.Source.choices],
    }
    return private_cache(render(request, "reports/dashboard.html", context), FIGURES_MAX_AGE)


def _month(request) -> tuple[date, list[str]]:
    try:
        month = report_api.parse_month(request.GET.get("month"))
        services.check_month(month, complete=False)
        return month, []
    except DomainError as error:
        return report_api.parse_month(None), [str(error.message)]


@login_required
def ranking_page(request):
    center = _center(request)
    if center.level not in services.RANKING_LEVELS:
        # A township has no list of its own: show the county's, where the township is ranked.
        county = center.code[:6] if center.level > Level.COUNTY else None
        if county and access.can_at(request.user, Action.REPORT_VIEW, county):
            return see_other(f"{reverse('report-ranking')}?center={county}")
        raise Http404
    month, errors = _month(request)
    payload = report_api.ranking_payload(center, month)
    rows = [{**row, "area_list": [row["area_scores"].get(area) for area in Area.values]} for row in payload["results"]]
    this_month = timezone.localdate().replace(day=1)
    context = {
        "center": center,
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "errors": errors,
        "payload": payload,
        "rows": rows,
        "areas": Area.choices,
        "indicators": [i for i in payload["indicators"] if i["weight"]],
        "may_manage": access.can_at(request.user, Action.RANKING_MANAGE, center.code),
        "may_publish": not payload["published"] and month < this_month,
        "published_months": RankingPublication.objects.filter(center=center).order_by("-month")[:24],
        "previous_month": (month - timedelta(days=1)).replace(day=1),
        "next_month": (month + timedelta(days=32)).replace(day=1) if month < this_month else None,
        "export_params": {"center": center.code, "month": f"{month:%Y-%m}"},
        "export_kinds": [
            ("ranking_pdf", _("Export the list (PDF)")),
            ("ranking_xlsx", _("Export the list (Excel)")),
        ],
    }
    return render(request, "reports/ranking.html", context)


@login_required
@require_POST
def ranking_publish(request):
    center = _center(request, Action.REPORT_VIEW)
    try:
        month = report_api.parse_month(request.POST.get("month"))
        services.publish(actor=request.user, center=center, month=month)
    except DomainError as error:
        messages.error(request, str(error.message))
        return see_other(f"{reverse('report-ranking')}?center={center.code}&month={request.POST.get('month', '')}")
    messages.success(request, _("The red/black list of %(month)s is published.") % {"month": f"{month:%Y-%m}"})
    return see_other(f"{reverse('report-ranking')}?center={center.code}&month={month:%Y-%m}")


@login_required
@require_http_methods(["GET", "POST"])
def ranking_scheme(request):
    center = _center(request, Action.RANKING_MANAGE)
    if center.level not in services.RANKING_LEVELS:
        raise Http404
    scheme = ranking.scheme_for(center)
    values = {code: str(scheme.weights.get(code, 0)) for code in ranking.BY_CODE}
    cutoffs = {"red_cutoff": str(scheme.red_cutoff), "black_cutoff": str(scheme.black_cutoff)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {code: request.POST.get(f"weight_{code}", "0").strip() for code in ranking.BY_CODE}
        cutoffs = {name: request.POST.get(name, "").strip() for name in cutoffs}
        weights = {}
        for code, value in values.items():
            if not re.fullmatch(r"[0-9]{1,3}", value):
                errors["weights"] = _("Each weight is a whole number from 0 to 100.")
            else:
                weights[code] = int(value)
        if not errors:
            try:
                services.scheme_set(actor=request.user, center=center, weights=weights, **cutoffs)
            except DomainError as error:
                errors[error.field or "weights"] = str(error.message)
            else:
                messages.success(request, _("The weights and cut-offs are saved."))
                return see_other(f"{reverse('report-ranking')}?center={center.code}")
    rows = [
        {
            "code": i.code,
            "area": Area(i.area).label,
            "label": i.label,
            "lower": i.lower_is_better,
            "value": values[i.code],
        }
        for i in ranking.INDICATORS
    ]
    total = sum(int(v) for v in values.values() if re.fullmatch(r"[0-9]{1,3}", v))
    context = {"center": center, "rows": rows, "cutoffs": cutoffs, "errors": errors, "total": total}
    return render(request, "reports/ranking_scheme.html", context, status=400 if errors else 200)

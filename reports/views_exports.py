"""Pages of exports: "my exports" with a progress bar that refreshes itself (htmx; without JavaScript
the page reloads itself while a job runs), the start used by buttons on other pages (a case's
dossier, the dossiers of the case list's filter), and the download of a finished file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.models import Channel, Kind, Status
from cases.selectors import case_list_visible
from govcenter.errors import DomainError
from govcenter.http import see_other
from reports import exports
from reports.api_exports import file_response
from reports.models import ExportJob

PAGE_SIZE = 25
# Seconds between two refreshes of the list while a job is queued or running.
REFRESH_SECONDS = 2
# Form fields that are not parameters of the export.
NOT_PARAMS = {"csrfmiddlewaretoken", "kind", "next", "page"}
ACTIVE = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
# Parameters of the report exports, which the case list's filters (cases.views.FIELD_LABELS) lack.
REPORT_PARAM_LABELS = {"month": gettext_lazy("Month"), "from": gettext_lazy("From"), "to": gettext_lazy("To")}
# Values shown by their label in the list of exports.
VALUE_LABELS = {"status": dict(Status.choices), "channel": dict(Channel.choices), "kind": dict(Kind.choices)}


def _describe(params: dict, case_numbers: dict[int, str]) -> str:
    """The parameters in a line for the list, e.g. "案件 620102-2026-000012" or "状态 已受理 · 中心区划代码 620102"."""
    from cases.views import FIELD_LABELS

    parts = []
    for key, value in params.items():
        values = value if isinstance(value, list) else [value]
        if key == "case":
            label, shown = _("Case"), [case_numbers.get(v, f"#{v}") for v in values]
        else:
            choices = VALUE_LABELS.get(key, {})
            label = FIELD_LABELS.get(key) or REPORT_PARAM_LABELS.get(key, key)
            shown = [str(choices.get(v, v)) if isinstance(v, str) else str(v) for v in values]
        parts.append(f"{label} {'、'.join(map(str, shown))}")
    return " · ".join(parts)


def _case_numbers(user, jobs) -> dict[int, str]:
    """The numbers of the cases whose dossiers are on the page, in one query (those still visible)."""
    ids = {job.params.get("case") for job in jobs if job.kind == "case_dossier"} - {None}
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return dict(case_list_visible(user=user).filter(pk__in=ids).values_list("pk", "number"))


@login_required
@require_GET
def export_list(request):
    page = Paginator(exports.jobs_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    numbers = _case_numbers(request.user, page)
    rows = [
        {
            "job": job,
            "label": exports.kind_label(job.kind),
            "params": _describe(job.params, numbers),
            "expired": exports.is_expired(job),
            "active": job.status in ACTIVE,
        }
        for job in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "active": any(row["active"] for row in rows),
        "refresh_seconds": REFRESH_SECONDS,
    }
    partial = request.htmx and not request.htmx.boosted
    response = render(request, "reports/exports_table.html" if partial else "reports/exports.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _params_from_form(data) -> dict:
    """The export's parameters from a posted form: one value as text, several as a list."""
    params = {}
    for key in data:
        if key in NOT_PARAMS:
            continue
        values = [value for value in data.getlist(key) if value.strip()]
        if values:
            params[key] = values[0] if len(values) == 1 else values
    return params


def _back(request) -> str:
    for url in (request.POST.get("next", ""), request.headers.get("referer", "")):
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
            return url
    return reverse("export-list")


def _error_text(error: DomainError) -> str:
    from cases.views import FIELD_LABELS

    label = FIELD_LABELS.get(error.field) if error.field not in (None, "kind", "params") else None
    return f"{label}: {error.message}" if label else str(error.message)


@login_required
@require_POST
def export_start(request):
    try:
        job = exports.start(
            owner=request.user, kind=request.POST.get("kind", ""), params=_params_from_form(request.POST)
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
        return see_other(_back(request))
    messages.success(
        request,
        _("The export “%(label)s” has started; download it below when it is done.")
        % {"label": exports.kind_label(job.kind)},
    )
    return see_other(reverse("export-list"))


@login_required
@require_GET
def export_download(request, job_id: int):
    job = exports.job_of(request.user, job_id)
    try:
        handle = exports.fetch(job, request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return see_other(reverse("export-list"))
    return file_response(job, handle)

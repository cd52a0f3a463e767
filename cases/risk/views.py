"""Pages of risk warnings (命案风险预警): the list, one warning with why it fired, its visits and
measures, and the home panel. Thin: reads are the selectors of `cases.risk.warnings`, writes go
through the API's serializers into the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from cases.risk import api, warnings
from cases.risk.models import RiskLevel, RiskMeasure, WarningStatus, WarningTask
from cases.views import PAGE_SIZE, _filter_params
from cases.views_handoffs import _lines, error_lines
from govcenter import access
from govcenter.access import Action
from govcenter.errors import DomainError
from govcenter.http import see_other
from govcenter.panels import Panel, register

# The look of each level: the red, orange and yellow tags of the portal.
LEVEL_TAGS = {RiskLevel.RED: "bad", RiskLevel.ORANGE: "warn", RiskLevel.YELLOW: "status-received"}

VERB_LABELS = {
    "measure": gettext_lazy("Record a measure"),
    "close": gettext_lazy("Close the warning"),
    "done": gettext_lazy("Visited"),
}


def _decorate(warning) -> None:
    warning.level_tag = LEVEL_TAGS.get(warning.level, "")
    warning.overdue = bool(getattr(warning, "has_overdue", False)) and warning.status == WarningStatus.OPEN


# --- The list -------------------------------------------------------------------------------------


@login_required
def warning_list(request):
    user = request.user
    if not warnings.may_see_warnings(user):
        raise Http404
    params = _filter_params(request.GET)
    if "status" not in request.GET:
        params["status"] = WarningStatus.OPEN  # what needs attention, unless asked otherwise
    visible = warnings.warning_list_visible(user=user).order_by("-raised_at", "-id")
    filterset = api.RiskWarningFilter(params, queryset=visible)
    errors: list[str] = []
    if filterset.is_valid():
        try:
            rows = filterset.qs.prefetch_related("tasks")
        except (ApiValidationError, DomainError) as error:
            errors, rows = error_lines(error), visible.none()
    else:
        errors, rows = _lines(filterset.errors), visible.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for warning in page:
        _decorate(warning)
        warning.open_tasks = [t for t in warning.tasks.all() if t.done_at is None]
        warning.late_tasks = [t for t in warning.open_tasks if t.due_at < now]
    context = {
        "page": page,
        "errors": errors,
        "params": params,
        "querystring": params.urlencode(),
        "levels": [(value, label) for value, label in RiskLevel.choices if value][::-1],
        "statuses": WarningStatus.choices,
    }
    partial = request.htmx and not request.htmx.boosted
    response = render(request, "cases/risk_table.html" if partial else "cases/risk_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- One warning ----------------------------------------------------------------------------------


@login_required
def warning_detail(request, warning_id: int):
    user = request.user
    warning = warnings.warning_get_visible(user=user, warning_id=warning_id)
    if warning is None:
        raise Http404
    now = timezone.now()
    _decorate(warning)
    is_open = warning.status == WarningStatus.OPEN
    may_handle = is_open and access.can(user, Action.WARNING_HANDLE, warning)
    tasks = list(warning.tasks.all())
    party = any(warnings._is_task_party(user, task) for task in tasks)
    for task in tasks:
        task.overdue = task.done_at is None and task.due_at < now
        task.may_do = is_open and task.done_at is None and (may_handle or warnings._is_task_party(user, task))
    context = {
        "warning": warning,
        "case": warning.case,
        "case_visible": access.can(user, Action.CASE_VIEW, warning.case),
        "tasks": tasks,
        "measures": list(warning.measures.all()),
        "may_measure": is_open and (may_handle or party),
        "may_close": may_handle,
        "measure_kinds": RiskMeasure.Kind.choices,
        "threshold": RiskLevel(warnings.threshold()).label,
    }
    return render(request, "cases/risk_detail.html", context)


def _run(request, call, label) -> None:
    try:
        call()
    except (ApiValidationError, DomainError, DjangoValidationError, IntegrityError) as error:
        for line in error_lines(error):
            messages.error(request, line)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": label})


@login_required
@require_POST
def warning_verb(request, warning_id: int, verb: str):
    if verb not in api.WARNING_VERBS:
        raise Http404
    warning = warnings.warning_list_visible(user=request.user).filter(pk=warning_id).first()
    if warning is None:
        raise Http404
    _run(
        request,
        lambda: api.run_warning_verb(verb, actor=request.user, warning=warning, data=request.POST),
        VERB_LABELS[verb],
    )
    return see_other(reverse("warning-detail", args=[warning.pk]))


@login_required
@require_POST
def warning_task_done(request, warning_id: int, task_id: int):
    warning = warnings.warning_list_visible(user=request.user).filter(pk=warning_id).first()
    task = WarningTask.objects.filter(pk=task_id, warning_id=warning_id).first() if warning else None
    if task is None:
        raise Http404
    _run(request, lambda: api.run_task_done(actor=request.user, task=task, data=request.POST), VERB_LABELS["done"])
    return see_other(reverse("warning-detail", args=[warning_id]))


# --- The home panel -------------------------------------------------------------------------------


@register
def risk_warnings_panel(request):
    user = request.user
    if not warnings.may_see_warnings(user):
        return None
    figures = warnings.warning_figures(user=user)
    levels = [(level, label, count, LEVEL_TAGS[level]) for level, label, count in figures["levels"]]
    return Panel("cases/risk_panel.html", {"levels": levels, "open": figures["open"], "overdue": figures["overdue"]})

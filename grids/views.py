"""Pages of grids: the grid worker's phone page and visit form, reporting a finding, a township's (or
county's) grids with coverage and the monthly assessment, one grid with its workers and history, the
visit list. Thin, like cases/views.py and mediation/views.py: reads are the selectors of
grids/selectors.py, writes the services of grids/services.py, and every right is asked of
govcenter.access (out of scope: 404; in scope but not allowed: 403)."""

import mimetypes
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcenter import access, audit
from govcenter import selectors as core_selectors
from govcenter.access import Action
from govcenter.divisions import PREFIX_LENGTHS, Level, subtree_q
from govcenter.errors import DomainError
from govcenter.http import see_other
from govcenter.models import Center, Role
from govcenter.periods import month_bounds
from grids import forms, hooks, selectors, services
from grids.models import AssessmentPolicy, AuxiliaryOfficer, Duty, Finding, Grid, GridAssignment, GridKind

GRIDS_PER_PAGE = 50
VISITS_PER_PAGE = 25
RECENT_VISITS = 20
# The worker page lists this many tasks of each kind; the visit list has the rest.
TASKS_SHOWN = 50
# Police grids listed on a center's page (a county has a few dozen).
POLICE_GRIDS_SHOWN = 200

# Where the errors of the case a finding becomes belong on the visit form and on the report form.
VISIT_ERROR_FIELDS = {"title": "report_title", "parties": "phone"}
REPORT_ERROR_FIELDS = {"parties": "phone"}


# --- Helpers --------------------------------------------------------------------------------------


def _put_error(form, error: DomainError, renames: dict | None = None) -> list[dict]:
    """A refusal next to the field it is about, else at the top of the form; returns the open cases
    of the same person when that is why the case was refused (the cases app's duplicate check)."""
    duplicates = error.extra.get("duplicates") or []
    name = (renames or {}).get(error.field, error.field)
    if not duplicates and name and name in form.fields:
        form.add_error(name, str(error.message))
    else:
        form.add_error(None, str(error.message))
    return duplicates


def _visible_grid(request, code: str) -> Grid:
    grid = selectors.grid_list_visible(user=request.user).filter(code=code).first()
    if grid is None:
        raise Http404
    return grid


def _grid_center(request, code: str) -> Center:
    """A center whose grids the user may see, else 404."""
    center = Center.objects.filter(code=code).first()
    if center is None or not access.can_at(request.user, Action.GRID_VIEW, center.code):
        raise Http404
    return center


def _may_manage(user, center_code: str) -> bool:
    return access.can_at(user, Action.GRID_MANAGE, center_code)


def _walks(user, grid: Grid) -> bool:
    """Whether the user is on the grid now (the workers come prefetched with the grid)."""
    return grid.is_active and any(a.worker_id == user.pk for a in grid.current_assignments)


def _is_grid_worker(user) -> bool:
    return any(seat.role == Role.GRID_WORKER for seat in access.seats(user))


def _may_report(user, visit) -> bool:
    """Whether to offer reporting the visit's finding: its worker or the center's staff (the rule of
    services.visit_report), while it is not a case yet."""
    if visit.finding == Finding.NOTHING or getattr(visit, "case", None) is not None:
        return False
    return visit.worker_id == user.pk or access.can_at(user, Action.CASE_CREATE, visit.center_code)


def _duty_labels(duties) -> list[str]:
    return [Duty(duty).label if duty in Duty.values else duty for duty in duties]


def _safe_next(request, url: str, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return default


def _querystring(query, *drop: str) -> str:
    params = query.copy()
    for name in (*drop, "page"):
        params.pop(name, None)
    for key in list(params):
        if not any(value.strip() for value in params.getlist(key)):
            del params[key]
    return params.urlencode()


def _month_start():
    return month_bounds(timezone.localdate())[0]


def _unit_level(center: Center) -> Level:
    """The level of the rows of a center's coverage table: one level down (a village's is its own)."""
    return Level(PREFIX_LENGTHS.index(selectors.unit_length(center.code)) + 1)


# --- The grid worker ------------------------------------------------------------------------------


@login_required
def grids_home(request):
    """Where the "Grids" link leads: the grid page of the user's center, or their own grids."""
    user = request.user
    code = access.home_root(user, Action.GRID_VIEW)
    if code is not None:
        return redirect("grids-center", code=code)
    if user.is_superuser:
        province = Center.objects.filter(level=Level.PROVINCE).order_by("code").first()
        if province is not None:
            return redirect("grids-center", code=province.code)
    return redirect("grids-mine")


@login_required
def mine(request):
    """The grid worker's phone page: the grids they walk, what waits for them, their last visits."""
    user = request.user
    assignments = list(selectors.my_assignments(user=user))
    my_visits = selectors.visit_list_visible(user=user).filter(worker_id=user.pk)
    this_month = dict(
        my_visits.filter(visited_at__gte=_month_start(), grid_id__in=[a.grid_id for a in assignments])
        .values("grid_id")
        .order_by()
        .annotate(n=Count("id"))
        .values_list("grid_id", "n")
    )
    grids = [
        {
            "assignment": assignment,
            "grid": assignment.grid,
            "duties": _duty_labels(assignment.grid.duties),
            "visits_this_month": this_month.get(assignment.grid_id, 0),
        }
        for assignment in assignments
    ]
    unreported = list(
        my_visits.exclude(finding=Finding.NOTHING)
        .filter(case__isnull=True)
        .order_by("-visited_at", "-id")[: TASKS_SHOWN + 1]
    )
    # The cases the worker's findings became, until the center closes them; their status is read
    # through the visit (grids may not import cases).
    reported = list(
        my_visits.filter(case__isnull=False, case__closed_at__isnull=True)
        .select_related("case")
        .order_by("-visited_at", "-id")[:TASKS_SHOWN]
    )
    recent = list(my_visits.select_related("case").order_by("-visited_at", "-id")[:RECENT_VISITS])
    # Every open case of the grids the worker walks (a walk-in or a hotline call from their grid too),
    # from the cases app through its hook: grids may not import cases.
    grid_cases = hooks.grid_cases(user=user, grid_ids=[a.grid_id for a in assignments], limit=TASKS_SHOWN)
    context = {
        "grid_cases": grid_cases,
        "grids": grids,
        "unreported": unreported[:TASKS_SHOWN],
        "unreported_more": len(unreported) > TASKS_SHOWN,
        "reported": reported,
        "recent": recent,
        "is_worker": _is_grid_worker(user),
        "may_view_grids": access.has_action_anywhere(user, Action.GRID_VIEW),
    }
    return render(request, "grids/mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, code: str):
    """Log a patrol visit in one of the user's grids, and report its finding as a case at once."""
    grid = _visible_grid(request, code)
    if not _walks(request.user, grid):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.VisitForm(data, request.FILES if data is not None else None)
    duplicates = []
    if data is not None and form.is_valid():
        try:
            visit = services.visit_log(
                actor=request.user, grid=grid, report=form.finding_report(), **form.visit_fields()
            )
        except DomainError as error:
            duplicates = _put_error(form, error, VISIT_ERROR_FIELDS)
        else:
            case = getattr(visit, "case", None)
            if case is not None:
                messages.success(
                    request,
                    _("The visit was recorded and reported as case %(number)s.") % {"number": case.number},
                )
            else:
                messages.success(request, _("The visit was recorded."))
            return see_other(reverse("grids-mine"))
    context = {
        "grid": grid,
        "form": form,
        "duplicates": duplicates,
        "show_force_new": bool(duplicates) or (form.is_bound and form["force_new"].value()),
        # A browser cannot put a chosen file back into the form it shows again.
        "photo_dropped": data is not None and bool(request.FILES.get("photo")),
    }
    return render(request, "grids/visit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_report(request, visit_id: int):
    """Report an earlier visit's finding as a case (a button on the worker page and the visit list
    posts here; a refusal, such as an open case of the same person, shows this page's form)."""
    visit = selectors.visit_list_visible(user=request.user).select_related("case").filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    default_next = reverse("grids-mine") if visit.worker_id == request.user.pk else reverse("grids-visits")
    existing = getattr(visit, "case", None)
    if existing is not None:
        messages.info(request, _("This finding is already case %(number)s.") % {"number": existing.number})
        return see_other(reverse("case-detail", args=[existing.pk]))
    if not (visit.worker_id == request.user.pk or access.can_at(request.user, Action.CASE_CREATE, visit.center_code)):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.ReportForm(data, initial={"person": visit.person, "next": request.GET.get("next", "")})
    duplicates = []
    if data is not None and form.is_valid():
        try:
            case = services.visit_report(actor=request.user, visit=visit, report=form.finding_report(visit))
        except DomainError as error:
            duplicates = _put_error(form, error, REPORT_ERROR_FIELDS)
        else:
            messages.success(request, _("The finding was reported as case %(number)s.") % {"number": case.number})
            return see_other(_safe_next(request, form.cleaned_data["next"], default_next))
    context = {
        "visit": visit,
        "form": form,
        "duplicates": duplicates,
        "show_force_new": bool(duplicates) or (form.is_bound and form["force_new"].value()),
        "back": _safe_next(request, form["next"].value() or "", default_next),
    }
    return render(request, "grids/visit_report.html", context)


# --- The visit list -------------------------------------------------------------------------------


def _filter_visits(visits, data: dict):
    if data["grid"]:
        value = data["grid"].strip()
        visits = visits.filter(Q(grid__code=value) | Q(grid__name__icontains=value))
    if data["finding"]:
        visits = visits.filter(finding=data["finding"])
    if data["found"]:
        visits = visits.exclude(finding=Finding.NOTHING)
    zone = timezone.get_current_timezone()
    if data["after"]:
        visits = visits.filter(visited_at__gte=datetime.combine(data["after"], time.min, tzinfo=zone))
    if data["before"]:
        following = data["before"] + timedelta(days=1)
        visits = visits.filter(visited_at__lt=datetime.combine(following, time.min, tzinfo=zone))
    if data["under"]:
        visits = visits.filter(subtree_q("center_code", data["under"]))
    return visits


@login_required
@require_GET
def visit_list(request):
    user = request.user
    visits = selectors.visit_list_visible(user=user).select_related("case").order_by("-visited_at", "-id")
    bound = any(value.strip() for key in request.GET if key != "page" for value in request.GET.getlist(key))
    form = forms.VisitFilterForm(request.GET if bound else None)
    if bound:
        visits = _filter_visits(visits, form.cleaned_data) if form.is_valid() else visits.none()
    page = Paginator(visits, VISITS_PER_PAGE).get_page(request.GET.get("page"))
    for visit in page:
        visit.may_report = _may_report(user, visit)
    context = {"form": form, "page": page, "querystring": _querystring(request.GET)}
    return render(request, "grids/visit_list.html", context)


@login_required
@require_GET
def visit_photo(request, visit_id: int):
    """A visit's photo, to whoever may see the visit (out of scope: 404)."""
    visit = selectors.visit_list_visible(user=request.user).filter(pk=visit_id).first()
    if visit is None or not visit.photo:
        raise Http404
    try:
        handle = visit.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit.record(actor=request.user, action="visit.photo_view", obj=visit, center_code=visit.center_code)
    content_type = mimetypes.guess_type(visit.photo.name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)


# --- A center's grids -----------------------------------------------------------------------------


def _filter_grids(grids, data: dict):
    if data["unit"]:
        grids = grids.filter(subtree_q("center_code", data["unit"]))
    if data["kind"]:
        grids = grids.filter(kind=data["kind"])
    if data["flagged"]:
        grids = grids.exclude(size_flag="")
    if data["unstaffed"]:
        grids = grids.exclude(pk__in=GridAssignment.objects.filter(ended_at__isnull=True).values("grid_id"))
    return grids


def _police_grids(user, center: Center):
    """The police grids over the center's grids, with their auxiliary officers (on a village's page,
    its township's, as far as the user may see them); none above a county, where the list would run
    to thousands."""
    if center.level < Level.COUNTY:
        return None
    rows = selectors.police_grid_list_visible(user=user).filter(is_active=True)
    if center.level == Level.VILLAGE:
        rows = rows.filter(center_code=center.code[:9])
    else:
        rows = rows.filter(subtree_q("center_code", center.code))
    auxiliaries = AuxiliaryOfficer.objects.filter(is_active=True).select_related("village").order_by("village_code")
    rows = rows.prefetch_related(Prefetch("auxiliaries", queryset=auxiliaries, to_attr="active_auxiliaries"))
    return list(rows.order_by("center_code", "name")[:POLICE_GRIDS_SHOWN])


def _county_policy(center: Center) -> AssessmentPolicy | None:
    if len(center.code) < 6:
        return None
    county = center.code[:6]
    return selectors.weights_for(
        county, {p.center_code: p for p in AssessmentPolicy.objects.filter(center_code=county)}
    )


@login_required
@require_GET
def center_grids(request, code: str):
    """A township's (or county's) grids: coverage per unit, the grids, the police grids and the
    month's assessment of its grid workers."""
    user = request.user
    center = _grid_center(request, code)
    figures = selectors.coverage(center)
    units = [(row.code, row.name) for row in figures.rows]
    bound = any(name in request.GET for name in ("unit", "kind", "flagged", "unstaffed"))
    filters = forms.GridFilterForm(request.GET if bound else None, units=units)
    grids = (
        selectors.grid_list_visible(user=user)
        .filter(subtree_q("center_code", center.code), is_active=True)
        .order_by("code")
    )
    if bound:
        grids = _filter_grids(grids, filters.cleaned_data) if filters.is_valid() else grids.none()
    page = Paginator(grids, GRIDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"grid": grid, "duties": _duty_labels(grid.duties)} for grid in page]
    month_form = forms.MonthForm(request.GET)
    month = month_form.chosen_month()
    # The assessment is the workers' record (for those who see their visits); above a county it would
    # load every assignment of thousands of grids: pick a county.
    may_assess = access.can_at(user, Action.VISIT_VIEW, center.code)
    assessment = selectors.assessment(center, month) if may_assess and center.level >= Level.COUNTY else None
    may_manage = _may_manage(user, center.code)
    # Police grids belong to townships: a village's page shows (and links to) its township's.
    police_township = center.code[:9] if center.level >= Level.TOWNSHIP else None
    may_manage_police = center.level >= Level.COUNTY and access.can_at(
        user, Action.POLICE_GRID_MANAGE, police_township or center.code
    )
    villages = None
    if may_manage and center.level >= Level.COUNTY:
        villages = list(
            core_selectors.center_list_visible(user=user)
            .filter(subtree_q("code", center.code), level=Level.VILLAGE, is_active=True)
            .only("code", "name")
            .order_by("code")
        )
    context = {
        "center": center,
        "ancestors": core_selectors.center_list_visible(user=user)
        .filter(code__in=center.ancestor_codes)
        .order_by("code"),
        "coverage": figures,
        "unit_level": _unit_level(center),
        "filters": filters,
        "kinds": GridKind.choices,
        "page": page,
        "rows": rows,
        "querystring": _querystring(request.GET),
        "police_grids": _police_grids(user, center),
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "month_query": _querystring(request.GET, "month"),
        "assessment": assessment,
        "may_assess": may_assess,
        "policy": _county_policy(center),
        "may_manage": may_manage,
        "may_set_weights": may_manage and center.level == Level.COUNTY,
        "may_manage_police": may_manage_police,
        "police_township": police_township,
        "villages": villages,
    }
    return render(request, "grids/center.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_weights(request, code: str):
    """A county's weights and monthly targets for assessing its grid workers."""
    center = _grid_center(request, code)
    if center.level != Level.COUNTY:
        raise Http404
    if not _may_manage(request.user, center.code):
        raise PermissionDenied
    policy = _county_policy(center)
    data = request.POST if request.method == "POST" else None
    form = forms.WeightsForm(data, initial=forms.WeightsForm.initial_of(policy))
    if data is not None and form.is_valid():
        try:
            services.assessment_policy_set(actor=request.user, center=center, **form.cleaned_data)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("The assessment weights of %(center)s were saved.") % {"center": center.name})
            return see_other(reverse("grids-center", args=[center.code]) + "#assessment")
    return render(request, "grids/weights.html", {"center": center, "form": form, "policy": policy})


# --- One grid -------------------------------------------------------------------------------------


def _detail_context(request, grid: Grid, **forms_given) -> dict:
    user = request.user
    may_manage = _may_manage(user, grid.center_code)
    history = selectors.assignment_list_visible(user=user).filter(grid=grid).order_by("-started_at", "-id")
    visits = list(
        selectors.visit_list_visible(user=user)
        .filter(grid=grid)
        .select_related("case")
        .order_by("-visited_at", "-id")[:RECENT_VISITS]
    )
    for visit in visits:
        visit.may_report = _may_report(user, visit)
    # The grid page of its township, or of its village for those who see only the village's grids.
    codes = (grid.center_code[:9], grid.center_code)
    crumb = next((code for code in codes if access.can_at(user, Action.GRID_VIEW, code)), None)
    context = {
        "grid": grid,
        "crumb_center": crumb,
        "duties": _duty_labels(grid.duties),
        "history": history,
        "visits": visits,
        "may_log": _walks(user, grid),
        "may_manage": may_manage and grid.is_active,
        "end_form": forms_given.get("end_form"),
        "end_id": forms_given.get("end_id"),
    }
    if context["may_manage"]:
        context["assign_form"] = forms_given.get("assign_form") or forms.AssignForm(
            workers=selectors.assignable_workers(grid)
        )
        context["retire_form"] = forms_given.get("retire_form") or forms.ReasonForm(prefix="retire")
    return context


@login_required
@require_GET
def grid_detail(request, code: str):
    grid = _visible_grid(request, code)
    return render(request, "grids/grid_detail.html", _detail_context(request, grid))


def _managed_grid(request, code: str) -> Grid:
    grid = _visible_grid(request, code)
    if not _may_manage(request.user, grid.center_code):
        raise PermissionDenied
    return grid


def _police_grid_choices(user, township_code: str, current_id: int | None = None):
    rows = selectors.police_grid_list_visible(user=user).filter(center_code=township_code)
    return rows.filter(Q(is_active=True) | Q(pk=current_id)).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def grid_edit(request, code: str):
    grid = _managed_grid(request, code)
    if not grid.is_active:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    police_grids = _police_grid_choices(request.user, grid.center_code[:9], grid.police_grid_id)
    form = forms.GridForm(data, initial=forms.GridForm.initial_of(grid), police_grids=police_grids)
    if data is not None and form.is_valid():
        try:
            services.grid_update(actor=request.user, grid=grid, **form.cleaned_data)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("The grid was saved."))
            return see_other(grid.get_absolute_url())
    return render(request, "grids/grid_form.html", {"grid": grid, "center": grid.center, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def grid_new(request):
    """A new grid under a village or community (`?center=`); given a township or county, the page
    first asks which of its villages."""
    user = request.user
    code = request.GET.get("center", "").strip()
    if not code:
        roots = access.roots(user, Action.GRID_MANAGE)
        if not roots:
            raise PermissionDenied
        code = roots[0]
    center = _grid_center(request, code)
    if not _may_manage(user, center.code):
        raise PermissionDenied
    if center.level != Level.VILLAGE:
        villages = (
            core_selectors.center_list_visible(user=user)
            .filter(subtree_q("code", center.code), level=Level.VILLAGE, is_active=True)
            .only("code", "name")
            .order_by("code")
        )
        return render(request, "grids/grid_form.html", {"center": center, "villages": villages, "choose": True})
    data = request.POST if request.method == "POST" else None
    form = forms.GridForm(data, police_grids=_police_grid_choices(user, center.code[:9]))
    if data is not None and form.is_valid():
        try:
            grid = services.grid_create(actor=user, center=center, **form.cleaned_data)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Grid %(grid)s was laid out.") % {"grid": grid})
            return see_other(grid.get_absolute_url())
    return render(request, "grids/grid_form.html", {"center": center, "form": form})


@login_required
@require_POST
def grid_assign(request, code: str):
    grid = _managed_grid(request, code)
    form = forms.AssignForm(request.POST, workers=selectors.assignable_workers(grid))
    if form.is_valid():
        worker = form.cleaned_data["worker"]
        try:
            services.grid_assign(
                actor=request.user,
                grid=grid,
                worker=worker,
                employment=form.cleaned_data["employment"],
                note=form.cleaned_data["note"],
                replace=form.cleaned_data["replace"],
            )
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now walks this grid.") % {"name": worker.get_full_name() or worker.get_username()},
            )
            return see_other(grid.get_absolute_url() + "#workers")
    return render(request, "grids/grid_detail.html", _detail_context(request, grid, assign_form=form))


@login_required
@require_POST
def grid_unassign(request, code: str, assignment_id: str):
    grid = _managed_grid(request, code)
    assignment = next((a for a in grid.current_assignments if a.pk == int(assignment_id)), None)
    if assignment is None:
        raise Http404
    form = forms.ReasonForm(request.POST, prefix=f"end-{assignment.pk}")
    if form.is_valid():
        try:
            services.grid_unassign(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _put_error(form, error)
        else:
            name = assignment.worker.get_full_name() or assignment.worker.get_username()
            messages.success(request, _("%(name)s no longer walks this grid.") % {"name": name})
            return see_other(grid.get_absolute_url() + "#workers")
    context = _detail_context(request, grid, end_form=form, end_id=assignment.pk)
    return render(request, "grids/grid_detail.html", context)


@login_required
@require_POST
def grid_retire(request, code: str):
    grid = _managed_grid(request, code)
    form = forms.ReasonForm(request.POST, prefix="retire")
    if form.is_valid():
        try:
            services.grid_retire(actor=request.user, grid=grid, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("The grid was retired; its history stays."))
            return see_other(grid.get_absolute_url())
    return render(request, "grids/grid_detail.html", _detail_context(request, grid, retire_form=form))

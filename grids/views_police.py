"""Pages of police grids (警格): a township's new police grid over its grids, one police grid with its
grids and auxiliary officers (辅警), and the villages still without one (一村一辅警).

Thin, like grids/views.py: reads are the selectors, writes the services of grids/services.py, rights
come from govcenter.access. Out of the user's grid scope: 404; visible but not theirs to keep
(Action.POLICE_GRID_MANAGE: the police liaison and the directors): no buttons, and a POST is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcenter import access
from govcenter import selectors as core_selectors
from govcenter.access import Action
from govcenter.divisions import Level, subtree_q
from govcenter.errors import DomainError
from govcenter.http import see_other
from govcenter.models import Center, Department
from grids import forms, selectors, services
from grids.models import AuxiliaryOfficer, PoliceGrid
from grids.views import _grid_center, _put_error

# --- Helpers --------------------------------------------------------------------------------------


def _detail_url(police_grid: PoliceGrid, anchor: str = "") -> str:
    return reverse("police-grid-detail", args=[police_grid.pk]) + anchor


def _may_manage(user, police_grid: PoliceGrid) -> bool:
    return access.can_at(user, Action.POLICE_GRID_MANAGE, police_grid.center_code)


def _visible_police_grid(request, police_grid_id: int) -> PoliceGrid:
    police_grid = selectors.police_grid_list_visible(user=request.user).filter(pk=police_grid_id).first()
    if police_grid is None:
        raise Http404
    return police_grid


def _managed_police_grid(request, police_grid_id: int) -> PoliceGrid:
    police_grid = _visible_police_grid(request, police_grid_id)
    if not _may_manage(request.user, police_grid):
        raise PermissionDenied
    return police_grid


def _officer(police_grid: PoliceGrid, request, officer_id: int) -> AuxiliaryOfficer:
    officer = selectors.auxiliary_list_visible(user=request.user).filter(police_grid=police_grid, pk=officer_id).first()
    if officer is None:
        raise Http404
    return officer


def _stations(user, township_code: str, current_id: int | None = None) -> QuerySet:
    """The police stations that serve a township: its own and its county's, active (or the one the
    police grid has now)."""
    return (
        core_selectors.department_list_visible(user=user)
        .filter(kind=Department.Kind.POLICE, center_code__in=[township_code[:6], township_code])
        .filter(Q(is_active=True) | Q(pk=current_id))
        .order_by("-center_code", "name")
    )


def _villages(user, township_code: str) -> QuerySet:
    return (
        core_selectors.center_list_visible(user=user)
        .filter(subtree_q("code", township_code), level=Level.VILLAGE, is_active=True)
        .only("code", "name")
        .order_by("code")
    )


def _township_grids(user, township_code: str) -> QuerySet:
    """The township's active grids, with their village and police grid (no workers needed)."""
    return (
        selectors.grid_list_visible(user=user)
        .filter(subtree_q("center_code", township_code), is_active=True)
        .prefetch_related(None)
        .order_by("code")
    )


def _grid_groups(form: forms.PoliceGridForm) -> list[dict]:
    """The grid checkboxes by village, each with the police grid it is in now."""
    chosen = form.chosen_codes()
    groups: dict[str, dict] = {}
    for grid in form.fields["grids"].queryset:
        group = groups.setdefault(grid.center_code, {"village": grid.center, "grids": []})
        group["grids"].append({"grid": grid, "checked": grid.code in chosen})
    return list(groups.values())


def _form_context(form: forms.PoliceGridForm, center: Center, police_grid: PoliceGrid | None = None) -> dict:
    return {"form": form, "center": center, "police_grid": police_grid, "groups": _grid_groups(form)}


# --- A new police grid ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def police_grid_new(request, code: str):
    user = request.user
    center = _grid_center(request, code)
    if center.level != Level.TOWNSHIP:
        raise Http404
    if not access.can_at(user, Action.POLICE_GRID_MANAGE, center.code):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.PoliceGridForm(data, stations=_stations(user, center.code), grids=_township_grids(user, center.code))
    if data is not None and form.is_valid():
        try:
            police_grid = services.police_grid_create(actor=user, center=center, **form.cleaned_data)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Police grid %(name)s was set up.") % {"name": police_grid.name})
            return see_other(_detail_url(police_grid))
    context = _form_context(form, center)
    # Retired police grids stay reachable from here, to be brought back rather than set up twice.
    context["retired"] = list(
        selectors.police_grid_list_visible(user=user).filter(center_code=center.code, is_active=False).order_by("name")
    )
    return render(request, "grids/police_form.html", context)


# --- One police grid ------------------------------------------------------------------------------


def _detail_context(request, police_grid: PoliceGrid, **given) -> dict:
    user = request.user
    township = police_grid.center_code
    may_manage = _may_manage(user, police_grid)
    grids = list(
        selectors.grid_list_visible(user=user).filter(police_grid=police_grid, is_active=True).order_by("code")
    )
    officers = list(
        selectors.auxiliary_list_visible(user=user)
        .filter(police_grid=police_grid)
        .order_by("village_code", "name", "pk")
    )
    villages = list(_villages(user, township))
    # 一村一辅警: a village counts as covered by an active officer of any active police grid of the
    # township (as the coverage figures count it).
    covered = set(
        selectors.auxiliary_list_visible(user=user)
        .filter(subtree_q("village_code", township), is_active=True, police_grid__is_active=True)
        .values_list("village_code", flat=True)
    )
    context = {
        "police_grid": police_grid,
        "center": police_grid.center,
        "grids": grids,
        "officers": [officer for officer in officers if officer.is_active],
        "former": [officer for officer in officers if not officer.is_active],
        "villages": villages,
        "gaps": [village for village in villages if village.code not in covered],
        "may_manage": may_manage,
        "may_change": may_manage and police_grid.is_active,
        "move_form": given.get("move_form"),
        "move_id": given.get("move_id"),
    }
    if context["may_change"]:
        context["add_form"] = given.get("add_form") or forms.AuxiliaryForm(
            villages=_villages(user, township), initial={"village": request.GET.get("village", "")}
        )
    return context


@login_required
@require_GET
def police_grid_detail(request, police_grid_id: int):
    police_grid = _visible_police_grid(request, police_grid_id)
    return render(request, "grids/police_detail.html", _detail_context(request, police_grid))


@login_required
@require_http_methods(["GET", "POST"])
def police_grid_edit(request, police_grid_id: int):
    user = request.user
    police_grid = _managed_police_grid(request, police_grid_id)
    if not police_grid.is_active:
        raise PermissionDenied
    township = police_grid.center_code
    current = _township_grids(user, township).filter(police_grid=police_grid).values_list("code", flat=True)
    data = request.POST if request.method == "POST" else None
    form = forms.PoliceGridForm(
        data,
        initial=forms.PoliceGridForm.initial_of(police_grid, list(current)),
        stations=_stations(user, township, police_grid.station_id),
        grids=_township_grids(user, township),
    )
    if data is not None and form.is_valid():
        changes = dict(form.cleaned_data)
        # Retired grids are not offered; they keep the police grid they had.
        retired = selectors.grid_list_visible(user=user).filter(police_grid=police_grid, is_active=False)
        grids = [*changes.pop("grids"), *retired.prefetch_related(None)]
        try:
            services.police_grid_update(actor=user, police_grid=police_grid, grids=grids, **changes)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("The police grid was saved."))
            return see_other(_detail_url(police_grid))
    return render(request, "grids/police_form.html", _form_context(form, police_grid.center, police_grid))


def _set_active(request, police_grid_id: int, active: bool):
    police_grid = _managed_police_grid(request, police_grid_id)
    try:
        services.police_grid_update(actor=request.user, police_grid=police_grid, is_active=active)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if active:
            messages.success(request, _("The police grid is in use again."))
        else:
            messages.success(request, _("The police grid was retired; its grids, officers and history stay on record."))
    return see_other(_detail_url(police_grid))


@login_required
@require_POST
def police_grid_retire(request, police_grid_id: int):
    return _set_active(request, police_grid_id, False)


@login_required
@require_POST
def police_grid_reactivate(request, police_grid_id: int):
    return _set_active(request, police_grid_id, True)


# --- Auxiliary officers ---------------------------------------------------------------------------


@login_required
@require_POST
def auxiliary_add(request, police_grid_id: int):
    user = request.user
    police_grid = _managed_police_grid(request, police_grid_id)
    form = forms.AuxiliaryForm(request.POST, villages=_villages(user, police_grid.center_code))
    if form.is_valid():
        try:
            officer = services.auxiliary_add(actor=user, police_grid=police_grid, **form.cleaned_data)
        except DomainError as error:
            if error.field not in form.fields:
                # Not about what was typed (the police grid was retired meanwhile): say so on its page.
                messages.error(request, str(error.message))
                return see_other(_detail_url(police_grid, "#officers"))
            _put_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is stationed in %(village)s.") % {"name": officer.name, "village": officer.village.name},
            )
            return see_other(_detail_url(police_grid, "#officers"))
    return render(request, "grids/police_detail.html", _detail_context(request, police_grid, add_form=form))


@login_required
@require_POST
def auxiliary_move(request, police_grid_id: int, officer_id: int):
    user = request.user
    police_grid = _managed_police_grid(request, police_grid_id)
    officer = _officer(police_grid, request, officer_id)
    form = forms.AuxiliaryMoveForm(request.POST, villages=_villages(user, police_grid.center_code))
    if form.is_valid():
        village = form.cleaned_data["village"]
        try:
            services.auxiliary_update(actor=user, officer=officer, village=village)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(
                request, _("%(name)s moved to %(village)s.") % {"name": officer.name, "village": village.name}
            )
            return see_other(_detail_url(police_grid, "#officers"))
    context = _detail_context(request, police_grid, move_form=form, move_id=officer.pk)
    return render(request, "grids/police_detail.html", context)


def _set_officer_active(request, police_grid_id: int, officer_id: int, active: bool):
    police_grid = _managed_police_grid(request, police_grid_id)
    officer = _officer(police_grid, request, officer_id)
    try:
        services.auxiliary_update(actor=request.user, officer=officer, is_active=active)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if active:
            messages.success(request, _("%(name)s is back on duty.") % {"name": officer.name})
        else:
            messages.success(request, _("%(name)s is no longer on duty.") % {"name": officer.name})
    return see_other(_detail_url(police_grid, "#officers"))


@login_required
@require_POST
def auxiliary_deactivate(request, police_grid_id: int, officer_id: int):
    return _set_officer_active(request, police_grid_id, officer_id, False)


@login_required
@require_POST
def auxiliary_reactivate(request, police_grid_id: int, officer_id: int):
    return _set_officer_active(request, police_grid_id, officer_id, True)

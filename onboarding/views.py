"""The import pages: the templates to download, the upload with its dry run, the record of each
import with what it changed, and the error report to download. Directors and administrators only,
each in their own subtree (the rows decide: a row outside it is a row error)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcenter import access
from govcenter.access import Action
from govcenter.errors import DomainError
from govcenter.http import see_other
from onboarding import selectors, services
from onboarding.forms import ImportForm
from onboarding.importers import IMPORTERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 20
SHOWN = 500


def _require_importer(user) -> None:
    if not access.has_action_anywhere(user, Action.ONBOARDING_IMPORT):
        raise PermissionDenied


def download(name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


@login_required
@require_http_methods(["GET", "POST"])
def imports_home(request):
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = services.import_file(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name or "import",
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as error:
            form.add_error("file", str(error.message))
        else:
            return see_other(reverse("import-detail", args=[outcome.run.pk]))
    runs = list(selectors.import_run_summaries_visible(user=request.user)[:RECENT])
    for run in runs:
        run.kind_label = _kind_label(run.kind)
    context = {"form": form, "kinds": [(kind, cls.label) for kind, cls in IMPORTERS.items()], "runs": runs}
    return render(request, "onboarding/home.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_template(request, kind: str):
    _require_importer(request.user)
    if kind not in IMPORTERS:
        raise Http404
    name, content = services.template(kind)
    return download(name, content)


def _kind_label(kind: str) -> str:
    # A run of a kind no longer offered still shows, under its key.
    return IMPORTERS[kind].label if kind in IMPORTERS else kind


def _visible_run(request, run_id: int):
    _require_importer(request.user)
    run = selectors.import_run_get_visible(user=request.user, run_id=run_id)
    if run is None:
        raise Http404
    return run


@login_required
@require_GET
def import_detail(request, run_id: int):
    run = _visible_run(request, run_id)
    context = {
        "run": run,
        "title": _kind_label(run.kind),
        "errors": run.errors[:SHOWN],
        "changes": run.changes[:SHOWN],
        "more_errors": max(0, len(run.errors) - SHOWN),
        "more_changes": max(0, len(run.changes) - SHOWN),
        "may_apply": run.status == run.Status.PREVIEWED and run.actor_id == request.user.pk,
    }
    return render(request, "onboarding/detail.html", context)


@login_required
@require_GET
def import_error_report(request, run_id: int):
    run = _visible_run(request, run_id)
    if not run.errors:
        raise Http404
    try:
        content = services.error_report(run)
    except DomainError as error:  # the kept file can no longer be read as it was
        return render(request, "onboarding/detail.html", {"run": run, "failure": error.message}, status=409)
    return download(_("Error report %(id)d.xlsx") % {"id": run.pk}, content)


@login_required
@require_POST
def import_apply(request, run_id: int):
    run = _visible_run(request, run_id)
    try:
        outcome = services.import_again(actor=request.user, run=run)
    except DomainError as error:
        return render(
            request, "onboarding/detail.html", {"run": run, "failure": error.message}, status=error.status_code
        )
    return see_other(reverse("import-detail", args=[outcome.run.pk]))

"""The import pages: the templates to download, the upload with its dry run, the record of each
import with its progress bar while it runs in the background and what it changed once it has, and
the error report to download. Directors and administrators only, each in their own subtree (the
rows decide: a row outside it is a row error)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
# Seconds between two refreshes of an import's record while it is queued or running.
REFRESH_SECONDS = 2


def _require_importer(user) -> None:
    if not access.has_action_anywhere(user, Action.ONBOARDING_IMPORT):
        raise PermissionDenied


def download(name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def imports_home(request):
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.queue_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name or "import",
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as error:
            form.add_error("file", str(error.message))
        else:
            return see_other(reverse("import-detail", args=[run.pk]))
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


# What a change did, in the words of the stat tiles above the list.
VERB_LABELS = {"created": gettext_lazy("New"), "updated": gettext_lazy("Changed"), "retired": gettext_lazy("Retired")}
# The spreadsheet's own words for a row's state (the 状态 column), whatever the reader's language.
ACTIVE_TEXT = {True: "在用", False: "停用"}


def _field_label(name: str, headers: dict[str, str]) -> str:
    """A changed field by the template column it comes from (its Chinese header, as in the file)."""
    if name == "is_active":
        return headers.get("status") or _("Status")
    return headers.get(name) or headers.get(name.removesuffix("_id")) or name


def _shown(name: str, value) -> str:
    if name == "is_active" and isinstance(value, bool):
        return ACTIVE_TEXT[value]
    return "—" if value in (None, "") else str(value)


def _change_rows(run) -> list[dict]:
    """The changes of an import as the page lists them: verb in words, fields by their column."""
    spec = IMPORTERS[run.kind].spec() if run.kind in IMPORTERS else []
    headers = {column.key: column.header for column in spec}
    return [
        {
            "row": change.get("row"),
            "verb": VERB_LABELS.get(change.get("verb"), change.get("verb")),
            "key": change.get("key"),
            "fields": [
                (_field_label(name, headers), _shown(name, pair[0]), _shown(name, pair[1]))
                for name, pair in (change.get("fields") or {}).items()
            ],
        }
        for change in run.changes[:SHOWN]
    ]


def _detail_context(request, run, **extra) -> dict:
    previewed = run.status == run.Status.PREVIEWED
    carried = services.carried_out(run) if previewed else None
    return {
        "run": run,
        "title": _kind_label(run.kind),
        "errors": run.errors[:SHOWN],
        "changes": _change_rows(run),
        "more_errors": max(0, len(run.errors) - SHOWN),
        "more_changes": max(0, len(run.changes) - SHOWN),
        "may_apply": previewed and services.carry_out_refusal(request.user, run, carried) is None,
        "carried": carried,
        "refresh_seconds": REFRESH_SECONDS,
        **extra,
    }


@login_required
@require_GET
def import_detail(request, run_id: int):
    """The record of an import. While it is queued or running, htmx fetches the record's part of the
    page again every few seconds (without JavaScript the page reloads itself) until it has ended."""
    run = _visible_run(request, run_id)
    partial = request.htmx and not request.htmx.boosted
    template = "onboarding/_run.html" if partial else "onboarding/detail.html"
    response = render(request, template, _detail_context(request, run))
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def import_error_report(request, run_id: int):
    run = _visible_run(request, run_id)
    if not run.errors:
        raise Http404
    try:
        content = services.error_report(run)
    except DomainError as error:  # the kept file can no longer be read as it was
        return render(
            request, "onboarding/detail.html", _detail_context(request, run, failure=error.message), status=409
        )
    return download(_("Error report %(id)d.xlsx") % {"id": run.pk}, content)


@login_required
@require_POST
def import_apply(request, run_id: int):
    run = _visible_run(request, run_id)
    try:
        again = services.queue_again(actor=request.user, run=run)
    except DomainError as error:
        context = _detail_context(request, run, failure=error.message)
        return render(request, "onboarding/detail.html", context, status=error.status_code)
    return see_other(reverse("import-detail", args=[again.pk]))

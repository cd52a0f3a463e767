"""Pages of cases: the list, intake, one case with the forms of its workflow, attachments,
notifications, a center's QR code, and the public pages (a report through the QR code, the receipt
status and the rating). Thin: every read is a selector, every write a service; the workflow forms
go through the same serializers and calls as the API (`cases.api.VERBS`)."""

import io
from datetime import datetime

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from cases import api, forms, refusals, selectors, services
from cases.models import Case, Channel, Dispatch, Kind, Rating, Severity, Stage, Status
from cases.presenters import mask_id_number, mask_phone, public_status
from govcenter import access, audit, ratelimit
from govcenter import selectors as core_selectors
from govcenter.access import Action
from govcenter.errors import DomainError
from govcenter.http import see_other
from govcenter.models import Center
from govcenter.paging import FastPaginator

PAGE_SIZE = 25

# Input names as the user sees them, to say which field an error is about.
FIELD_LABELS = {
    "status": gettext_lazy("Status"),
    "kind": gettext_lazy("Kind"),
    "channel": gettext_lazy("Channel"),
    "category": gettext_lazy("Category"),
    "under": gettext_lazy("Center code"),
    "overdue": gettext_lazy("Overdue"),
    "q": gettext_lazy("Search"),
    "created_after": gettext_lazy("Received from"),
    "created_before": gettext_lazy("Received before"),
    "severity": gettext_lazy("Severity"),
    "departments": gettext_lazy("Departments"),
    "due_at": gettext_lazy("Due"),
    "instructions": gettext_lazy("Instructions"),
    "reason": gettext_lazy("Reason"),
    "text": gettext_lazy("Report"),
    "center": gettext_lazy("Center"),
    "mediators": gettext_lazy("Mediators"),
    "outcome": gettext_lazy("Outcome"),
    "note": gettext_lazy("Note"),
    "method": gettext_lazy("Method"),
    "rating": gettext_lazy("Rating"),
    "comment": gettext_lazy("Comment"),
    "version": gettext_lazy("Version"),
    "file": gettext_lazy("File"),
}

# Timeline verbs that are not workflow transitions.
EVENT_LABELS = {
    "create": gettext_lazy("recorded"),
    "edit": gettext_lazy("details corrected"),
    "pause": gettext_lazy("clock paused"),
    "resume": gettext_lazy("clock resumed"),
    "attach": gettext_lazy("file added"),
    "link-report": gettext_lazy("repeated report merged"),
    "confirm-outcome": gettext_lazy("outcome confirmed"),
    "overdue": gettext_lazy("overdue"),
    "rating": gettext_lazy("rated"),
    "import": gettext_lazy("imported from the former system"),
}

# Forms on the case page that are not transitions of the table.
EXTRA_VERB_LABELS = {
    "pause": gettext_lazy("pause the clock"),
    "resume": gettext_lazy("resume the clock"),
    "confirm-outcome": gettext_lazy("confirm the outcome"),
}

FEEDBACK_METHODS = [
    ("phone", gettext_lazy("Phone")),
    ("visit", gettext_lazy("Visit")),
    ("sms", gettext_lazy("Text message")),
    ("letter", gettext_lazy("Letter")),
    ("online", gettext_lazy("Online")),
]


# --- Helpers --------------------------------------------------------------------------------------


def _flatten(detail, field: str | None = None) -> list[str]:
    return refusals.lines(detail, FIELD_LABELS, field)


def error_messages(error: Exception) -> list[str]:
    """What went wrong, in lines for the user, from whichever layer refused."""
    return refusals.error_lines(error, FIELD_LABELS)


def _stage_label(stage: str) -> str:
    return Stage(stage).label if stage in Stage.values else stage


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status


def _visible_case(request, case_id):
    case = selectors.case_get_visible(user=request.user, case_id=case_id)
    if case is None:
        raise Http404
    return case


# --- Rate limits of the public pages --------------------------------------------------------------


def _throttled(request, scope: str) -> bool:
    """The public pages share the API's throttle rates (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])."""
    return ratelimit.over_limit(request, scope, settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope])


def _too_many(request):
    return render(request, "cases/public_throttled.html", status=429)


# --- The list -------------------------------------------------------------------------------------


def _filter_params(query):
    """The filters as given, without empty values (an empty select means "any") and the page."""
    params = query.copy()
    for key in list(params):
        values = [value for value in params.getlist(key) if value.strip()]
        if values and key != "page":
            params.setlist(key, values)
        else:
            del params[key]
    return params


@login_required
def case_list(request):
    params = _filter_params(request.GET)
    nothing = Case.objects.none()
    filterset = api.CaseFilter(params, queryset=nothing)
    errors: list[str] = []
    if filterset.is_valid():
        try:
            rows = selectors.case_list_rows(user=request.user, refine=filterset.filter_queryset)
        except (ApiValidationError, DomainError) as error:
            errors, rows = error_messages(error), nothing
    else:
        errors, rows = _flatten(filterset.errors), nothing
    page = FastPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:  # get_status_display would rebuild the choices for every row
        case.status_label = _status_label(case.status)
        case.next_stage_label = _stage_label(case.next_stage) if case.next_stage else ""
    context = {
        "page": page,
        "errors": errors,
        "params": params,
        "querystring": params.urlencode(),
        "may_create": access.has_action_anywhere(request.user, Action.CASE_CREATE),  # the empty list's next step
    }
    partial = request.htmx and not request.htmx.boosted
    if not partial:  # the filter form is only on the whole page
        context |= {
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "channels": Channel.choices,
            "category_groups": forms.category_choices_cached(),
        }
    response = render(request, "cases/_table.html" if partial else "cases/case_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Intake ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_intake(request):
    if not access.has_action_anywhere(request.user, Action.CASE_CREATE):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.CaseIntakeForm(data, user=request.user)
    parties = forms.party_forms(data)
    state = {"party_errors": [], "duplicates": []}
    if data is not None:
        valid = [form.is_valid(), *[party.is_valid() for party in parties]]
        if all(valid):
            try:
                return _intake_submit(request, form, parties)
            except DomainError as error:
                _intake_error(request, form, error, state)
    context = {"form": form, "parties": parties, **state}
    return render(request, "cases/case_intake.html", context)


def _intake_submit(request, form, parties):
    link_to = request.POST.get("link_to", "")
    if link_to:
        target = (
            selectors.case_list_visible(user=request.user).filter(pk=int(link_to)).first()
            if link_to.isdigit()
            else None
        )
        if target is None:
            raise services.CaseError(_("No open case of yours has this id."))
        case = services.case_link_report(actor=request.user, case=target, note=form.cleaned_data["title"])
        messages.success(
            request,
            _("The report was merged into case %(number)s, which now has %(count)d reports.")
            % {"number": case.number, "count": case.report_count},
        )
        return redirect(reverse("case-detail", args=[case.pk]))
    case = services.case_create(
        actor=request.user,
        center=form.cleaned_data["center"],
        data=form.case_input([p for p in (party.party_input() for party in parties) if p is not None]),
        force_new=request.POST.get("force_new") == "1",
    )
    messages.success(
        request,
        _("Case %(number)s was recorded. Give the person the receipt code %(receipt)s to follow it.")
        % {"number": case.number, "receipt": case.receipt},
    )
    return redirect(reverse("case-detail", args=[case.pk]))


def _intake_error(request, form, error: DomainError, state: dict) -> None:
    """Put a refusal where the user looks for it; what they typed stays in the form."""
    duplicates = error.extra.get("duplicates") if isinstance(error, services.CaseConflict) else None
    if duplicates:
        visible = forms.visible_case_ids(request.user, [d["id"] for d in duplicates])
        state["duplicates"] = [{**d, "visible": d["id"] in visible} for d in duplicates]
        form.add_error(None, str(error.message))
    elif error.field == "parties":
        state["party_errors"].append(str(error.message))
    elif error.field in form.fields:
        form.add_error(error.field, str(error.message))
    else:
        form.add_error(None, str(error.message))


# --- One case -------------------------------------------------------------------------------------


@login_required
def case_detail(request, case_id: int):
    return _detail_page(request, _visible_case(request, case_id))


def _detail_page(request, case, refused: dict | None = None):
    """The case page; `refused` re-opens the form of a step that was refused for its input, with
    each error next to its input and what the user typed kept (answered 400)."""
    user = request.user
    now = timezone.now()
    show_pii = access.can(user, Action.CASE_PII_VIEW, case)
    party_rows = list(case.parties.all())
    if show_pii and any(p.id_number or p.phone for p in party_rows):
        audit.record(actor=user, action="case.pii_view", obj=case, data={"number": case.number})
    parties = [
        {
            "party": p,
            "id_number": p.id_number if show_pii else mask_id_number(p.id_number),
            "phone": p.phone if show_pii else mask_phone(p.phone),
        }
        for p in party_rows
    ]
    deadlines = [
        {"deadline": d, "label": _stage_label(d.stage), "overdue": (d.met_at or now) > d.due_at}
        for d in case.deadlines.all()
        if d.superseded_at is None  # this round's limits; earlier rounds stay on record for the reports
    ]
    dispatches = [
        {
            "dispatch": d,
            "late": d.status in (Dispatch.State.PENDING, Dispatch.State.ACCEPTED) and d.due_at < now,
        }
        for d in case.dispatches.all()
    ]
    events = [
        {
            "event": e,
            "label": services.VERB_LABELS.get(e.verb) or EVENT_LABELS.get(e.verb, e.verb),
            "from": _status_label(e.from_status) if e.from_status else "",
            "to": _status_label(e.to_status) if e.to_status else "",
        }
        for e in case.events.all()
    ]
    names = dict(Center.objects.filter(code__in=case.levels_passed).values_list("code", "name"))
    context = {
        "case": case,
        "parties": parties,
        "show_pii": show_pii,
        "deadlines": deadlines,
        "dispatches": dispatches,
        "events": events,
        "levels": [{"code": code, "name": names.get(code, code)} for code in case.levels_passed],
        "next_stage_label": _stage_label(case.next_stage) if case.next_stage else "",
        "may_attach": access.can(user, Action.CASE_ATTACH, case),
        "rating": Rating.objects.filter(case=case).first(),
        **_action_context(case, user),
    }
    if refused is not None:
        for action in context["actions"]:
            if action["verb"] == refused["verb"]:
                action.update(errors=refused["errors"], data=refused["data"])
    return render(request, "cases/case_detail.html", context, status=400 if refused else 200)


def _action_context(case, user) -> dict:
    """The forms of what the user may do to the case now, and the choices they offer."""
    verbs = services.allowed_verbs(case, user)
    outcomes = [(o, label) for o, verb, label in _OUTCOMES if verb in verbs]
    actions = [
        {"verb": verb, "label": services.VERB_LABELS[verb]}
        for verb in verbs
        # "fail" is recorded through the outcome form of "resolve"; mediators are assigned from the
        # roster on the mediation page (the card below the actions links to it).
        if verb not in ("fail", "assign-mediator")
    ]
    if "fail" in verbs and "resolve" not in verbs:
        actions.append({"verb": "resolve", "label": services.VERB_LABELS["fail"]})
    if case.is_open and access.can(user, Action.CASE_EDIT, case):
        clock = "resume" if case.is_paused else "pause"
        actions.append({"verb": clock, "label": EXTRA_VERB_LABELS[clock]})
    if case.review_required and access.can(user, Action.CASE_REOPEN, case):
        actions.insert(0, {"verb": "confirm-outcome", "label": EXTRA_VERB_LABELS["confirm-outcome"]})
    present = {action["verb"] for action in actions}
    may_mediate = "resolve" in verbs or "fail" in verbs
    return {
        "actions": actions,
        "mediation": {
            "assign": access.can(user, Action.CASE_ASSIGN_MEDIATOR, case),
            "log_session": may_mediate and case.status == "in_mediation",
            "draft_agreement": access.can(user, Action.CASE_RESOLVE, case)
            and case.status in ("in_mediation", "resolved"),
        },
        "outcomes": outcomes,
        "category_groups": forms.category_choices() if "classify" in present else [],
        "kinds": Kind.choices,
        "severities": Severity.choices,
        "departments": forms.department_choices(case, user) if "dispatch" in present else [],
        "mediators": forms.mediator_choices(case) if "assign-mediator" in present else [],
        "centers_below": forms.centers_below_choices(case) if "send-down" in present else [],
        "feedback_methods": FEEDBACK_METHODS,
        "rating_values": Rating.Value.choices,
    }


_OUTCOMES = [
    ("resolved", "resolve", gettext_lazy("Resolved")),
    ("failed", "fail", gettext_lazy("Mediation failed")),
]

# The inputs of each step's form on the case page (templates/cases/_verb_form.html): an error about
# one of them is shown next to it.
VERB_INPUTS = {
    "classify": {"category", "kind", "severity"},
    "dispatch": {"departments", "due_at", "instructions"},
    "report": {"text", "final"},
    "send-down": {"center", "reason"},
    "resolve": {"outcome", "note"},
    "feedback": {"method", "note"},
    "follow-up": {"note", "rating", "comment"},
    "close": {"note"},
    "confirm-outcome": {"note"},
}
REASON_INPUTS = {"reason"}  # decline, escalate, reopen, hand-back, pause


def _input_errors(verb: str, error: Exception) -> dict | None:
    return refusals.input_errors(error, VERB_INPUTS.get(verb, REASON_INPUTS), FIELD_LABELS)


@login_required
@require_POST
def case_verb(request, case_id: int, verb: str):
    """One workflow step from a form on the case page, through the API's serializer and service."""
    if verb not in api.VERBS:
        raise Http404
    case = selectors.case_list_visible(user=request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    try:
        api.run_verb(verb, actor=request.user, case=case, data=request.POST)
    except (ApiValidationError, DomainError, DjangoValidationError, IntegrityError) as error:
        errors = _input_errors(verb, error)
        if errors is not None:
            refused = {"verb": verb, "errors": errors, "data": request.POST}
            return _detail_page(request, _visible_case(request, case.pk), refused)
        for line in error_messages(error):
            messages.error(request, line)
    else:
        label = services.VERB_LABELS.get(verb) or EXTRA_VERB_LABELS.get(verb) or EVENT_LABELS.get(verb, verb)
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return see_other(reverse("case-detail", args=[case.pk]))


# --- Attachments ----------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request, case_id: int):
    case = selectors.case_list_visible(user=request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            attachment = services.attachment_add(actor=request.user, case=case, upload=upload)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": attachment.name})
    return see_other(reverse("case-detail", args=[case.pk]) + "#attachments")


@login_required
def attachment_download(request, case_id: int, attachment_id: int):
    case = _visible_case(request, case_id)
    attachment = next((a for a in case.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit.record(actor=request.user, action="case.attachment_view", obj=case, data={"attachment": attachment.pk})
    return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)


# --- Notifications --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        count = services.notifications_mark_read(user=request.user)
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
        return see_other(reverse("notifications"))
    page = Paginator(selectors.notifications_for(user=request.user), 50).get_page(request.GET.get("page"))
    unread = selectors.notifications_for(user=request.user, unread_only=True).exists()
    return render(request, "cases/notifications.html", {"page": page, "unread": unread})


# --- A center's QR code ---------------------------------------------------------------------------

QR_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


@login_required
def center_qr(request, code: str, fmt: str):
    """The QR code citizens scan to report to this center, to print and post at its door."""
    if fmt not in QR_FORMATS:
        raise Http404
    center = core_selectors.center_list_visible(user=request.user).filter(code=code, is_active=True).first()
    if center is None:
        raise Http404
    url = request.build_absolute_uri(reverse("public-form", args=[center.public_token]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=fmt, scale=10, border=4)
    response = HttpResponse(buffer.getvalue(), content_type=QR_FORMATS[fmt])
    response["Content-Disposition"] = f'inline; filename="qr-{center.code}.{fmt}"'
    return response


# --- Public pages (no login) ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_form(request, token: str):
    center = Center.objects.filter(public_token=token, is_active=True).first()
    if center is None:
        return render(request, "cases/public_invalid.html", status=404)
    form = forms.PublicReportForm(request.POST if request.method == "POST" else None, center=center)
    if request.method == "POST":
        if _throttled(request, "public"):
            return _too_many(request)
        if form.is_valid() and form.cleaned_data["website"]:
            # Only a robot fills the hidden field: it sees a thank-you, and nothing is kept.
            messages.success(request, _("Thank you, your report was received."))
            return redirect("public-form", token=token)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.public_report(
                    token=token,
                    name=data["name"],
                    phone=data["phone"],
                    kind=data["kind"],
                    title=data["title"],
                    facts=data["facts"],
                    place=data["place"],
                    honeypot=data["website"],
                    preferred=data.get("preferred", ""),
                )
            except DomainError as error:
                field = {"parties": "phone"}.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, str(error.message))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you, your report was received. Your receipt code is %(receipt)s. Keep it: "
                        "with it you can follow your report here and rate the outcome."
                    )
                    % {"receipt": case.receipt},
                )
                return redirect("receipt-status", receipt=case.receipt)
    return render(request, "cases/public_form.html", {"center": center, "form": form})


def receipt_lookup(request):
    form = forms.ReceiptLookupForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("receipt-status", receipt=form.cleaned_data["code"])
    return render(request, "cases/receipt_lookup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def receipt_status(request, receipt: str):
    """What a citizen may know about their report: the stage, the center, the times. Never a name,
    a phone number, the facts or the case number."""
    if _throttled(request, "public" if request.method == "POST" else "public_lookup"):
        return _too_many(request)
    case = selectors.case_by_receipt(receipt=receipt)
    if case is None:
        return render(request, "cases/receipt_unknown.html", {"form": forms.ReceiptLookupForm()}, status=404)
    status = public_status(case)
    here = reverse("receipt-status", args=[status["receipt"]])
    form = forms.PublicRatingForm(request.POST if request.method == "POST" else None) if status["can_rate"] else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This report cannot be rated now."))
            return see_other(here)
        if form.is_valid():
            try:
                services.rating_submit_public(receipt=status["receipt"], **form.cleaned_data)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Thank you for your rating."))
            return see_other(here)
    context = {
        "status": status,
        "received_at": datetime.fromisoformat(status["received_at"]),
        "updated_at": datetime.fromisoformat(status["updated_at"]),
        "form": form,
    }
    return render(request, "cases/receipt_status.html", context)

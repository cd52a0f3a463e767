"""Pages of hand-offs (三调对接): the list with the figures of the user's scope, the sender's forms
(court, police, petition office), one hand-off with the steps of both sides, and the court's file
import. Thin, like cases/views.py: reads are selectors, writes go through the API's serializers
(`HandoffCreateSerializer`, `run_handoff_verb`) into the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from cases import api_handoffs, forms, imports, refusals, selectors, services
from cases.models import Category, Handoff, Status
from cases.services.handoffs import OPEN_HANDOFF
from cases.views import FIELD_LABELS, PAGE_SIZE, _filter_params
from govcenter import access
from govcenter.access import Action
from govcenter.errors import DomainError
from govcenter.http import see_other
from govcenter.models import Center

Source = Handoff.Source
State = Handoff.State

SOURCE_SHORT = {
    Source.COURT: gettext_lazy("Court"),
    Source.POLICE: gettext_lazy("Police"),
    Source.PETITION: gettext_lazy("Petition office"),
}

SEND_LABELS = {
    Source.COURT: gettext_lazy("Transfer a pre-litigation case"),
    Source.POLICE: gettext_lazy("Push a 110 dispute alert"),
    Source.PETITION: gettext_lazy("Route a petition"),
}

# Input names of the hand-off forms and verbs, to say which field an error is about.
HANDOFF_FIELD_LABELS = {
    **FIELD_LABELS,
    "source": gettext_lazy("Source"),
    "external_ref": gettext_lazy("Reference number"),
    "sender_name": gettext_lazy("Sending authority"),
    "title": gettext_lazy("Summary"),
    "facts": gettext_lazy("Facts"),
    "place": gettext_lazy("Place"),
    "amount": gettext_lazy("Amount in dispute"),
    "claim": gettext_lazy("Claim"),
    "due_days": gettext_lazy("Time limit"),
    "days": gettext_lazy("Days"),
    "alert_at": gettext_lazy("Alert time"),
    "petition_category": gettext_lazy("Petition category"),
    "departments": gettext_lazy("Responsible department"),
    "filing_number": gettext_lazy("Filing number"),
    "status": gettext_lazy("Confirmation"),
    "parties": gettext_lazy("Parties"),
}

# The hand-off's own timeline.
EVENT_LABELS = {
    "send": gettext_lazy("handed over"),
    "receive": gettext_lazy("received by the center"),
    "accept": gettext_lazy("accepted by the center"),
    "return": gettext_lazy("returned to the sender"),
    "close": gettext_lazy("closed with the case"),
    "extend": gettext_lazy("time limit extended"),
    "confirmation-requested": gettext_lazy("judicial confirmation requested"),
    "confirmation-confirmed": gettext_lazy("judicially confirmed"),
    "confirmation-refused": gettext_lazy("judicial confirmation refused"),
    "file": gettext_lazy("filed at the court"),
}

# The case's steps the sender gets back as the mediation record.
OUTCOME_LABELS = {
    "assign-mediator": gettext_lazy("mediators assigned"),
    "resolve": gettext_lazy("resolved"),
    "fail": gettext_lazy("mediation failed"),
    "feedback": gettext_lazy("feedback given"),
    "hand-back": gettext_lazy("handed back"),
    "close": gettext_lazy("closed"),
    "escalate": gettext_lazy("escalated"),
}

VERB_LABELS = {
    "receive": gettext_lazy("Confirm receipt"),
    "accept": gettext_lazy("Accept the hand-off"),
    "hand-back": gettext_lazy("Return to the sender"),
    "extend": gettext_lazy("Extend the time limit"),
    "confirmation": gettext_lazy("Record judicial confirmation"),
    "file": gettext_lazy("File the case"),
}
POLICE_ACCEPT_LABEL = gettext_lazy("Take into long-term follow-up")

CONFIRMATION_NEXT = {
    "": ["requested", "confirmed", "refused"],
    "requested": ["confirmed", "refused"],
}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "诉前调解委派模板.xlsx"


# --- Helpers --------------------------------------------------------------------------------------


def _lines(detail, field: str | None = None) -> list[str]:
    return refusals.lines(detail, HANDOFF_FIELD_LABELS, field)


def error_lines(error: Exception) -> list[str]:
    """What went wrong, in lines for the user, from whichever layer refused."""
    return refusals.error_lines(error, HANDOFF_FIELD_LABELS)


def _may_send(user, source: str) -> bool:
    return source in access.sources_of(user)


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _is_late(handoff: Handoff, now) -> bool:
    """A court's time limit has passed while the center still has the case."""
    return bool(handoff.due_at and handoff.status in OPEN_HANDOFF and handoff.due_at < now)


# --- The list -------------------------------------------------------------------------------------


@login_required
def handoff_list(request):
    user = request.user
    params = _filter_params(request.GET)
    handoffs = selectors.handoff_list_visible(user=user).order_by("-sent_at", "-id")
    filterset = api_handoffs.HandoffFilter(params, queryset=handoffs)
    errors: list[str] = []
    if filterset.is_valid():
        try:
            rows = filterset.qs
        except (ApiValidationError, DomainError) as error:
            errors, rows = error_lines(error), handoffs.none()
    else:
        errors, rows = _lines(filterset.errors), handoffs.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # One query for the case links of the whole page, not one per row.
    visible = forms.visible_case_ids(user, [h.case_id for h in page if h.case_id])
    now = timezone.now()
    for handoff in page:
        handoff.case_visible = handoff.case_id in visible
        handoff.late = _is_late(handoff, now)
        handoff.source_short = SOURCE_SHORT.get(handoff.source, handoff.source)
    context = {
        "page": page,
        "errors": errors,
        "params": params,
        "querystring": params.urlencode(),
        "show_due": any(handoff.source == Source.COURT for handoff in page),
    }
    partial = request.htmx and not request.htmx.boosted
    if not partial:
        context |= _list_page_context(user, handoffs, params)
    response = render(request, "handoffs/_table.html" if partial else "handoffs/handoff_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _list_page_context(user, handoffs, params) -> dict:
    """The tabs, the sender's buttons and the figures around the table."""
    senders = access.sources_of(user)
    present = set(handoffs.order_by().values_list("source", flat=True).distinct())
    tab_sources = [source for source in Source.values if source in present or source in senders]
    court_sender = Source.COURT in senders
    came_back = handoffs.filter(source=Source.COURT, status=State.RETURNED).order_by().count() if court_sender else None
    current = params.get("source", "")
    came_back_active = current == Source.COURT and params.getlist("status") == [State.RETURNED]
    return {
        "show_tabs": len(tab_sources) > 1 or came_back is not None,
        "tabs": [
            {"source": "", "label": _("All"), "active": not current},
            *[
                {
                    "source": source,
                    "label": SOURCE_SHORT[source],
                    "active": current == source and not came_back_active,
                }
                for source in tab_sources
            ],
        ],
        "came_back": came_back,
        "came_back_active": came_back_active,
        "send_buttons": [{"source": source, "label": SEND_LABELS[source]} for source in senders],
        "court_sender": court_sender,
        "statuses": State.choices,
        "figures": _figures(user, present),
    }


def _figures(user, present: set[str]) -> list[dict]:
    """The figures of the sources the user's hand-offs come from, over the user's whole scope."""
    blocks = []
    if Source.COURT in present:
        court = selectors.court_figures(user=user)
        blocks.append(
            {
                "source": Source.COURT,
                "title": Source.COURT.label,
                "items": [
                    (_("registered"), court["sent"], ""),
                    (_("diverted to centers"), court["diverted"], ""),
                    (_("diversion rate"), _percent(court["diversion_rate"]), ""),
                    (_("mediated successfully"), court["succeeded"], ""),
                    (_("success rate"), _percent(court["success_rate"]), ""),
                    (_("back at the court"), court["returned"], "warn" if court["returned"] else ""),
                    (_("judicially confirmed"), court["confirmed"], ""),
                ],
            }
        )
    if Source.POLICE in present:
        police = selectors.police_figures(user=user)
        blocks.append(
            {
                "source": Source.POLICE,
                "title": Source.POLICE.label,
                "items": [
                    (_("alerts pushed"), police["received"], ""),
                    (_("taken on by the center"), police["accepted"], ""),
                    (_("resolved"), police["resolved"], ""),
                    (_("resolved rate"), _percent(police["resolved_rate"]), ""),
                    (_("repeated alerts"), police["repeated"], "warn" if police["repeated"] else ""),
                ],
            }
        )
    if Source.PETITION in present:
        petition = selectors.petition_figures(user=user)
        labels = dict(Handoff.PetitionCategory.choices)
        blocks.append(
            {
                "source": Source.PETITION,
                "title": Source.PETITION.label,
                "items": [
                    (_("petitions"), petition["total"], ""),
                    (_("handled on time"), petition["on_time"], ""),
                    (_("repeat petitions"), petition["repeat"], "warn" if petition["repeat"] else ""),
                ],
                "by_category": [
                    {
                        **row,
                        "label": labels.get(row["petition_category"], row["petition_category"]),
                        "on_time_rate": _percent(row["on_time_rate"]),
                    }
                    for row in petition["by_category"]
                ],
            }
        )
    return blocks


# --- Sending --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handoff_new(request, source: str):
    if source not in Source.values:
        raise Http404
    if not _may_send(request.user, source):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.HANDOFF_FORMS[source](data, user=request.user)
    parties = forms.party_forms(data)
    party_errors: list[str] = []
    # "check" re-renders the form with the catalog hint, without sending (the page without JS).
    if data is not None and "check" not in data:
        valid = [form.is_valid(), *[party.is_valid() for party in parties]]
        if all(valid):
            try:
                handoff = _send(request, form, parties)
            except (ApiValidationError, DomainError) as error:
                _send_error(form, parties, error, party_errors)
            else:
                _sent_message(request, handoff)
                return redirect(handoff)
    context = {
        "source": source,
        "source_label": Source(source).label,
        "send_label": SEND_LABELS[source],
        "form": form,
        "parties": parties,
        "party_errors": party_errors,
        "diversion": _diversion_hint(request.user, form) if source == Source.COURT else None,
    }
    return render(request, "handoffs/handoff_new.html", context)


def _send(request, form, parties) -> Handoff:
    """The same payload as POST /api/v1/handoffs/, through its serializer, into the service."""
    filled = [payload for payload in (forms.party_payload(party) for party in parties) if payload]
    serializer = api_handoffs.HandoffCreateSerializer(data=form.payload(filled))
    serializer.is_valid(raise_exception=True)
    return services.handoff_send(actor=request.user, data=serializer.to_input())


def _send_error(form, parties, error, party_errors: list[str]) -> None:
    """Put a refusal next to the field it is about; what the user typed stays in the form."""
    if isinstance(error, DomainError):
        if error.field == "parties":
            party_errors.append(str(error.message))
        else:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return
    detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
    filled = [party for party in parties if party.filled]
    for key, value in detail.items():
        if key == "parties" and isinstance(value, list) and any(isinstance(item, dict) for item in value):
            for party, problems in zip(filled, value, strict=False):
                for name, lines in (problems or {}).items():
                    party.add_error(name if name in party.fields else None, _lines(lines))
        elif key == "parties":
            party_errors.extend(_lines(value))
        elif key in form.fields:
            form.add_error(key, _lines(value))
        else:
            form.add_error(None, _lines(value, key))


def _sent_message(request, handoff: Handoff) -> None:
    if handoff.case is None:
        text = _("%(ref)s was recorded as kept at the court.") % {"ref": handoff.external_ref}
    elif handoff.case.report_count > 1:
        text = _("%(ref)s was handed over to %(center)s and joined the open case %(number)s of the same people.") % {
            "ref": handoff.external_ref,
            "center": handoff.center.name,
            "number": handoff.case.number,
        }
    else:
        text = _("%(ref)s was handed over to %(center)s as case %(number)s.") % {
            "ref": handoff.external_ref,
            "center": handoff.center.name,
            "number": handoff.case.number,
        }
    messages.success(request, text)


def _diversion_hint(user, form) -> Category | None:
    """The chosen category when the court's diversion catalog lists it."""
    category = form.chosen_category
    return category if selectors.in_diversion_catalog(user, category, form.chosen_center) else None


@login_required
@require_GET
def handoff_diversion_hint(request):
    """The catalog hint under the court form's category (htmx, when the category changes)."""
    if not _may_send(request.user, Source.COURT):
        raise PermissionDenied
    code = request.GET.get("category", "")
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    center = request.GET.get("center", "").strip()
    hit = category if selectors.in_diversion_catalog(request.user, category, center) else None
    return render(request, "handoffs/_diversion_hint.html", {"diversion": hit})


@login_required
@require_GET
def handoff_departments(request):
    """The petition form's department options for the chosen center (htmx, when the center changes)."""
    if not _may_send(request.user, Source.PETITION):
        raise PermissionDenied
    groups = forms.petition_department_choices(request.user, request.GET.get("center", "").strip())
    return render(
        request,
        "handoffs/_department_options.html",
        {"groups": groups, "selected": request.GET.get("departments", "")},
    )


# --- One hand-off ---------------------------------------------------------------------------------


@login_required
def handoff_detail(request, handoff_id: int):
    return _detail_page(request, handoff_id)


def _detail_page(request, handoff_id: int, refused: dict | None = None):
    """The hand-off page; `refused` reopens the form of a step refused for its input, each error
    next to its input and what was typed kept (answered 400)."""
    user = request.user
    handoff = selectors.handoff_get_visible(user=user, handoff_id=handoff_id)
    if handoff is None:
        raise Http404
    case = handoff.case
    events = [
        {
            "event": e,
            "label": EVENT_LABELS.get(e.verb, e.verb),
            "to": _state_label(e.to_status),
            "note": "" if e.note == handoff.external_ref else e.note,  # sending notes the reference
        }
        for e in handoff.events.all()
    ]
    outcome = [
        {**step, "label": OUTCOME_LABELS.get(step["verb"], step["verb"]), "status_label": _case_status(step["status"])}
        for step in api_handoffs.HandoffDetailSerializer().get_outcome(handoff)
    ]
    sender_center = Center.objects.filter(code=handoff.sender_code).first()
    context = {
        "handoff": handoff,
        "case": case,
        "case_visible": case is not None and access.can(user, Action.CASE_VIEW, case),
        "events": events,
        "outcome": outcome,
        "sender_center": sender_center,
        "late": _is_late(handoff, timezone.now()),
        "actions": _actions(handoff, user),
    }
    if refused is not None:
        for action in context["actions"]:
            if action["verb"] == refused["verb"]:
                action.update(errors=refused["errors"], data=refused["data"], open=True)
    return render(request, "handoffs/handoff_detail.html", context, status=400 if refused else 200)


def _state_label(status: str) -> str:
    return State(status).label if status in State.values else status


def _case_status(status: str) -> str:
    return Status(status).label if status in Status.values else status


def _actions(handoff: Handoff, user) -> list[dict]:
    """The forms of what the user may do to the hand-off now: the center's side, then the court's."""
    actions = []
    status = handoff.status
    if access.can(user, Action.HANDOFF_RECEIVE, handoff):
        if status == State.SENT:
            actions.append({"verb": "receive"})
        if status in (State.SENT, State.RECEIVED):
            label = POLICE_ACCEPT_LABEL if handoff.source == Source.POLICE else VERB_LABELS["accept"]
            actions.append({"verb": "accept", "label": label})
        if status in OPEN_HANDOFF:
            actions.append({"verb": "hand-back"})
    if handoff.source == Source.COURT and access.can(user, Action.HANDOFF_SENDER, handoff):
        if status in OPEN_HANDOFF and not handoff.extended_at:
            actions.append({"verb": "extend"})
        resolved = handoff.case is not None and handoff.case.resolved_level is not None
        if resolved and handoff.confirmation in CONFIRMATION_NEXT:
            choices = dict(Handoff.Confirmation.choices)
            options = [(value, choices[value]) for value in CONFIRMATION_NEXT[handoff.confirmation]]
            actions.append({"verb": "confirmation", "options": options})
        if status in (State.RETURNED, State.KEPT):
            actions.append({"verb": "file"})
    for action in actions:
        action.setdefault("label", VERB_LABELS[action["verb"]])
    # The next step is unfolded; the exceptions (an extension, a return) stay folded.
    first = next((a for a in actions if a["verb"] not in ("receive", "extend", "hand-back")), None)
    if first is not None:
        first["open"] = True
    return actions


# The inputs of each step's form on the hand-off page (templates/handoffs/_verb_form.html).
VERB_INPUTS = {
    "accept": {"note"},
    "hand-back": {"reason"},
    "extend": {"reason", "days"},
    "confirmation": {"status", "note"},
    "file": {"filing_number"},
}


def _input_errors(verb: str, error: Exception) -> dict | None:
    return refusals.input_errors(error, VERB_INPUTS.get(verb, set()), HANDOFF_FIELD_LABELS)


@login_required
@require_POST
def handoff_verb(request, handoff_id: int, verb: str):
    """One step from a form on the hand-off page, through the API's serializer and service."""
    if verb not in api_handoffs.HANDOFF_VERBS:
        raise Http404
    handoff = selectors.handoff_list_visible(user=request.user).filter(pk=handoff_id).first()
    if handoff is None:
        raise Http404
    try:
        api_handoffs.run_handoff_verb(verb, actor=request.user, handoff=handoff, data=request.POST)
    except (ApiValidationError, DomainError, DjangoValidationError, IntegrityError) as error:
        errors = _input_errors(verb, error)
        if errors is not None:
            return _detail_page(request, handoff.pk, {"verb": verb, "errors": errors, "data": request.POST})
        for line in error_lines(error):
            messages.error(request, line)
    else:
        label = POLICE_ACCEPT_LABEL if verb == "accept" and handoff.source == Source.POLICE else VERB_LABELS[verb]
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return see_other(reverse("handoff-detail", args=[handoff.pk]))


# --- The court's file import ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handoff_import(request):
    user = request.user
    if not _may_send(user, Source.COURT):
        raise PermissionDenied
    post = request.method == "POST"
    form = forms.HandoffImportForm(
        request.POST if post else None,
        request.FILES if post else None,
        initial={"sender_name": forms.sender_name_for(user, Source.COURT)},
    )
    row_errors: list = []
    if post and form.is_valid():
        try:
            handoffs = _import(user, form.cleaned_data)
        except imports.ImportRefused as refused:
            form.add_error(None, str(refused.message))
            row_errors = refused.errors
        except DomainError as error:
            form.add_error("file" if error.field == "file" else None, str(error.message))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d pre-litigation case was handed over.",
                    "%(count)d pre-litigation cases were handed over.",
                    len(handoffs),
                )
                % {"count": len(handoffs)},
            )
            return redirect(reverse("handoff-list") + f"?source={Source.COURT}")
    return render(request, "handoffs/handoff_import.html", {"form": form, "row_errors": row_errors})


def _import(user, data) -> list[Handoff]:
    """Every row checked, then all of them sent in one transaction, or nothing."""
    rows = imports.read_rows(data["file"])
    inputs = imports.court_handoffs(rows, actor=user, sender_name=data["sender_name"])
    if not inputs:
        raise DomainError(_("The file has no rows to import."), field="file")
    return services.handoff_import(actor=user, inputs=inputs)


@login_required
@require_GET
def handoff_import_template(request):
    if not _may_send(request.user, Source.COURT):
        raise PermissionDenied
    response = HttpResponse(imports.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response

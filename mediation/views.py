"""Pages of mediation: the mediator's desk, assigning mediators to a case, logging a session, the
agreement editor (draft, edit, supersede), the agreement with its signing and the check of each term.
Thin, like cases/views.py: reads are selectors, writes are the services of mediation/services.py,
and every right is asked of govcenter.access (out of scope: 404; in scope but not allowed: 403)."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import Case, Stage, Status
from cases.presenters import mask_id_number
from govcenter import access, audit
from govcenter.access import Action
from govcenter.divisions import ancestor_codes, is_within
from govcenter.errors import DomainError
from govcenter.http import see_other
from govcenter.models import Role
from mediation import forms, selectors, services
from mediation.models import Agreement, AgreementTerm, Assignment, MediationOrg, MediationSession, Mediator
from mediation.numerals import yuan_in_capitals

# The desk lists this many rows per section; the rest are in the case list.
DESK_LIMIT = 50
# The assignment page shows this many suggestions until all are asked for.
SUGGESTIONS_SHOWN = 10

LIVE_AGREEMENT = (Agreement.State.DRAFT, Agreement.State.SIGNED)
# A case takes an agreement while in mediation or just after the session that reached it.
AGREEMENT_STATUSES = (Status.IN_MEDIATION, Status.RESOLVED)

DISTANCE_WORDS = {
    "own": gettext_lazy("Own center"),
    "above": gettext_lazy("Higher center"),
    "below": gettext_lazy("Lower center"),
    "near": gettext_lazy("Neighbouring center"),
}

SESSION_DONE = {
    MediationSession.Outcome.CONTINUE: gettext_lazy("The session was recorded; the case stays in mediation."),
    MediationSession.Outcome.AGREED: gettext_lazy(
        "The session was recorded and the case is resolved. Draft the agreement next."
    ),
    MediationSession.Outcome.FAILED: gettext_lazy("The session was recorded; the mediation ended without agreement."),
    MediationSession.Outcome.WITHDRAWN: gettext_lazy("The session was recorded; the applicant withdrew."),
}


# --- Helpers --------------------------------------------------------------------------------------


def _visible_case(request, case_id: int, action: Action | None = None) -> Case:
    """The case if the user sees it (else 404) and, when asked, may take `action` on it (else 403)."""
    case = case_selectors.case_list_visible(user=request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    if action is not None and not access.can(request.user, action, case):
        raise PermissionDenied
    return case


def _visible_agreement(request, agreement_id: int, action: Action | None = None) -> Agreement:
    agreement = (
        selectors.agreement_list_visible(user=request.user)
        .select_related("case__center", "case__category", "supersedes", "drafted_by")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise Http404
    if action is not None and not access.can(request.user, action, agreement.case):
        raise PermissionDenied
    return agreement


def _live_assignments(case: Case) -> list[Assignment]:
    return list(
        Assignment.objects.filter(case=case, ended_at__isnull=True)
        .select_related("mediator__org", "assigned_by")
        .order_by("assigned_at", "id")
    )


def _candidates(case: Case) -> list[Mediator]:
    """The mediators in reach of the case, in the order of the suggestions."""
    return [row["mediator"] for row in selectors.suggest_mediators(case=case, limit=1000)]


def _distance_words(mediator_code: str, case_code: str) -> str:
    if mediator_code == case_code:
        return DISTANCE_WORDS["own"]
    if is_within(case_code, mediator_code):
        return DISTANCE_WORDS["above"]
    if is_within(mediator_code, case_code):
        return DISTANCE_WORDS["below"]
    return DISTANCE_WORDS["near"]


def _stage_label(stage: str) -> str:
    return Stage(stage).label if stage in Stage.values else stage


def _put_error(form, error: DomainError, fallback: list[str] | None = None) -> None:
    """A refusal next to the field it is about; otherwise at the top of the form (or in `fallback`)."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, str(error.message))
    elif fallback is not None:
        fallback.append(str(error.message))
    else:
        form.add_error(None, str(error.message))


def _form_error_lines(form) -> list[str]:
    return [
        f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
        for name, errors in form.errors.items()
        for message in errors
    ]


def _live_agreements(case_ids) -> dict[int, Agreement]:
    """The current agreement (draft or signed) of each case, in one query."""
    rows = Agreement.objects.filter(case_id__in=list(case_ids), status__in=LIVE_AGREEMENT).only(
        "pk", "case_id", "status", "number"
    )
    return {agreement.case_id: agreement for agreement in rows}


# --- The desk -------------------------------------------------------------------------------------


def _desk_row(case: Case, agreement: Agreement | None, may_resolve: bool, mediators=()) -> dict:
    return {
        "case": case,
        "next_stage": _stage_label(case.next_stage) if case.next_stage else "",
        "agreement": agreement,
        "may_log": may_resolve and case.status == Status.IN_MEDIATION,
        "may_draft": may_resolve and agreement is None and case.status in AGREEMENT_STATUSES,
        "mediators": mediators,
    }


@login_required
def desk(request):
    """A mediator's cases by next deadline; a center's cases in mediation for its clerks and
    directors; for both the terms whose date has come and the agreements waiting for signatures."""
    user = request.user
    roster = Mediator.objects.filter(user=user).select_related("org").first()
    resolve_roots = access.roots(user, Action.CASE_RESOLVE)
    context = {
        "roster": roster,
        "mediator_role": any(seat.role == Role.MEDIATOR for seat in access.seats(user)),
        "today": timezone.localdate(),
    }
    if roster is not None:
        # The category's parent names the row's category (`Category.__str__`).
        mine = selectors.my_assignments(user=user).select_related("case__category__parent")
        assignments = list(mine[:DESK_LIMIT])
        agreements = _live_agreements(a.case_id for a in assignments)
        context["my_cases"] = [_desk_row(a.case, agreements.get(a.case_id), True) for a in assignments]
    if roster is None or resolve_roots or user.is_superuser:
        context |= _center_cases(user, resolve_roots)
    checks = selectors.fulfilment_checks_due(user=user, today=context["today"])
    context["checks_due"] = list(checks[:DESK_LIMIT])
    drafts = (
        selectors.agreement_list_visible(user=user)
        .prefetch_related(None)
        .filter(status=Agreement.State.DRAFT)
        .order_by("created_at", "id")
    )
    context["drafts"] = list(drafts[:DESK_LIMIT])
    return render(request, "mediation/desk.html", context)


def _center_cases(user, resolve_roots: list[str]) -> dict:
    cases = (
        case_selectors.case_list_visible(user=user)
        .filter(status=Status.IN_MEDIATION)
        .prefetch_related(
            Prefetch(
                "mediator_assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related("mediator"),
                to_attr="live_assignments",
            )
        )
        .order_by(F("next_due_at").asc(nulls_last=True), "id")
    )
    rows = list(cases[: DESK_LIMIT + 1])
    more, rows = len(rows) > DESK_LIMIT, rows[:DESK_LIMIT]
    agreements = _live_agreements(case.pk for case in rows)

    def may_resolve(case: Case) -> bool:
        return user.is_superuser or any(is_within(case.center_code, root) for root in resolve_roots)

    return {
        "center_cases": [
            _desk_row(
                case,
                agreements.get(case.pk),
                may_resolve(case),
                [assignment.mediator for assignment in case.live_assignments],
            )
            for case in rows
        ],
        "center_more": more,
    }


# --- Assigning mediators --------------------------------------------------------------------------


def _suggestion_rows(case: Case, ranking: list[dict], live_ids: set[int], chosen: set[int]) -> list[dict]:
    return [
        {
            "mediator": row["mediator"],
            "specialty": row["specialty"],
            "caseload": row["caseload"],
            "where": _distance_words(row["mediator"].center_code, case.center_code),
            "assigned": row["mediator"].pk in live_ids,
            "chosen": row["mediator"].pk in chosen,
        }
        for row in ranking
    ]


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, case_id: int):
    case = _visible_case(request, case_id, Action.CASE_ASSIGN_MEDIATOR)
    ranking = selectors.suggest_mediators(case=case, limit=1000)
    data = request.POST if request.method == "POST" else None
    form = forms.AssignForm(data, ranking=ranking, initial={"version": case.version})
    if data is not None and form.is_valid():
        chosen = form.cleaned_data["mediators"]
        try:
            services.assign(
                actor=request.user,
                case=case,
                mediators=chosen,
                note=form.cleaned_data["note"],
                reasons={row["mediator"].pk: row["reasons"] for row in ranking},
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(
                request,
                _("Assigned to the case: %(names)s.") % {"names": "、".join(mediator.name for mediator in chosen)},
            )
            return see_other(reverse("mediation-assign", args=[case.pk]))
    live = _live_assignments(case)
    live_ids = {assignment.mediator_id for assignment in live}
    chosen_ids = {int(pk) for pk in (data.getlist("mediators") if data else []) if pk.isdigit()}
    show_all = request.GET.get("all") == "1" or len(ranking) <= SUGGESTIONS_SHOWN or bool(chosen_ids)
    rows = _suggestion_rows(case, ranking, live_ids, chosen_ids)
    context = {
        "case": case,
        "form": form,
        "suggestions": rows if show_all else rows[:SUGGESTIONS_SHOWN],
        "hidden_count": 0 if show_all else len(rows) - SUGGESTIONS_SHOWN,
        "assignments": live,
        "may_assign_now": "assign-mediator" in case_services.allowed_verbs(case, request.user),
    }
    return render(request, "mediation/assign.html", context)


@login_required
@require_POST
def unassign(request, case_id: int, assignment_id: int):
    case = _visible_case(request, case_id, Action.CASE_ASSIGN_MEDIATOR)
    assignment = Assignment.objects.select_related("mediator").filter(case=case, pk=assignment_id).first()
    if assignment is None:
        raise Http404
    form = forms.UnassignForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.unassign(actor=request.user, assignment=assignment, reason=reason)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(name)s is no longer on the case.") % {"name": assignment.mediator.name})
    return see_other(reverse("mediation-assign", args=[case.pk]))


# --- Sessions -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, case_id: int):
    case = _visible_case(request, case_id, Action.CASE_RESOLVE)
    live = _live_assignments(case)
    data = request.POST if request.method == "POST" else None
    form = forms.SessionForm(
        data, candidates=_candidates(case), assigned_ids={assignment.mediator_id for assignment in live}
    )
    if data is not None and form.is_valid():
        try:
            session = services.session_log(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, SESSION_DONE[session.outcome])
            return see_other(reverse("case-detail", args=[case.pk]))
    context = {"case": case, "form": form, "assignments": live, "open": case.status == Status.IN_MEDIATION}
    return render(request, "mediation/session_form.html", context)


@login_required
def session_list(request, case_id: int):
    """The mediation of one case: its mediators, its sessions and its agreements."""
    case = _visible_case(request, case_id)
    user = request.user
    may_resolve = access.can(user, Action.CASE_RESOLVE, case)
    sessions = selectors.session_list_visible(user=user).filter(case=case).order_by("-held_at", "-id")
    agreements = list(
        selectors.agreement_list_visible(user=user).prefetch_related(None).filter(case=case).order_by("-version", "-id")
    )
    context = {
        "case": case,
        "sessions": sessions,
        "assignments": _live_assignments(case),
        "agreements": agreements,
        "may_assign": access.can(user, Action.CASE_ASSIGN_MEDIATOR, case),
        "may_print": access.can(user, Action.CASE_PII_VIEW, case),
        "may_log": may_resolve and case.status == Status.IN_MEDIATION,
        "may_draft": may_resolve
        and case.status in AGREEMENT_STATUSES
        and not any(a.status in LIVE_AGREEMENT for a in agreements),
    }
    return render(request, "mediation/sessions.html", context)


# --- The agreement editor -------------------------------------------------------------------------


def _orgs_for(user, case: Case) -> list[MediationOrg]:
    """The organisations the user may draft under: the case's center's first, then those above it
    from the nearest, then the rest of the user's reach."""
    chain = [case.center_code, *reversed(ancestor_codes(case.center_code))]

    def rank(org: MediationOrg):
        if org.center_code in chain:
            return (0, chain.index(org.center_code), "", org.name)
        return (1, 0, org.center_code, org.name)

    return sorted(selectors.org_list_visible(user=user).filter(is_active=True), key=rank)


def _editor_context(case: Case, form, terms, parties, **extra) -> dict:
    return {"case": case, "form": form, "terms": terms, "parties": list(parties), **extra}


def _agreement_error(form, error: DomainError, term_errors: list[str]) -> None:
    if error.field == "terms":
        term_errors.append(str(error.message))
    else:
        _put_error(form, error)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request, case_id: int):
    case = _visible_case(request, case_id, Action.CASE_RESOLVE)
    existing = Agreement.objects.filter(case=case, status__in=LIVE_AGREEMENT).first()
    if existing is not None:
        messages.info(request, _("This case already has an agreement: %(number)s.") % {"number": existing.number})
        target = "mediation-agreement-edit" if existing.status == Agreement.State.DRAFT else "mediation-agreement"
        return see_other(reverse(target, args=[existing.pk]))
    live = _live_assignments(case)
    assigned_ids = {assignment.mediator_id for assignment in live}
    data = request.POST if request.method == "POST" else None
    more_rows = data is not None and "add_rows" in data
    form = forms.AgreementForm(
        data,
        orgs=_orgs_for(request.user, case),
        candidates=_candidates(case),
        assigned_ids=assigned_ids,
        initial={"facts": case.facts, "disputed_matters": case.title, "mediators": sorted(assigned_ids)},
    )
    terms = forms.term_formset(data, more_rows=more_rows)
    term_errors: list[str] = []
    if data is not None and not more_rows and all([form.is_valid(), terms.is_valid()]):
        try:
            agreement = services.agreement_draft(
                actor=request.user,
                case=case,
                org=form.cleaned_data["org"],
                data=forms.agreement_input(form, terms),
            )
        except DomainError as error:
            _agreement_error(form, error, term_errors)
        else:
            messages.success(
                request,
                _("Agreement %(number)s was drafted. Print it, have it signed, then upload the signed scan.")
                % {"number": agreement.number},
            )
            return see_other(reverse("mediation-agreement", args=[agreement.pk]))
    context = _editor_context(
        case,
        form,
        terms,
        case.parties.all(),
        term_errors=term_errors,
        agreement=None,
        open=case.status in AGREEMENT_STATUSES,
        no_orgs=not form.fields["org"].choices,
    )
    return render(request, "mediation/agreement_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, agreement_id: int):
    """A draft is edited; a signed agreement is read-only and is corrected by a new version that
    supersedes it (a reason and the same editor); a superseded one is history."""
    agreement = _visible_agreement(request, agreement_id, Action.CASE_RESOLVE)
    case = agreement.case
    signed = agreement.status == Agreement.State.SIGNED
    data = request.POST if request.method == "POST" else None
    superseding = signed and (data is None or data.get("action") == "supersede")
    more_rows = data is not None and "add_rows" in data
    form = forms.AgreementForm(
        data,
        orgs=None,
        candidates=_candidates(case),
        assigned_ids={m.pk for m in agreement.mediators.all()},
        supersede=signed,
        initial={
            "facts": agreement.facts,
            "disputed_matters": agreement.disputed_matters,
            "responsibilities": agreement.responsibilities,
            "copies": agreement.copies,
            "mediators": [m.pk for m in agreement.mediators.all()],
        },
    )
    if signed and not superseding:
        form.fields["reason"].required = False
    terms = forms.term_formset(data, terms=agreement.terms.all(), more_rows=more_rows)
    term_errors: list[str] = []
    if data is not None and not more_rows and all([form.is_valid(), terms.is_valid()]):
        body = forms.agreement_input(form, terms)
        try:
            if superseding:
                new = services.agreement_supersede(
                    actor=request.user, agreement=agreement, data=body, reason=form.cleaned_data["reason"]
                )
            else:
                services.agreement_edit(actor=request.user, agreement=agreement, data=body)
        except DomainError as error:
            if error.field:
                _agreement_error(form, error, term_errors)
            else:  # the agreement's state refused it: say so where the page's messages are
                messages.error(request, str(error.message))
        else:
            if superseding:
                messages.success(
                    request,
                    _("Version %(version)d replaces %(number)s. Print it and have it signed again.")
                    % {"version": new.version, "number": agreement.number},
                )
                return see_other(reverse("mediation-agreement", args=[new.pk]))
            messages.success(request, _("The draft %(number)s was saved.") % {"number": agreement.number})
            return see_other(reverse("mediation-agreement", args=[agreement.pk]))
    context = _editor_context(
        case,
        form,
        terms,
        agreement.parties.all(),
        term_errors=term_errors,
        agreement=agreement,
        open=agreement.status != Agreement.State.SUPERSEDED,
        superseded_by=Agreement.objects.filter(supersedes=agreement).first(),
    )
    return render(request, "mediation/agreement_form.html", context)


# --- One agreement --------------------------------------------------------------------------------


@login_required
def agreement_detail(request, agreement_id: int):
    agreement = _visible_agreement(request, agreement_id)
    case = agreement.case
    user = request.user
    show_pii = access.can(user, Action.CASE_PII_VIEW, case)
    may_resolve = access.can(user, Action.CASE_RESOLVE, case)
    party_rows = list(agreement.parties.all())
    if show_pii and any(p.id_number for p in party_rows):
        audit.record(
            actor=user,
            action="mediation.agreement_pii_view",
            obj=agreement,
            center_code=agreement.center_code,
            data={"number": agreement.number},
        )
    today = timezone.localdate()
    signed = agreement.status == Agreement.State.SIGNED
    terms = [
        {
            "term": term,
            "capitals": yuan_in_capitals(term.amount) if term.amount is not None else "",
            "due": signed and term.fulfilment == AgreementTerm.Fulfilment.PENDING and term.due_date <= today,
            "form": forms.TermCheckForm(auto_id=f"term{term.position}-%s") if signed and may_resolve else None,
        }
        for term in agreement.terms.all()
    ]
    counts = {state: 0 for state in AgreementTerm.Fulfilment.values}
    for row in terms:
        counts[row["term"].fulfilment] += 1
    context = {
        "agreement": agreement,
        "case": case,
        "fulfilment": [
            {"state": state, "label": label, "count": counts[state]}
            for state, label in AgreementTerm.Fulfilment.choices
            if counts[state]
        ]
        if agreement.status != Agreement.State.DRAFT
        else [],
        "checks_due": sum(1 for row in terms if row["due"]),
        # Sex, birth date and address are the masked middle of an ID number: shown with it or not at all.
        "parties": [
            {
                "party": p,
                "id_number": p.id_number if show_pii else mask_id_number(p.id_number),
                "sex": p.sex if show_pii else "",
                "birth_date": p.birth_date if show_pii else None,
                "address": p.address if show_pii else "",
            }
            for p in party_rows
        ],
        "show_pii": show_pii,
        "terms": terms,
        "mediators": list(agreement.mediators.all()),
        "superseded_by": Agreement.objects.filter(supersedes=agreement).first(),
        "may_edit": may_resolve and agreement.status == Agreement.State.DRAFT,
        "may_supersede": may_resolve and signed,
        "may_print": show_pii,
        "sign_form": forms.SignForm() if may_resolve and agreement.status == Agreement.State.DRAFT else None,
    }
    return render(request, "mediation/agreement_detail.html", context)


@login_required
@require_POST
def agreement_sign(request, agreement_id: int):
    agreement = _visible_agreement(request, agreement_id, Action.CASE_RESOLVE)
    form = forms.SignForm(request.POST, request.FILES)
    if not form.is_valid():
        for line in _form_error_lines(form):
            messages.error(request, line)
    else:
        try:
            services.agreement_sign(
                actor=request.user,
                agreement=agreement,
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("Agreement %(number)s is signed and can no longer be changed.") % {"number": agreement.number},
            )
    return see_other(reverse("mediation-agreement", args=[agreement.pk]))


@login_required
@require_POST
def term_check(request, agreement_id: int, position: int):
    agreement = _visible_agreement(request, agreement_id, Action.CASE_RESOLVE)
    term = next((t for t in agreement.terms.all() if t.position == position), None)
    if term is None:
        raise Http404
    form = forms.TermCheckForm(request.POST)
    if not form.is_valid():
        for line in _form_error_lines(form):
            messages.error(request, line)
    else:
        try:
            term = services.term_check(actor=request.user, term=term, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("Term %(n)d: %(state)s.") % {"n": term.position, "state": term.get_fulfilment_display()},
            )
    return see_other(reverse("mediation-agreement", args=[agreement.pk]) + f"#term-{position}")


@login_required
def agreement_scan(request, agreement_id: int):
    """The signed scan carries the parties' signatures and identity numbers: those who may see
    them open it, and it is recorded."""
    agreement = _visible_agreement(request, agreement_id, Action.CASE_PII_VIEW)
    if not agreement.signed_scan:
        raise Http404
    try:
        handle = agreement.signed_scan.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit.record(
        actor=request.user,
        action="mediation.agreement_scan_view",
        obj=agreement,
        center_code=agreement.center_code,
        data={"number": agreement.number},
    )
    return FileResponse(handle, filename=PurePath(agreement.signed_scan.name).name)

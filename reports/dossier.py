"""The case dossier (人民调解卷宗): one case's file as an auditor carries it away, as a PDF, and the two
kinds of export that make it: `case_dossier` (one case) and `case_dossiers` (every case of a case-list
filter, one PDF each, in a ZIP).

The dossier follows the order of a people's-mediation case file: cover, contents, intake register,
notice of rights and duties, identity proof, investigation, evidence list, mediation records,
agreement, performance, follow-up, judicial confirmation, the case's whole timeline, and the notes
sheet (备考表) last, as in a bound file. It is a Chinese legal text, printed in Chinese whoever
exports it (like the agreement); identity and phone numbers are masked unless the one who exports
may see them, and a full view is audit-logged like one on the case page.
"""

import io
import re
import zipfile
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Attachment, Case, CaseEvent, Dispatch, Handoff, HandoffEvent, Party, Rating, Status
from cases.presenters import mask_id_number, mask_phone
from cases.selectors import case_list_visible
from govcenter import access, audit, documents
from govcenter.access import Action
from govcenter.divisions import common_ancestor
from govcenter.errors import DomainError
from govcenter.models import IssuedDocument
from mediation.models import Agreement, AgreementTerm, Assignment, MediationSession
from reports import exports

DOSSIER_TITLE = "人民调解卷宗"

# Retention (保管期限) as the provincial people's-mediation archive rules commonly set it: the file of a
# dispute settled by a written agreement (书面调解协议) is kept long-term, since the agreement binds the
# parties and may be confirmed or enforced by a court years later; every other file short-term. An
# agreement counts once signed, also when a corrected version later superseded it.
RETENTION_LONG = "长期"
RETENTION_SHORT = "短期"

# What the timeline's verbs are called in the file (a legal text in Chinese, not the UI's labels).
VERB_NAMES = {
    "create": "受理登记",
    "edit": "更正案件信息",
    "classify": "分类",
    "dispatch": "派单",
    "accept": "部门报到承接",
    "decline": "部门拒绝承接",
    "report": "承办部门报告",
    "escalate": "上报",
    "send-down": "交办下级",
    "assign-mediator": "指派调解员",
    "unassign-mediator": "撤回调解员指派",
    "session": "调解",
    "resolve": "办结",
    "fail": "调解不成",
    "feedback": "反馈",
    "follow-up": "回访",
    "close": "结案",
    "reopen": "重新办理",
    "hand-back": "退回移交机关",
    "pause": "暂停计时",
    "resume": "恢复计时",
    "attach": "添加材料",
    "link-report": "合并重复诉求",
    "confirm-outcome": "确认办理结果",
    "overdue": "超期",
    "rating": "满意度评价",
    "import": "从原系统导入",
}

# Timeline entries that record inquiry into the facts: the departments' reports on what they found and
# repeated reports of the same matter (with the patrol visit the case came from, if any).
INVESTIGATION_VERBS = ("report", "link-report")
# Timeline entries of the follow-up stage: feedback to the person and the follow-up visit or call.
FOLLOW_UP_VERBS = ("feedback", "follow-up")

FEEDBACK_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信", "letter": "信函", "online": "网上"}
HANDOFF_VERB_NAMES = {
    "confirmation-requested": "申请司法确认",
    "confirmation-confirmed": "司法确认",
    "confirmation-refused": "不予确认",
    "file": "立案",
}

# The sections in file order: (anchor, title). The contents page lists them with their pages.
SECTIONS = [
    ("intake", "受理登记表"),
    ("notice", "当事人权利义务告知书"),
    ("identity", "当事人身份证明"),
    ("investigation", "调查记录"),
    ("evidence", "证据目录"),
    ("sessions", "调解记录"),
    ("agreement", "人民调解协议书"),
    ("performance", "协议履行情况"),
    ("follow-up", "回访记录"),
    ("confirmation", "司法确认材料"),
    ("timeline", "附：案件办理流程记录"),
    ("notes", "卷内备考表"),
]
CHINESE_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    return str(n)


# --- Reading the case -------------------------------------------------------------------------------------


def _load_case(user, case_id) -> Case:
    case = (
        case_list_visible(user=user)
        .select_related("origin_center", "created_by", "visit__worker", "visit__grid")
        .prefetch_related(
            "parties",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by").order_by("uploaded_at")),
            Prefetch("dispatches", queryset=Dispatch.objects.select_related("department").order_by("dispatched_at")),
            Prefetch(
                "mediator_assignments",
                queryset=Assignment.objects.select_related("mediator__org").order_by("assigned_at"),
            ),
            Prefetch(
                "sessions",
                queryset=MediationSession.objects.select_related("recorded_by")
                .prefetch_related("mediators")
                .order_by("held_at", "id"),
            ),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("org")
                .prefetch_related(
                    "parties", "mediators", Prefetch("terms", queryset=AgreementTerm.objects.order_by("position"))
                )
                .order_by("-created_at", "-id"),
            ),
            Prefetch(
                "handoffs",
                queryset=Handoff.objects.prefetch_related(
                    Prefetch("events", queryset=HandoffEvent.objects.order_by("at", "id"))
                ).order_by("sent_at"),
            ),
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _current_agreement(agreements: list[Agreement]) -> Agreement | None:
    """The signed version that stands, else the newest draft, else the newest of any."""
    for state in (Agreement.State.SIGNED, Agreement.State.DRAFT):
        for agreement in agreements:  # newest first
            if agreement.status == state:
                return agreement
    return agreements[0] if agreements else None


def _person(user) -> str:
    if user is None:
        return "系统"
    return user.first_name or user.get_username()


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _status_label(value: str) -> str:
    return _label(Status, value) if value else ""


# --- The document's content ---------------------------------------------------------------------------


def _parties(case: Case, show_pii: bool) -> list[dict]:
    return [
        {
            "role": _label(Party.Role, party.role),
            "kind": _label(Party.PartyKind, party.party_kind),
            "is_organisation": party.party_kind == Party.PartyKind.ORGANISATION,
            "name": party.name,
            "id_number": party.id_number if show_pii else mask_id_number(party.id_number),
            "phone": party.phone if show_pii else mask_phone(party.phone),
            "address": party.address,
        }
        for party in case.parties.all()
    ]


def _mediators(case: Case, agreement: Agreement | None) -> list[str]:
    names: list[str] = []
    sources = [assignment.mediator for assignment in case.mediator_assignments.all()]
    for session in case.sessions.all():
        sources += list(session.mediators.all())
    if agreement is not None:
        sources += list(agreement.mediators.all())
    for mediator in sources:
        if mediator.name not in names:
            names.append(mediator.name)
    return names


def _event_row(event: CaseEvent) -> dict:
    data = event.data or {}
    detail = []
    if data.get("department"):
        detail.append(f"承办部门：{data['department']}")
    if event.verb == "feedback" and data.get("method"):
        detail.append(f"反馈方式：{FEEDBACK_METHODS.get(data['method'], data['method'])}")
    moved = event.from_status and event.to_status and event.from_status != event.to_status
    return {
        "at": _local(event.at),
        "actor": _person(event.actor) if event.actor_id else "系统",
        "verb": VERB_NAMES.get(event.verb, event.verb),
        "change": f"{_status_label(event.from_status)} → {_status_label(event.to_status)}" if moved else "",
        "note": event.note,
        "detail": "；".join(detail),
    }


def _investigation(case: Case, events: list[CaseEvent]) -> dict:
    visit = None
    if case.visit_id:
        v = case.visit
        visit = {
            "at": _local(v.visited_at),
            "worker": _person(v.worker),
            "grid": v.grid.name,
            "place": v.place,
            "person": v.person,
            "notes": v.notes,
        }
    dispatches = [
        {
            "department": d.department.name,
            "dispatched_at": _local(d.dispatched_at),
            "instructions": d.instructions,
            "status": _label(Dispatch.State, d.status),
            "result": d.result,
        }
        for d in case.dispatches.all()
    ]
    rows = [_event_row(e) for e in events if e.verb in INVESTIGATION_VERBS]
    return {"visit": visit, "dispatches": dispatches, "events": rows}


def _sessions(case: Case) -> list[dict]:
    return [
        {
            "held_at": _local(s.held_at),
            "place": s.place,
            "mediators": "、".join(m.name for m in s.mediators.all()),
            "attendees": s.attendees,
            "notes": s.notes,
            "next_steps": s.next_steps,
            "outcome": _label(MediationSession.Outcome, s.outcome),
            "recorded_by": _person(s.recorded_by),
        }
        for s in case.sessions.all()
    ]


def _agreement(agreement: Agreement | None, show_pii: bool) -> dict | None:
    if agreement is None:
        return None
    return {
        "number": agreement.number,
        "org": agreement.org.name,
        "status": _label(Agreement.State, agreement.status),
        "is_signed": agreement.status == Agreement.State.SIGNED,
        "signed_at": agreement.signed_at,
        "facts": agreement.facts,
        "disputed_matters": agreement.disputed_matters,
        "responsibilities": agreement.responsibilities,
        "copies": agreement.copies,
        "mediators": "、".join(m.name for m in agreement.mediators.all()),
        "parties": [
            {
                "role": _label(Party.Role, p.role),
                "name": p.name,
                "id_number": p.id_number if show_pii else mask_id_number(p.id_number),
                # The address gives a person away as an ID number does (as on the agreement's page).
                "address": p.address if show_pii else "",
            }
            for p in agreement.parties.all()
        ],
        "terms": [
            {
                "ordinal": _numeral(t.position),
                "text": t.text,
                "manner": t.manner,
                "place": t.place,
                "due_date": t.due_date,
                "amount": f"{t.amount:,.2f}" if t.amount is not None else "",
                "fulfilment": _label(AgreementTerm.Fulfilment, t.fulfilment),
                "checked_at": t.checked_at,
                "note": t.fulfilment_note,
            }
            for t in agreement.terms.all()
        ],
    }


def _confirmations(case: Case) -> list[dict]:
    rows = []
    for handoff in case.handoffs.all():
        if handoff.source != Handoff.Source.COURT:
            continue
        rows.append(
            {
                "court": handoff.sender_name or handoff.sender_code,
                "reference": handoff.external_ref,
                "sent_at": _local(handoff.sent_at),
                "confirmation": _label(Handoff.Confirmation, handoff.confirmation)
                if handoff.confirmation
                else "未申请",
                "confirmation_at": _local(handoff.confirmation_at),
                "filing_number": handoff.filing_number,
                "filed_at": _local(handoff.filed_at),
                "events": [
                    {"at": _local(e.at), "verb": HANDOFF_VERB_NAMES[e.verb], "note": e.note}
                    for e in handoff.events.all()
                    if e.verb in HANDOFF_VERB_NAMES
                ],
            }
        )
    return rows


def _follow_up(case: Case, events: list[CaseEvent]) -> dict:
    rating = Rating.objects.filter(case=case).first()
    return {
        "events": [_event_row(e) for e in events if e.verb in FOLLOW_UP_VERBS],
        "rating": {
            "value": _label(Rating.Value, rating.value),
            "comment": rating.comment,
            "source": _label(Rating.Source, rating.source),
            "at": _local(rating.rated_at),
        }
        if rating
        else None,
    }


def dossier_context(*, case: Case, actor, show_pii: bool) -> dict:
    """Everything the dossier prints, in Chinese (call under the zh-hans override)."""
    agreements = list(case.agreements.all())
    agreement = _current_agreement(agreements)
    ever_signed = any(a.status in (Agreement.State.SIGNED, Agreement.State.SUPERSEDED) for a in agreements)
    events = list(case.events.all())
    mediators = _mediators(case, agreement)
    orgs = []
    for name in [agreement.org.name] if agreement else [a.mediator.org.name for a in case.mediator_assignments.all()]:
        if name not in orgs:
            orgs.append(name)
    return {
        "case": case,
        "kind": case.get_kind_display(),
        "channel": case.get_channel_display(),
        "status": case.get_status_display(),
        "category": str(case.category) if case.category_id else "",
        "received_at": _local(case.received_at),
        "closed_at": _local(case.closed_at),
        "recorded_by": _person(case.created_by) if case.created_by_id else "",
        "mediators": "、".join(mediators),
        "orgs": "、".join(orgs),
        "retention": RETENTION_LONG if ever_signed else RETENTION_SHORT,
        "parties": _parties(case, show_pii),
        "show_pii": show_pii,
        "investigation": _investigation(case, events),
        "attachments": [
            {
                "name": a.name,
                "type": a.content_type,
                "size": a.size,
                "uploaded_at": _local(a.uploaded_at),
                "by": _person(a.uploaded_by),
            }
            for a in case.attachments.all()
        ],
        "sessions": _sessions(case),
        "agreement": _agreement(agreement, show_pii),
        "follow_up": _follow_up(case, events),
        "confirmations": _confirmations(case),
        "timeline": [_event_row(e) for e in events],
        "sections": [{"anchor": anchor, "title": title} for anchor, title in SECTIONS],
        "compiled_by": _person(actor),
        "compiled_at": timezone.localtime(),
    }


# --- Printing -------------------------------------------------------------------------------------------------


def _print_dossier(*, actor, case: Case) -> tuple[bytes, IssuedDocument]:
    """Issue and render one dossier.

    Not in one transaction: a render takes a good part of a second, and a transaction held that long
    would hold the audit chain's lock (and SQLite's write lock) against every other writer. A render
    that fails revokes the document it was to carry, so its code never answers for a paper that
    does not exist.
    """
    from govcenter.pdf import render_pdf

    show_pii = access.can(actor, Action.CASE_PII_VIEW, case)
    with translation.override("zh-hans"):
        context = dossier_context(case=case, actor=actor, show_pii=show_pii)
        document = documents.issue_document(
            kind=IssuedDocument.Kind.DOSSIER,
            title=DOSSIER_TITLE,
            reference=case.number,
            obj=case,
            center_code=case.center_code,
            actor=actor,
        )
        try:
            pdf = render_pdf("pdf/dossier.html", context, document=document)
        except BaseException:
            documents.revoke(document, _("The dossier could not be made; no paper carries this code."), actor=actor)
            raise
    if show_pii and any(p.id_number or p.phone for p in case.parties.all()):
        audit.record(actor=actor, action="case.pii_view", obj=case, data={"number": case.number, "via": "dossier"})
    return pdf, document


def dossier_pdf(*, actor, case_id) -> tuple[bytes, IssuedDocument]:
    """The dossier of one case the actor may see (else 404), with its verification code."""
    return _print_dossier(actor=actor, case=_load_case(actor, case_id))


def dossier_filename(case: Case) -> str:
    return f"{DOSSIER_TITLE}-{case.number}.pdf"


# --- Export kind: one case ------------------------------------------------------------------------------


def _case_id(params: dict) -> int:
    unknown = set(params) - {"case"}
    if unknown:
        raise DomainError(
            _("Unknown parameters: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))[:200]},
            field="params",
        )
    value = params.get("case")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise DomainError(_("Give the id of the case whose dossier is exported."), field="case")
    return value


def authorize_case(user, params: dict) -> str:
    case_id = _case_id(params)
    center_code = case_list_visible(user=user).filter(pk=case_id).values_list("center_code", flat=True).first()
    if center_code is None:
        raise Http404
    params["case"] = case_id  # kept normalised: the id as a number
    return center_code


def build_case(job, progress) -> tuple[str, str, bytes]:
    case = _load_case(job.owner, _case_id(job.params))
    progress(10)
    pdf, _document = _print_dossier(actor=job.owner, case=case)
    return dossier_filename(case), "application/pdf", pdf


# --- Export kind: every case of a filter, as a ZIP -------------------------------------------------------


def _filter_data(params: dict) -> QueryDict:
    """The parameters as the case list's query string (what CaseFilter reads)."""
    from cases.api import CaseFilter

    allowed = set(CaseFilter.base_filters)
    unknown = set(params) - allowed
    if unknown:
        raise DomainError(
            _("Unknown filters: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))[:200]}, field="params"
        )
    data = QueryDict(mutable=True)
    for key, value in params.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            elif isinstance(item, int):
                item = str(item)
            if not isinstance(item, str):
                raise DomainError(_("Each filter is a text or a list of texts."), field=key)
            if item.strip():
                data.appendlist(key, item.strip())
    return data


def _filtered_cases(user, params: dict):
    from rest_framework.exceptions import ValidationError as ApiValidationError

    from cases.api import CaseFilter

    filterset = CaseFilter(_filter_data(params), queryset=case_list_visible(user=user))
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise DomainError(f"{field}: {' '.join(map(str, messages))}", field=field)
    try:
        rows = filterset.qs
    except ApiValidationError as error:
        detail = error.detail
        if isinstance(detail, dict):
            field, messages = next(iter(detail.items()))
            raise DomainError(" ".join(map(str, messages)), field=field) from error
        raise DomainError(" ".join(map(str, detail))) from error
    return rows.order_by("received_at", "id")


def _check_count(count: int) -> None:
    if count == 0:
        raise DomainError(_("No case matches this filter: there is nothing to export."), field="params")
    if count > settings.EXPORT_MAX_CASES:
        raise DomainError(
            _(
                "%(count)s cases match this filter; at most %(max)s dossiers are exported at once. "
                "Narrow the filter (a center, a period, a status) and export again."
            )
            % {"count": count, "max": settings.EXPORT_MAX_CASES},
            field="params",
        )


def authorize_cases(user, params: dict) -> str:
    _check_count(_filtered_cases(user, params).count())
    under = params.get("under")
    if isinstance(under, str) and under.strip():
        return under.strip()
    # Filed under the place all the user's cases lie in, so the auditors of that subtree see it.
    return common_ancestor(access.roots(user, Action.CASE_VIEW))


def build_cases(job, progress) -> tuple[str, str, bytes]:
    rows = _filtered_cases(job.owner, job.params)
    ids = list(rows.values_list("pk", flat=True)[: settings.EXPORT_MAX_CASES + 1])
    _check_count(len(ids))  # the cases may have changed since the export was asked for
    buffer = io.BytesIO()
    # PDFs are compressed already: stored, not deflated, is as small and much faster.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, case_id in enumerate(ids, start=1):
            case = _load_case(job.owner, case_id)
            pdf, _document = _print_dossier(actor=job.owner, case=case)
            archive.writestr(zipfile.ZipInfo(dossier_filename(case), _zip_time()), pdf)
            progress(done * 100 // len(ids))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{DOSSIER_TITLE}-{stamp}.zip", "application/zip", buffer.getvalue()


def _zip_time() -> tuple:
    return timezone.localtime().timetuple()[:6]


exports.register("case_dossier", label=gettext_lazy("Case dossier (PDF)"), build=build_case, authorize=authorize_case)
exports.register(
    "case_dossiers",
    label=gettext_lazy("Dossiers of a case filter (ZIP)"),
    build=build_cases,
    authorize=authorize_cases,
)

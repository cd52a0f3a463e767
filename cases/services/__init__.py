"""Writes on cases: one function per verb. Each locks the case, checks the transition table and the
actor's right through govcenter.access, bumps the version, writes the timeline and the audit log.

The verbs live in modules by subject; everything a caller needs is importable from here.
"""

from cases.notifications import notifications_mark_read
from cases.services.clock import case_pause, case_resume, recompute_deadlines, sweep_overdue
from cases.services.core import (
    STAGE_MET_BY,
    TRANSITIONS,
    VERB_ACTIONS,
    VERB_LABELS,
    CaseConflict,
    CaseError,
    Step,
    allowed_verbs,
)
from cases.services.dispatch import case_dispatch, dispatch_accept, dispatch_decline, dispatch_report
from cases.services.files import ALLOWED_FILES, attachment_add
from cases.services.intake import (
    DUPLICATE_WINDOW,
    CaseInput,
    PartyInput,
    allocate_number,
    case_create,
    case_link_report,
    find_duplicates,
    normalise_id_number,
    normalise_phone,
    public_report,
)
from cases.services.ratings import rating_confirm, rating_submit_public, record_rating
from cases.services.workflow import (
    EDITABLE_FIELDS,
    case_assign_mediators,
    case_classify,
    case_close,
    case_escalate,
    case_feedback,
    case_follow_up,
    case_hand_back,
    case_reopen,
    case_resolve,
    case_send_down,
    case_update,
)

__all__ = [
    "ALLOWED_FILES",
    "DUPLICATE_WINDOW",
    "EDITABLE_FIELDS",
    "STAGE_MET_BY",
    "TRANSITIONS",
    "VERB_ACTIONS",
    "VERB_LABELS",
    "CaseConflict",
    "CaseError",
    "CaseInput",
    "PartyInput",
    "Step",
    "allocate_number",
    "allowed_verbs",
    "attachment_add",
    "case_assign_mediators",
    "case_classify",
    "case_close",
    "case_create",
    "case_dispatch",
    "case_escalate",
    "case_feedback",
    "case_follow_up",
    "case_hand_back",
    "case_link_report",
    "case_pause",
    "case_reopen",
    "case_resolve",
    "case_resume",
    "case_send_down",
    "case_update",
    "dispatch_accept",
    "dispatch_decline",
    "dispatch_report",
    "find_duplicates",
    "normalise_id_number",
    "normalise_phone",
    "notifications_mark_read",
    "public_report",
    "rating_confirm",
    "rating_submit_public",
    "record_rating",
    "recompute_deadlines",
    "sweep_overdue",
]

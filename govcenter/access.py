"""The one access policy: who may see what, and who may do what.

Two sources of rights, nothing else:

(a) **Memberships.** A role held at center C applies to C's whole subtree (division-code prefix).
    `ROLE_ACTIONS` says which actions each role brings. Some actions also reach the centers above
    the member's own (`REACHES_ANCESTORS`): a township clerk must see the county it escalates to.
(b) **Object grants** through django-guardian, with direct foreign-key permission models: a court
    clerk on the cases it handed over, an inspector sent to one center, a mediator on an assigned
    case; and **relations** such as a department officer's on the cases dispatched to their
    department. `POLICIES` says, per model, where its division code is and which grants and
    relations stand for which action.

Every list, page, export and file asks here: selectors start from `scope()`, object rights come from
`can()`, and DRF views use `ActionPermission`. Out of scope is a 404 (the object does not exist for
that user); in scope but not allowed is a 403.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Left
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from guardian.utils import get_user_obj_perms_model
from rest_framework.permissions import SAFE_METHODS, BasePermission

from govcenter.divisions import ancestor_codes, is_within, minimal_roots, subtree_q, subtrees_q
from govcenter.models import Membership, Role


class Action(StrEnum):
    CENTER_VIEW = "center.view"
    DEPARTMENT_VIEW = "department.view"
    MEMBER_VIEW = "member.view"
    MEMBER_CREATE = "member.create"
    AUDIT_VIEW = "audit.view"
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_EDIT = "case.edit"
    CASE_CLASSIFY = "case.classify"
    CASE_DISPATCH = "case.dispatch"
    CASE_ACCEPT = "case.accept"
    CASE_ESCALATE = "case.escalate"
    CASE_ASSIGN_MEDIATOR = "case.assign_mediator"
    CASE_RESOLVE = "case.resolve"
    CASE_FEEDBACK = "case.feedback"
    CASE_FOLLOW_UP = "case.follow_up"
    CASE_CLOSE = "case.close"
    CASE_REOPEN = "case.reopen"
    CASE_HAND_BACK = "case.hand_back"
    CASE_PII_VIEW = "case.pii_view"
    CASE_ATTACH = "case.attach"
    HANDOFF_VIEW = "handoff.view"
    HANDOFF_SEND = "handoff.send"
    HANDOFF_RECEIVE = "handoff.receive"
    HANDOFF_SENDER = "handoff.sender"
    ROSTER_MANAGE = "roster.manage"
    GRID_VIEW = "grid.view"
    GRID_MANAGE = "grid.manage"
    POLICE_GRID_MANAGE = "grid.police_manage"
    VISIT_VIEW = "visit.view"
    VISIT_LOG = "visit.log"
    REPORT_VIEW = "report.view"
    RANKING_MANAGE = "report.ranking_manage"
    WARNING_VIEW = "warning.view"
    WARNING_HANDLE = "warning.handle"
    ONBOARDING_IMPORT = "onboarding.import"


ACTION_LABELS = {
    Action.CENTER_VIEW: _("See the centers of the subtree"),
    Action.DEPARTMENT_VIEW: _("See the departments cases can be dispatched to"),
    Action.MEMBER_VIEW: _("See the staff of the subtree"),
    Action.MEMBER_CREATE: _("Add staff to the subtree"),
    Action.AUDIT_VIEW: _("Read the audit log of the subtree"),
    Action.CASE_VIEW: _("See the cases of the subtree"),
    Action.CASE_CREATE: _("Record new cases"),
    Action.CASE_EDIT: _("Correct a case's details"),
    Action.CASE_CLASSIFY: _("Classify cases"),
    Action.CASE_DISPATCH: _("Dispatch cases to departments"),
    Action.CASE_ACCEPT: _("Accept or decline dispatched cases and report the result"),
    Action.CASE_ESCALATE: _("Escalate cases to the level above, or send them back down"),
    Action.CASE_ASSIGN_MEDIATOR: _("Assign mediators"),
    Action.CASE_RESOLVE: _("Record a case as resolved or failed"),
    Action.CASE_FEEDBACK: _("Give feedback to the person who raised the case"),
    Action.CASE_FOLLOW_UP: _("Follow up and record satisfaction"),
    Action.CASE_CLOSE: _("Close cases"),
    Action.CASE_REOPEN: _("Reopen closed cases"),
    Action.CASE_HAND_BACK: _("Hand cases back to the court, police or petition office"),
    Action.CASE_PII_VIEW: _("See full identity numbers and phone numbers"),
    Action.CASE_ATTACH: _("Add evidence files"),
    Action.HANDOFF_VIEW: _("See the hand-offs from the court, police and petition office"),
    Action.HANDOFF_SEND: _("Hand cases over to a center"),
    Action.HANDOFF_RECEIVE: _("Receive, accept or return hand-offs"),
    Action.HANDOFF_SENDER: _("Record the court's steps on what you handed over"),
    Action.ROSTER_MANAGE: _("Keep the roster of mediation organisations and mediators"),
    Action.GRID_VIEW: _("See the grids, their workers and coverage"),
    Action.GRID_MANAGE: _("Lay out grids, assign and schedule grid workers, set the assessment weights"),
    Action.POLICE_GRID_MANAGE: _("Keep the police grids and their auxiliary officers"),
    Action.VISIT_VIEW: _("See the grid workers' patrol visits"),
    Action.VISIT_LOG: _("Log patrol visits in your grids"),
    Action.REPORT_VIEW: _("See the dashboards and the red/black list of the subtree"),
    Action.RANKING_MANAGE: _("Set the red/black list's weights and cut-offs, and publish it"),
    Action.WARNING_VIEW: _("See the risk warnings of the subtree"),
    Action.WARNING_HANDLE: _("Handle risk warnings: record visits and measures, close them"),
    Action.ONBOARDING_IMPORT: _("Import divisions and rosters from spreadsheets into the subtree"),
}

_EVERYONE = {Action.CENTER_VIEW, Action.DEPARTMENT_VIEW}
_CASE_WORK = {
    Action.CASE_VIEW,
    Action.CASE_CREATE,
    Action.CASE_EDIT,
    Action.CASE_CLASSIFY,
    Action.CASE_DISPATCH,
    Action.CASE_ESCALATE,
    Action.CASE_ASSIGN_MEDIATOR,
    Action.CASE_RESOLVE,
    Action.CASE_FEEDBACK,
    Action.CASE_FOLLOW_UP,
    Action.CASE_CLOSE,
    Action.CASE_HAND_BACK,
    Action.CASE_PII_VIEW,
    Action.CASE_ATTACH,
}

_HANDOFF_WORK = {Action.HANDOFF_VIEW, Action.HANDOFF_RECEIVE}
_GRID_READ = {Action.GRID_VIEW, Action.VISIT_VIEW}
_REPORT_READ = {Action.REPORT_VIEW}
_WARNING_WORK = {Action.WARNING_VIEW, Action.WARNING_HANDLE}

# Which hand-offs each sending role may make: a court clerk sends court cases only, and so on.
SEND_SOURCES = {Role.COURT: "court", Role.POLICE: "police", Role.PETITION: "petition"}

# What each role may do over the whole subtree of the center where it is held.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.DIRECTOR: frozenset(
        _EVERYONE
        | _CASE_WORK
        | _HANDOFF_WORK
        | _GRID_READ
        | _REPORT_READ
        | _WARNING_WORK
        | {
            Action.MEMBER_VIEW,
            Action.MEMBER_CREATE,
            Action.AUDIT_VIEW,
            Action.CASE_REOPEN,
            Action.ROSTER_MANAGE,
            Action.GRID_MANAGE,
            Action.POLICE_GRID_MANAGE,
            Action.RANKING_MANAGE,
            Action.ONBOARDING_IMPORT,
        }
    ),
    Role.CLERK: frozenset(_EVERYONE | _CASE_WORK | _HANDOFF_WORK | _GRID_READ | _REPORT_READ | _WARNING_WORK),
    # Mediators work on the cases assigned to them (an object grant per case), not the whole center's.
    Role.MEDIATOR: frozenset(_EVERYONE),
    # A grid worker's grids and visits are theirs by assignment (the relations in POLICIES), not
    # every grid of the village.
    Role.GRID_WORKER: frozenset(_EVERYONE | {Action.CASE_VIEW, Action.CASE_CREATE, Action.CASE_ATTACH}),
    # Court, police and petition staff bring cases in; they follow the ones they handed over
    # through object grants, not the whole subtree's caseload.
    Role.COURT: frozenset(_EVERYONE | {Action.CASE_CREATE, Action.HANDOFF_SEND}),
    # The police liaison also keeps the station's police grids over the township's grids.
    Role.POLICE: frozenset(
        _EVERYONE | {Action.CASE_CREATE, Action.HANDOFF_SEND, Action.GRID_VIEW, Action.POLICE_GRID_MANAGE}
    ),
    Role.PETITION: frozenset(_EVERYONE | {Action.CASE_CREATE, Action.HANDOFF_SEND}),
    # Department officers see only what was dispatched to their department (the relations in POLICIES).
    Role.DEPARTMENT: frozenset(_EVERYONE),
    Role.AUDITOR: frozenset(
        _EVERYONE
        | _GRID_READ
        | _REPORT_READ
        | {Action.MEMBER_VIEW, Action.AUDIT_VIEW, Action.CASE_VIEW, Action.HANDOFF_VIEW, Action.WARNING_VIEW}
    ),
    Role.EXPERT: frozenset(_EVERYONE),
}

# Actions whose reach includes the centers above a member's own, not only the subtree below.
REACHES_ANCESTORS = frozenset({Action.CENTER_VIEW, Action.DEPARTMENT_VIEW})


@dataclass(frozen=True)
class ModelPolicy:
    """How the policy finds a model's place in the tree and its exceptions to it.

    `code_fields`: the division-code columns a subtree right applies to; the first is the handling
    center (for every action), the others also open the row for viewing (a case escalated away
    from a village stays visible to the village that reported it).
    `grants`: action → the django-guardian codenames of per-object grants that allow it; `grant()`
    gives the first.
    `relations`: action → a function of the user giving a filter on the model, for rights that
    come from a relation rather than the tree (a department officer and the cases dispatched to
    their department), or None when the user has no such relation.
    """

    code_fields: tuple[str, ...] = ("center_code",)
    # Secondary code columns only matter for roots longer than this (see the cases policy).
    secondary_only_below: int = 0
    # Prefix length → a column or expression equal to the first code column's prefix of that length,
    # with an index that serves "this subtree, newest first" without sorting the whole subtree.
    prefix_columns: dict = field(default_factory=dict)
    grants: dict[Action, tuple[str, ...]] = field(default_factory=dict)
    relations: dict[Action, Callable] = field(default_factory=dict)


def department_ids(user) -> list[int]:
    return [seat.department_id for seat in seats(user) if seat.role == Role.DEPARTMENT and seat.department_id]


def _dispatched_to_my_department(*statuses: str) -> Callable:
    def relation(user) -> Q | None:
        departments = department_ids(user)
        if not departments:
            return None
        dispatch = apps.get_model("cases", "Dispatch")
        rows = dispatch.objects.filter(department_id__in=departments)
        if statuses:
            rows = rows.filter(status__in=statuses)
        return Q(pk__in=rows.values("case_id"))

    return relation


def _grid_worker_roots(user) -> list[str]:
    return minimal_roots(seat.center_code for seat in seats(user) if seat.role == Role.GRID_WORKER)


def _open_grid_ids(user, roots: list[str]):
    """The grids the user walks now, inside the places where they still hold the grid-worker role:
    an assignment left open when the membership ended gives nothing."""
    assignment = apps.get_model("grids", "GridAssignment")
    return assignment.objects.filter(subtrees_q("center_code", roots), worker_id=user.pk, ended_at__isnull=True).values(
        "grid_id"
    )


def _my_grids(user) -> Q | None:
    """A grid worker's rights on the grids they are assigned to now."""
    roots = _grid_worker_roots(user)
    if not roots:
        return None
    return Q(pk__in=_open_grid_ids(user, roots))


def _mine_or_my_grids(user) -> Q | None:
    """A grid worker's own visits or assignments where they are a grid worker now, and those of the
    grids they walk now (the history of a grid they took over)."""
    roots = _grid_worker_roots(user)
    if not roots:
        return None
    return (Q(worker_id=user.pk) & subtrees_q("center_code", roots)) | Q(grid_id__in=_open_grid_ids(user, roots))


def _warning_tasks_for_me(user) -> Q | None:
    """The risk warnings with a visit task for the user: assigned to them, to their department, or
    left for the grid workers of a village where they are a grid worker now."""
    departments = department_ids(user)
    worker_roots = _grid_worker_roots(user)
    if not (departments or worker_roots):
        return None
    mine = Q(assignee_id=user.pk) | Q(department_id__in=departments)
    if worker_roots:
        mine |= Q(party="grid", assignee__isnull=True) & subtrees_q("center_code", worker_roots)
    task = apps.get_model("cases", "WarningTask")
    return Q(pk__in=task.objects.filter(mine).values("warning_id"))


POLICIES: dict[str, ModelPolicy] = {
    "govcenter.center": ModelPolicy(code_fields=("code",), grants={Action.CENTER_VIEW: ("view_center",)}),
    "govcenter.department": ModelPolicy(),
    "govcenter.membership": ModelPolicy(),
    "govcenter.auditevent": ModelPolicy(),
    "govcenter.issueddocument": ModelPolicy(),
    "mediation.mediationorg": ModelPolicy(),
    "mediation.mediator": ModelPolicy(),
    # A hotspot groups cases across a county's townships: whoever sees cases at the county or above.
    "cases.hotspot": ModelPolicy(code_fields=("county_code",)),
    "grids.grid": ModelPolicy(
        relations={Action.GRID_VIEW: _my_grids, Action.VISIT_LOG: _my_grids},
    ),
    # The history of who walked a grid and why they left is the workers' record: for those who see
    # the visits, not for everyone who sees the grids.
    "grids.gridassignment": ModelPolicy(relations={Action.VISIT_VIEW: _mine_or_my_grids}),
    "grids.policegrid": ModelPolicy(),
    "grids.auxiliaryofficer": ModelPolicy(code_fields=("village_code",)),
    "grids.visit": ModelPolicy(relations={Action.VISIT_VIEW: _mine_or_my_grids}),
    "grids.assessmentpolicy": ModelPolicy(),
    "onboarding.importrun": ModelPolicy(),
    "cases.handoff": ModelPolicy(
        # The sender keeps read access to what it handed over, and records the court's own steps.
        grants={Action.HANDOFF_VIEW: ("view_handoff", "send_handoff"), Action.HANDOFF_SENDER: ("send_handoff",)},
    ),
    "cases.riskwarning": ModelPolicy(relations={Action.WARNING_VIEW: _warning_tasks_for_me}),
    "cases.case": ModelPolicy(
        code_fields=("center_code", "origin_code"),
        # Cases never leave their county (escalation stops there), so for a county or anything above
        # it the handling-center range already holds every case that began inside: the origin
        # column only adds something for township and village staff.
        secondary_only_below=6,
        prefix_columns={6: "county_code", 9: Left("center_code", 9)},
        # view_case: a court clerk, a petition officer, an auditor on a named case; mediate_case: a
        # mediator from another center assigned to it.
        grants={
            Action.CASE_VIEW: ("view_case", "mediate_case"),
            Action.CASE_RESOLVE: ("mediate_case",),
            Action.CASE_PII_VIEW: ("mediate_case",),
            Action.CASE_ATTACH: ("mediate_case",),
        },
        relations={
            # A department that declined a case, or whose dispatch was withdrawn, no longer sees it.
            Action.CASE_VIEW: _dispatched_to_my_department("pending", "accepted", "done"),
            Action.CASE_ATTACH: _dispatched_to_my_department("pending", "accepted"),
            Action.CASE_ACCEPT: _dispatched_to_my_department("pending", "accepted"),
        },
    ),
}

ROLE_DUTIES = {
    Role.DIRECTOR: _("Watches dashboards and overdue cases, publishes the red/black list, manages staff."),
    Role.CLERK: _("Records walk-ins, calls and letters; classifies and dispatches cases."),
    Role.MEDIATOR: _("Sees assigned cases, logs mediation sessions, drafts and prints agreements."),
    Role.GRID_WORKER: _("Patrols the grid, visits households, reports risks that become cases."),
    Role.COURT: _("Transfers pre-litigation cases to the center and receives them back."),
    Role.POLICE: _("Pushes dispute-type 110 alerts to the township center."),
    Role.PETITION: _("Routes petitions by their three categories."),
    Role.DEPARTMENT: _("Accepts dispatched cases and reports the result."),
    Role.AUDITOR: _("Reads everything in scope and exports dossiers and reports."),
    Role.EXPERT: _("Gives legal advice on the cases a center calls them in on."),
}


def policy_for(model) -> ModelPolicy:
    return POLICIES[model._meta.label_lower]


@dataclass(frozen=True)
class Seat:
    """One active membership, as the policy needs it."""

    center_code: str
    role: str
    department_id: int | None


def seats(user) -> tuple[Seat, ...]:
    """The user's active memberships, loaded once per user object (one query per request)."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_govcenter_seats", None)
    if cached is None:
        rows = Membership.objects.filter(user_id=user.pk, is_active=True, center__is_active=True).values_list(
            "center_code", "role", "department_id"
        )
        cached = tuple(Seat(*row) for row in rows)
        user._govcenter_seats = cached
    return cached


def forget(user) -> None:
    """Drop the cached memberships after they changed."""
    user.__dict__.pop("_govcenter_seats", None)


def roots(user, action: Action) -> list[str]:
    """The subtree roots in which the user may take `action` by membership."""
    return minimal_roots(seat.center_code for seat in seats(user) if action in ROLE_ACTIONS.get(seat.role, ()))


def home_root(user, action: Action) -> str | None:
    """The widest subtree where the user may take `action` (the shortest code, then the first): where
    their pages for that work open. None for a superuser or someone without the right."""
    member_roots = roots(user, action)
    return min(member_roots, key=lambda code: (len(code), code)) if member_roots else None


def may_send(user, source: str, center_code: str) -> bool:
    """Whether the user holds the sending role of this source over the receiving center."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        SEND_SOURCES.get(seat.role) == source and is_within(center_code, seat.center_code) for seat in seats(user)
    )


def sources_of(user) -> list[str]:
    """The hand-off sources the user may send, in a stable order."""
    if getattr(user, "is_superuser", False):
        return list(SEND_SOURCES.values())
    return sorted({SEND_SOURCES[seat.role] for seat in seats(user) if seat.role in SEND_SOURCES})


def has_action_anywhere(user, action: Action) -> bool:
    return bool(getattr(user, "is_superuser", False) or roots(user, action))


def _root_q(policy: "ModelPolicy", code_field: str, root: str) -> Q:
    """Rows of one subtree: equality on a prefix column where the model has one for the root's
    length (an index then yields them in order), else the division-code range."""
    column = policy.prefix_columns.get(len(root)) if code_field == policy.code_fields[0] else None
    if column is None:
        return subtree_q(code_field, root)
    if isinstance(column, str):
        return Q(**{column: root})
    return Q(Exact(column, root))


def _reach_terms(user, action: Action, policy: "ModelPolicy", fields: tuple[str, ...]) -> list[Q]:
    member_roots = roots(user, action)
    primary, *secondary = fields
    terms = []
    for root in member_roots:
        terms.append(_root_q(policy, primary, root))
        if len(root) > policy.secondary_only_below:
            terms.extend(subtree_q(code_field, root) for code_field in secondary)
    if action in REACHES_ANCESTORS:
        above = {code for root in member_roots for code in ancestor_codes(root)}
        if above:
            terms.append(Q(**{f"{primary}__in": sorted(above)}))
    return terms


# Up to this many grants are inlined as literal ids; beyond, a subquery. A literal list keeps the
# planner on the division-code indexes, where `OR id IN (SELECT …)` can turn a range scan into a
# scan of the whole table (see shared/PERFORMANCE.md).
_INLINE_GRANTS = 500


def _granted_ids(user, model: type[Model], action: Action):
    """The ids of `model` rows the user was granted `action` on (a list, or a subquery), or None."""
    codenames = policy_for(model).grants.get(action)
    if not codenames:
        return None
    grant_model = get_user_obj_perms_model(model)
    rows = grant_model.objects.filter(
        user_id=user.pk,
        permission__codename__in=codenames,
        permission__content_type__app_label=model._meta.app_label,
    ).values_list("content_object_id", flat=True)
    ids = list(rows[: _INLINE_GRANTS + 1])
    if len(ids) > _INLINE_GRANTS:
        return rows
    return ids or None


def _scope_terms(user, model: type[Model], action: Action) -> list[Q]:
    policy = policy_for(model)
    # Only viewing follows the secondary code columns; acting is for the handling center.
    fields = policy.code_fields if action == Action.CASE_VIEW else policy.code_fields[:1]
    terms = _reach_terms(user, action, policy, fields)
    granted = _granted_ids(user, model, action)
    if granted is not None:
        terms.append(Q(pk__in=granted))
    relation = policy.relations.get(action)
    related = relation(user) if relation else None
    if related is not None:
        terms.append(related)
    return terms


def _scope_q(user, model: type[Model], action: Action) -> Q:
    q = Q(pk__in=[])
    for term in _scope_terms(user, model, action):
        q |= term
    return q


def scope_terms(user, model: type[Model], action: Action) -> list[Q] | None:
    """The user's scope on `model` as separate filters whose union it is (None: everything).

    Each term is one index range — a subtree on a prefix column, a secondary code column, the
    grants, a relation — so a list ordered by an index can take its first rows from each term and
    merge them, where the single OR of `scope` makes the database sort the whole union
    (shared/PERFORMANCE.md: two limited branches, not one OR). An empty list: nothing."""
    if getattr(user, "is_superuser", False):
        return None
    if not getattr(user, "is_authenticated", False):
        return []
    return _scope_terms(user, model, action)


def scope(user, queryset: QuerySet, action: Action) -> QuerySet:
    """Restrict a queryset to the rows the user may take `action` on."""
    if getattr(user, "is_superuser", False):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(_scope_q(user, queryset.model, action))


def can_at(user, action: Action, center_code: str) -> bool:
    """Whether the user's memberships allow `action` at a center."""
    if getattr(user, "is_superuser", False):
        return True
    member_roots = roots(user, action)
    if any(is_within(center_code, root) for root in member_roots):
        return True
    return action in REACHES_ANCESTORS and any(center_code in ancestor_codes(root) for root in member_roots)


def can(user, action: Action, obj: Model) -> bool:
    """Whether the user may take `action` on one object: by membership, grant or relation."""
    if not getattr(user, "is_authenticated", False):
        return False
    policy = policy_for(obj)
    if can_at(user, action, getattr(obj, policy.code_fields[0])):
        return True
    if action == Action.CASE_VIEW and any(
        can_at(user, action, getattr(obj, code_field)) for code_field in policy.code_fields[1:]
    ):
        return True
    if not (policy.grants.get(action) or policy.relations.get(action)):
        return False
    return type(obj)._default_manager.filter(pk=obj.pk).filter(_scope_q(user, type(obj), action)).exists()


def grant(user, action: Action, obj: Model) -> None:
    """Give one user `action` on one object (an explicit, audited exception to the tree)."""
    from guardian.shortcuts import assign_perm

    assign_perm(_grant_permission(obj, action), user, obj)


def revoke(user, action: Action, obj: Model) -> None:
    from guardian.shortcuts import remove_perm

    remove_perm(_grant_permission(obj, action), user, obj)


def _grant_permission(obj: Model, action: Action) -> Permission:
    codename = policy_for(obj).grants[action][0]
    content_type = ContentType.objects.get_for_model(obj)
    return Permission.objects.get(content_type=content_type, codename=codename)


def member_may_create(actor, center_code: str) -> bool:
    """A superuser anywhere; a director inside their own subtree."""
    return can_at(actor, Action.MEMBER_CREATE, center_code)


def actions_of_role(role: str) -> list[Action]:
    """In the order the actions are declared: the order of the work."""
    granted = ROLE_ACTIONS.get(role, frozenset())
    return [action for action in Action if action in granted]


class ActionPermission(BasePermission):
    """DRF adapter of this policy.

    A view declares `access_actions = {"list": Action.X, "create": Action.Y, ...}` keyed by the
    viewset action. The view's queryset comes from `scope()`, so reading outside it finds nothing
    (an empty list, a 404); a write by a user whose roles never allow it is a 403.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        action = self._action(view)
        if action is None or request.method in SAFE_METHODS or getattr(view, "detail", False):
            return True  # reads are scoped; a write on one object is decided by has_object_permission
        return has_action_anywhere(request.user, action)

    def has_object_permission(self, request, view, obj):
        action = self._action(view)
        return action is None or can(request.user, action, obj)

    @staticmethod
    def _action(view) -> Action | None:
        actions = getattr(view, "access_actions", {})
        return actions.get(getattr(view, "action", None)) or actions.get("*")

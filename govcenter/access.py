"""The one access policy: who may see what, and who may do what.

Two sources of rights, nothing else:

(a) **Memberships.** A role held at center C applies to C's whole subtree (division-code prefix).
    `ROLE_ACTIONS` says which actions each role brings. Some actions also reach the centers above
    the member's own (`REACHES_ANCESTORS`): a township clerk must see the county it escalates to.
(b) **Object grants** through django-guardian, with direct foreign-key permission models: a court
    clerk on the cases it handed over, an inspector sent to one center, a mediator on an assigned
    case. `GRANT_PERMISSIONS` names the guardian permission that stands for an action on a model.

Every list, page, export and file asks here: selectors start from `scope()`, object rights come from
`can()`, and DRF views use `ActionPermission`. Out of scope is a 404 (the object does not exist for
that user); in scope but not allowed is a 403.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from guardian.utils import get_user_obj_perms_model
from rest_framework.permissions import SAFE_METHODS, BasePermission

from govcenter.divisions import ancestor_codes, is_within, minimal_roots, subtrees_q
from govcenter.models import Membership, Role


class Action(StrEnum):
    CENTER_VIEW = "center.view"
    DEPARTMENT_VIEW = "department.view"
    MEMBER_VIEW = "member.view"
    MEMBER_CREATE = "member.create"
    AUDIT_VIEW = "audit.view"


ACTION_LABELS = {
    Action.CENTER_VIEW: _("See the centers of the subtree"),
    Action.DEPARTMENT_VIEW: _("See the departments cases can be dispatched to"),
    Action.MEMBER_VIEW: _("See the staff of the subtree"),
    Action.MEMBER_CREATE: _("Add staff to the subtree"),
    Action.AUDIT_VIEW: _("Read the audit log of the subtree"),
}

_EVERYONE = {Action.CENTER_VIEW, Action.DEPARTMENT_VIEW}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.DIRECTOR: frozenset(_EVERYONE | {Action.MEMBER_VIEW, Action.MEMBER_CREATE, Action.AUDIT_VIEW}),
    Role.CLERK: frozenset(_EVERYONE),
    Role.MEDIATOR: frozenset(_EVERYONE),
    Role.GRID_WORKER: frozenset(_EVERYONE),
    Role.COURT: frozenset(_EVERYONE),
    Role.POLICE: frozenset(_EVERYONE),
    Role.PETITION: frozenset(_EVERYONE),
    Role.DEPARTMENT: frozenset(_EVERYONE),
    Role.AUDITOR: frozenset(_EVERYONE | {Action.MEMBER_VIEW, Action.AUDIT_VIEW}),
    Role.EXPERT: frozenset(_EVERYONE),
}

# Actions whose reach includes the centers above a member's own, not only the subtree below.
REACHES_ANCESTORS = frozenset({Action.CENTER_VIEW, Action.DEPARTMENT_VIEW})

# (model label, action) -> guardian permission codename that grants the action on one object.
GRANT_PERMISSIONS: dict[tuple[str, Action], str] = {
    ("govcenter.center", Action.CENTER_VIEW): "view_center",
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


def roles_at(user, center_code: str) -> set[str]:
    """The roles the user holds over a center (at it or above it)."""
    return {seat.role for seat in seats(user) if is_within(center_code, seat.center_code)}


def has_action_anywhere(user, action: Action) -> bool:
    return bool(getattr(user, "is_superuser", False) or roots(user, action))


def _reach_q(user, action: Action, code_field: str) -> Q:
    member_roots = roots(user, action)
    q = subtrees_q(code_field, member_roots)
    if action in REACHES_ANCESTORS:
        above = {code for root in member_roots for code in ancestor_codes(root)}
        if above:
            q |= Q(**{f"{code_field}__in": sorted(above)})
    return q


def _granted_ids(user, model: type[Model], action: Action):
    """A subquery of the ids of `model` rows the user was granted `action` on, or None."""
    codename = GRANT_PERMISSIONS.get((model._meta.label_lower, action))
    if codename is None or not getattr(user, "is_authenticated", False):
        return None
    grant_model = get_user_obj_perms_model(model)
    return grant_model.objects.filter(
        user_id=user.pk,
        permission__codename=codename,
        permission__content_type__app_label=model._meta.app_label,
    ).values("content_object_id")


def scope(user, queryset: QuerySet, action: Action, *, code_field: str = "center_code") -> QuerySet:
    """Restrict a queryset to the rows the user may take `action` on."""
    if getattr(user, "is_superuser", False):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    q = _reach_q(user, action, code_field)
    granted = _granted_ids(user, queryset.model, action)
    if granted is not None:
        q |= Q(pk__in=granted)
    return queryset.filter(q)


def can_at(user, action: Action, center_code: str) -> bool:
    """Whether the user's memberships allow `action` at a center."""
    if getattr(user, "is_superuser", False):
        return True
    member_roots = roots(user, action)
    if any(is_within(center_code, root) for root in member_roots):
        return True
    return action in REACHES_ANCESTORS and any(center_code in ancestor_codes(root) for root in member_roots)


def can(user, action: Action, obj: Model, *, code_field: str = "center_code") -> bool:
    """Whether the user may take `action` on one object, by membership or by an object grant."""
    if not getattr(user, "is_authenticated", False):
        return False
    if can_at(user, action, getattr(obj, code_field)):
        return True
    codename = GRANT_PERMISSIONS.get((obj._meta.label_lower, action))
    return bool(codename) and user.has_perm(f"{obj._meta.app_label}.{codename}", obj)


def grant(user, action: Action, obj: Model) -> None:
    """Give one user `action` on one object (an explicit, audited exception to the tree)."""
    from guardian.shortcuts import assign_perm

    assign_perm(_grant_permission(obj, action), user, obj)


def revoke(user, action: Action, obj: Model) -> None:
    from guardian.shortcuts import remove_perm

    remove_perm(_grant_permission(obj, action), user, obj)


def _grant_permission(obj: Model, action: Action) -> Permission:
    codename = GRANT_PERMISSIONS[(obj._meta.label_lower, action)]
    content_type = ContentType.objects.get_for_model(obj)
    return Permission.objects.get(content_type=content_type, codename=codename)


def member_may_create(actor, center_code: str) -> bool:
    """A superuser anywhere; a director inside their own subtree."""
    return can_at(actor, Action.MEMBER_CREATE, center_code)


def actions_of_role(role: str) -> list[Action]:
    return sorted(ROLE_ACTIONS.get(role, ()))


def codes_visible(user, codes: Iterable[str], action: Action) -> list[str]:
    return [code for code in codes if can_at(user, action, code)]


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
        if action is None or request.method in SAFE_METHODS:
            return True
        return has_action_anywhere(request.user, action)

    def has_object_permission(self, request, view, obj):
        action = self._action(view)
        return action is None or can(
            request.user, action, obj, code_field=getattr(view, "access_code_field", "center_code")
        )

    @staticmethod
    def _action(view) -> Action | None:
        actions = getattr(view, "access_actions", {})
        return actions.get(getattr(view, "action", None)) or actions.get("*")

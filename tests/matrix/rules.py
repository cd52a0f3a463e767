"""What each actor should get, as rules rather than a grid of numbers.

A response is read as one outcome (`outcome()`), and a rule says which outcomes a cell allows:

- "ok": 2xx (for a write: done), or a page's redirect that says it was done;
- "shown": a page answering a form post with a page (a read, or the form again with its errors:
  the portal's pages redirect after every change they make, so nothing was done);
- "invalid": 400, 409 or 410 — the caller got past the access check and the body or the state said no;
- "redirect": a page form's redirect back with only error messages (the page's way to say 400/403);
- "403": in scope, not allowed; "404": out of scope (or nothing there); "login": 401, or a redirect to
  the login page.

The rights come from DESIGN.md and `access.ROLE_ACTIONS`: a role held at the own township applies to
the own township and the village below it; the centers above are reached only by the actions that
reach ancestors (seeing the tree and the departments); siblings and unrelated centers never. Relations
and object grants add rights beside the tree: the matrix seats no one with a grant or relation except
where a rule names it (`RELATION_VIEWERS`).
"""

from govcenter.access import REACHES_ANCESTORS, ROLE_ACTIONS, SEND_SOURCES, Action
from govcenter.models import Role
from tests.matrix.world import SUPERUSER

INSIDE = {"own", "child"}

OK = frozenset({"ok", "shown"})
MISSING = frozenset({"404"})
DENIED = frozenset({"403"})
LOGIN = frozenset({"login"})
# A write that passed the access check: done, or refused by the body or the state.
PASSES = frozenset({"ok", "shown", "invalid", "redirect"})
# A write by someone who may see the object but not do this: never done. Some services check the
# state (409) or the body (400) before the right, and pages answer with a redirect and an error
# message, so these count as refusals too; a 2xx or a 404 does not.
REFUSED = frozenset({"403", "shown", "invalid", "redirect"})
# A write naming a target out of the caller's reach in its body (a center, a case, a grid): refused
# as bad input, forbidden or not found, never done.
NOT_DONE = frozenset({"403", "404", "shown", "invalid", "redirect"})

# Rights that come from a relation the seated role has by the world's making: a grid worker at a
# place sees the warnings whose visit task is left for that place's grid workers (access.POLICIES).
RELATION_VIEWERS = {Action.WARNING_VIEW: {Role.GRID_WORKER}}


def may(role: str, action: Action | None, relation: str = "own") -> bool:
    """Whether a role held at the own township allows `action` on something at `relation`."""
    if action is None:
        return True
    if action not in ROLE_ACTIONS.get(role, ()) and role not in RELATION_VIEWERS.get(action, ()):
        return False
    return relation in INSIDE or (relation == "parent" and action in REACHES_ANCESTORS)


def has_anywhere(role: str, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(role, ()) or role in RELATION_VIEWERS.get(action, ())


def read(view: Action | None):
    """A detail or a file: there when the role sees it, else it does not exist."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return OK
        return OK if may(actor, view, relation) else MISSING

    return rule


def act(view: Action | None, action: Action, refused: frozenset = REFUSED):
    """A write on one object: 404 unless seen, then done or refused by the right."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return PASSES
        if not may(actor, view, relation):
            return MISSING
        return PASSES if may(actor, action, relation) else refused

    return rule


def act_denied(view: Action | None, action: Action):
    """Like `act`, where the view checks the right before anything else: a plain 403."""
    return act(view, action, refused=DENIED)


def create(action: Action, superuser: frozenset = PASSES):
    """A write whose target (a center, a case, a grid …) is named in the body: done only where the
    right reaches; elsewhere refused as forbidden, not found or bad input, never done."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return superuser
        return PASSES if may(actor, action, relation) else NOT_DONE

    return rule


def page_for(action: Action | None, also: frozenset = frozenset(), superuser: frozenset = OK):
    """A page of one kind of work (no object): open to whoever holds the right somewhere (or is
    one of `also`, whose relations may give them rows there)."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return superuser
        if action is None or has_anywhere(actor, action) or actor in also:
            return OK
        return DENIED | MISSING

    return rule


def sender(source: str, write: bool = False):
    """The hand-off forms of one source: only its sending role (access.SEND_SOURCES) opens them."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return PASSES if write else OK
        if SEND_SOURCES.get(actor) != source:
            return DENIED
        if not write:
            return OK
        return PASSES if may(actor, Action.HANDOFF_SEND, relation) else NOT_DONE

    return rule


def grid_task(actor: str, relation: str) -> frozenset:
    """Marking a warning's visit task done: those who handle warnings, and the grid workers the
    task is left for (the world's task is the grid workers' one)."""
    if actor == Role.GRID_WORKER:
        return PASSES if relation in INSIDE else MISSING
    return act(Action.WARNING_VIEW, Action.WARNING_HANDLE)(actor, relation)


def visit_log(view_rule):
    """Logging a visit needs an assignment to the grid, not a role over a subtree: nobody in the
    world has one, a superuser included (a superuser is no grid worker)."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return REFUSED
        return view_rule(actor, relation)

    return rule


def everyone(actor: str, relation: str) -> frozenset:
    """A list or page every signed-in person opens; what it holds is the leak tests' business."""
    return OK


def form_everyone(actor: str, relation: str) -> frozenset:
    """A form every signed-in person may send (its own checks decide)."""
    return PASSES | DENIED


def owner_only(actor: str, relation: str) -> frozenset:
    """Someone else's export or notification: it does not exist, for a superuser too."""
    return MISSING


def public(actor: str, relation: str) -> frozenset:
    return OK


def public_form(actor: str, relation: str) -> frozenset:
    return PASSES


def importer(view_rule, superuser: frozenset = OK):
    """The onboarding imports: whoever may not import at all is refused before the import is looked
    up (a 403 that says nothing of the import), the others see their subtree's imports."""

    def rule(actor: str, relation: str) -> frozenset:
        if actor == SUPERUSER:
            return superuser
        if not has_anywhere(actor, Action.ONBOARDING_IMPORT):
            return DENIED
        return view_rule(actor, relation)

    return rule

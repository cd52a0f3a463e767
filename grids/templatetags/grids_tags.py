"""Template tags of the grid pages: which grid links the top bar offers."""

from django import template

from govcenter import access
from govcenter.access import Action
from govcenter.models import Role
from grids import forms

register = template.Library()


@register.simple_tag(takes_context=True)
def grid_nav(context) -> dict:
    """A grid worker's own grids; the grids of their centers for those who see grids. Both answers
    come from the memberships already loaded for the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "mine": any(seat.role == Role.GRID_WORKER for seat in access.seats(user)),
        "centers": access.has_action_anywhere(user, Action.GRID_VIEW),
    }


@register.simple_tag(takes_context=True)
def grids_visible_at(context, center_code: str) -> bool:
    """Whether the user may open the grid page of a center (its grids, workers and coverage)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and access.can_at(user, Action.GRID_VIEW, center_code))


@register.filter
def target_label(visit) -> str:
    """What kind of place a visit was to, in words that do not clash with a case's place."""
    return forms.target_label(visit)

"""Template tags of the hand-off pages: whether the top bar offers them."""

from django import template

from govcenter import access
from govcenter.access import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def handoff_nav(context) -> bool:
    """Those who see hand-offs (the centers, auditors) and those who send them (court, police,
    petition office). Both answers come from the memberships already loaded for the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return access.has_action_anywhere(user, Action.HANDOFF_VIEW) or bool(access.sources_of(user))

"""Template tags of the case pages: what the top bar shows of cases."""

from django import template

from cases import selectors
from govcenter import access
from govcenter.access import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def case_nav(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "may_create": access.has_action_anywhere(user, Action.CASE_CREATE),
        "unread": selectors.notifications_for(user=user, unread_only=True).count(),
    }

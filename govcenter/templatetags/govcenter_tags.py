from django import template

from govcenter import access
from govcenter.access import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def may_anywhere(context, action: str) -> bool:
    """Whether the user may take `action` somewhere, e.g. `{% may_anywhere "audit.view" as may_audit %}`
    for a link in the navigation (from the memberships already loaded for the request)."""
    return access.has_action_anywhere(context["request"].user, Action(action))

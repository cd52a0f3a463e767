from django import template

from govcenter import access
from govcenter.access import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_nav(context) -> bool:
    """Whether the navigation shows the audit log (from the memberships already loaded for the request)."""
    return access.has_action_anywhere(context["request"].user, Action.AUDIT_VIEW)

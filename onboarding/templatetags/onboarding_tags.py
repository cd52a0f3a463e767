from django import template

from govcenter import access
from govcenter.access import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def import_nav(context) -> bool:
    """Whether the navigation shows the imports (from the memberships already loaded for the request)."""
    return access.has_action_anywhere(context["request"].user, Action.ONBOARDING_IMPORT)

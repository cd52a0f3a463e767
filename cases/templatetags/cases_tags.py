"""Template tags of the case pages: what the top bar shows of cases, and the refused input of a
step's form (`action.errors` and `action.data`, set by cases.views when a step is refused)."""

from django import template
from django.utils.html import format_html

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


def _errors_of(action, name: str) -> list[str]:
    return (action.get("errors") or {}).get(name) or []


@register.simple_tag
def invalid(action, name: str) -> str:
    """The aria attributes of an input whose value was refused: a screen reader says so and reads
    the error out."""
    if not _errors_of(action, name):
        return ""
    return format_html(' aria-invalid="true" aria-describedby="{}-{}-error"', action["verb"], name)


@register.inclusion_tag("cases/_input_errors.html")
def input_errors(action, name: str) -> dict:
    return {"lines": _errors_of(action, name), "id": f"{action['verb']}-{name}-error"}


@register.filter
def posted(action, name: str) -> list[str]:
    """Every value the refused form sent for `name` (the checked boxes of a group)."""
    data = action.get("data")
    return data.getlist(name) if data is not None else []

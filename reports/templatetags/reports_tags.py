from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """A share as a percentage ("—" when there was nothing to count)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.simple_tag(takes_context=True)
def reports_nav(context) -> dict:
    """Which report links the navigation shows: the dashboard to those who may read reports (from the
    memberships already loaded for the request, no query on every page); everyone has "My exports"."""
    from govcenter import access
    from govcenter.access import Action

    return {"dashboard": access.has_action_anywhere(context["request"].user, Action.REPORT_VIEW)}

"""Template tags of the risk-warning pages: whether the top bar offers them."""

from django import template

from cases.risk.warnings import may_see_warnings

register = template.Library()


@register.simple_tag(takes_context=True)
def warning_nav(context) -> bool:
    """Those who see the warnings of a subtree, and grid workers and department officers (their
    visit tasks); answered from the memberships already loaded for the request."""
    request = context.get("request")
    return may_see_warnings(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def hotspot_nav(context) -> bool:
    """Those who see cases at a county or above, where hotspots are found."""
    from cases.hotspots.services import may_see_hotspots

    user = getattr(context.get("request"), "user", None)
    return bool(user) and may_see_hotspots(user)

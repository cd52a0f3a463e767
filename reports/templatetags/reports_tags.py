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
    """Which report links the navigation shows: the dashboard to those who may read reports, the
    exports page to whoever has made an export."""
    from govcenter import access
    from govcenter.access import Action
    from reports.models import ExportJob

    user = context["request"].user
    return {
        "dashboard": access.has_action_anywhere(user, Action.REPORT_VIEW),
        "exports": ExportJob.objects.filter(owner_id=user.pk).exists(),
    }

from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """A share as a percentage ("—" when there was nothing to count)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"

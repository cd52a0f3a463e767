"""Template tags of the mediation pages: whether the top bar offers the mediation desk."""

from django import template

from govcenter import access
from govcenter.models import Role
from mediation.models import Mediator

register = template.Library()


@register.simple_tag(takes_context=True)
def mediation_nav(context) -> bool:
    """Those with the mediator role (from the memberships already loaded for the request) and those
    on the roster with an account."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if any(seat.role == Role.MEDIATOR for seat in access.seats(user)):
        return True
    on_roster = getattr(user, "_mediation_on_roster", None)
    if on_roster is None:
        on_roster = user._mediation_on_roster = Mediator.objects.filter(user=user).exists()
    return on_roster

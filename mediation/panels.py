"""The mediation panel of the home page: a mediator's cases and the checks that are due; for a
center's clerks and directors, the cases in mediation."""

from django.utils import timezone

from cases import selectors as case_selectors
from cases.models import Status
from govcenter import access
from govcenter.access import Action
from govcenter.panels import Panel, register
from mediation import selectors
from mediation.models import Mediator


@register
def mediation_today(request):
    user = request.user
    on_roster = Mediator.objects.filter(user=user).exists()
    centers = user.is_superuser or bool(access.roots(user, Action.CASE_RESOLVE))
    if not (on_roster or centers):
        return None
    mine = selectors.my_assignments(user=user) if on_roster else None
    context = {
        "my_cases": mine.count() if mine is not None else None,
        "my_overdue": mine.filter(case__is_overdue=True).count() if mine is not None else None,
        "in_mediation": case_selectors.case_list_visible(user=user).filter(status=Status.IN_MEDIATION).count()
        if centers
        else None,
        "checks_due": selectors.fulfilment_checks_due(user=user, today=timezone.localdate()).count(),
    }
    return Panel("mediation/_home_panel.html", context)

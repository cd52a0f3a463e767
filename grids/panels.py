"""The grid panels of the home page: a grid worker's grids and what waits for them; for the centers
that see grids, the coverage of their subtree."""

from django.utils import timezone

from govcenter import access
from govcenter.access import Action
from govcenter.models import Center, Role
from govcenter.panels import Panel, register
from govcenter.periods import month_bounds
from grids import selectors
from grids.models import Finding

# A member of several centers sees the coverage of this many of them on the home page.
COVERAGE_PANELS = 3


@register
def my_grids(request):
    user = request.user
    if not any(seat.role == Role.GRID_WORKER for seat in access.seats(user)):
        return None
    start = month_bounds(timezone.localdate())[0]
    mine = selectors.visit_list_visible(user=user).filter(worker_id=user.pk)
    context = {
        "grids": selectors.my_assignments(user=user).count(),
        "visits": mine.filter(visited_at__gte=start).count(),
        "unreported": mine.exclude(finding=Finding.NOTHING).filter(case__isnull=True).count(),
    }
    return Panel("grids/_home_worker.html", context)


@register
def grid_coverage(request):
    roots = access.roots(request.user, Action.GRID_VIEW)[:COVERAGE_PANELS]
    if not roots:
        return None
    centers = Center.objects.filter(code__in=roots).order_by("code")
    return Panel("grids/_home_coverage.html", {"coverages": [selectors.coverage(center) for center in centers]})

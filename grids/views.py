"""Pages of grids: the grid worker's phone page, the township's grids, workers and coverage."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from govcenter import audit
from grids import selectors


@login_required
@require_GET
def visit_photo(request, visit_id: int):
    """A visit's photo, to whoever may see the visit (out of scope: 404)."""
    visit = selectors.visit_list_visible(user=request.user).filter(pk=visit_id).first()
    if visit is None or not visit.photo:
        raise Http404
    try:
        handle = visit.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit.record(actor=request.user, action="visit.photo_view", obj=visit, center_code=visit.center_code)
    content_type = mimetypes.guess_type(visit.photo.name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)

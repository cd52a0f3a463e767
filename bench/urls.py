"""The project's URLs plus the benchmark's floor: a minimal view answering a payload of a given size."""

from django.http import HttpResponse
from django.urls import path

from govcenter.urls import urlpatterns as project_urlpatterns


def bytes_view(request, size: int) -> HttpResponse:
    """What Django costs with nothing to do: the same middleware, session and user, `size` bytes out."""
    request.user.pk  # noqa: B018 - load the user as every real view does
    return HttpResponse(b" " * size, content_type="application/json")


urlpatterns = [path("__bench__/bytes/<int:size>/", bytes_view), *project_urlpatterns]

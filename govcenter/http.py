"""Small HTTP helpers the pages of every app share."""

from django.http import HttpResponseRedirect


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST the browser GETs the page, and a reload does not post again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response

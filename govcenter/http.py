"""Small HTTP helpers the pages of every app share."""

from django.http import HttpResponseRedirect
from django.utils.cache import patch_cache_control

# How long a browser may reuse what it was shown without asking again: figures that are a minute
# old are fine before a meeting; reference data (the taxonomy, the tree) changes a few times a year.
FIGURES_MAX_AGE = 60
REFERENCE_MAX_AGE = 300


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST the browser GETs the page, and a reload does not post again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def private_cache(response, max_age: int):
    """Let the user's own browser (never a shared proxy: the content is theirs) reuse the response
    for `max_age` seconds. With ConditionalGetMiddleware an ETag then makes a reload a 304."""
    patch_cache_control(response, private=True, max_age=max_age)
    return response

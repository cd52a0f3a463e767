"""Helpers shared by the browser journeys."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext, override

LAST_MONTH = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def zh(text: str) -> str:
    """What the page shows for an English source string in Chinese, the portal's default."""
    with override("zh-hans"):
        return gettext(text)


def last_month(day: int) -> datetime:
    return timezone.make_aware(datetime(LAST_MONTH.year, LAST_MONTH.month, day, 10, 0))


def assert_fits_the_phone(page):
    """No sideways scrolling at phone width."""
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px screen"

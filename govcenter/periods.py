"""Days, months and periods as users type them: parsed once, in one place, with the same rules
(years 2000 to 2100: a portal opened in the 2020s has nothing older, and a date outside that range
is a typing error, not a reason for a 500), and turned into time ranges in the portal's time zone."""

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from govcenter.errors import DomainError

FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_year(day: date | datetime, field: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            _("Give a date between the years %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field=field,
        )


def parse_day(value, field: str, default: date | None = None) -> date | None:
    """YYYY-MM-DD, or the default when nothing was given."""
    if value in (None, ""):
        return default
    try:
        if not isinstance(value, str):
            raise ValueError
        day = date.fromisoformat(value.strip())
    except ValueError as error:
        raise DomainError(_("Give the date as YYYY-MM-DD."), field=field) from error
    check_year(day, field)
    return day


def parse_month(value, field: str = "month", default: date | None = None) -> date | None:
    """YYYY-MM as the first day of that month, or the default when nothing was given."""
    if value in (None, ""):
        return default
    try:
        if not isinstance(value, str):
            raise ValueError
        year, month = (int(part) for part in value.strip().split("-"))
        first = date(year, month, 1)
    except ValueError as error:
        raise DomainError(_("Give the month as YYYY-MM."), field=field) from error
    check_year(first, field)
    return first


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def start_of(day: date) -> datetime:
    """Midnight at the start of a day, in the portal's time zone."""
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, in the portal's time zone."""
    first = month.replace(day=1)
    return start_of(first), start_of(next_month(first))

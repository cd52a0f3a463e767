"""Working days: China's statutory holidays and swapped weekend workdays (调休).

Three sources, in order of precedence:
1. `CalendarOverride` rows, editable in the admin (a local holiday, or next year's State Council
   notice before the package knows it);
2. `chinese-calendar`, for the years it knows (2004–2026 in the installed version);
3. Monday to Friday, for any other year, with a warning: a deadline is never refused for want of
   a calendar, but the UI says the year is not configured (`year_status`).

A `WorkCalendar` loads the overrides for the years it touches once, so computing many deadlines
costs one query. Deadlines keep the time of day: five working days after Monday 15:20 is the next
Monday 15:20 when no holiday intervenes.
"""

import functools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

KNOWN_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@functools.lru_cache(maxsize=4096)
def _statutory_workday(day: date) -> bool:
    """chinese-calendar's answer, remembered: the package's tables never change while the process
    runs, and every new case walks the same few weeks of days for each of its stages."""
    return chinese_calendar.is_workday(day)


class YearStatus(StrEnum):
    STATUTORY = "statutory"  # chinese-calendar knows the year (overrides may still apply)
    OVERRIDDEN = "overridden"  # unknown to the package, but an administrator entered its days
    FALLBACK = "fallback"  # unknown and not entered: Monday to Friday


YEAR_STATUS_LABELS = {
    YearStatus.STATUTORY: _("statutory holidays applied"),
    YearStatus.OVERRIDDEN: _("holidays entered by an administrator"),
    YearStatus.FALLBACK: _("holidays not yet configured: Monday to Friday assumed"),
}


@dataclass
class WorkCalendar:
    """Working-day arithmetic with the overrides of the years it has loaded."""

    overrides: dict[date, bool] = field(default_factory=dict)
    override_years: set[int] = field(default_factory=set)
    _warned: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, first_year: int | None = None, last_year: int | None = None) -> "WorkCalendar":
        """Load the overrides of a span of years (all of them when no span is given)."""
        from govcenter.models import CalendarOverride

        # Every new case loads this: a plain date range (what date__year__gte/lte compile to anyway)
        # and no ORDER BY, since the rows go into a dict.
        rows = CalendarOverride.objects.order_by()
        if first_year is not None:
            rows = rows.filter(date__gte=date(first_year, 1, 1))
        if last_year is not None:
            rows = rows.filter(date__lte=date(last_year, 12, 31))
        overrides = dict(rows.values_list("date", "is_workday"))
        return cls(overrides=overrides, override_years={day.year for day in overrides})

    @classmethod
    def around(cls, day: date) -> "WorkCalendar":
        """Enough of the calendar for deadlines starting on `day` (they reach at most a year ahead)."""
        return cls.load(day.year, day.year + 1)

    def year_status(self, year: int) -> YearStatus:
        if year in KNOWN_YEARS:
            return YearStatus.STATUTORY
        if year in self.override_years:
            return YearStatus.OVERRIDDEN
        return YearStatus.FALLBACK

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in KNOWN_YEARS:
            return _statutory_workday(day)
        if day.year not in self.override_years and day.year not in self._warned:
            self._warned.add(day.year)
            logger.warning("No holiday calendar for %s: assuming Monday to Friday", day.year)
        return day.weekday() < 5

    def add(self, start: date | datetime, days: int) -> date | datetime:
        """The `days`-th working day after `start`, keeping a datetime's local time of day.

        `days=0` returns `start` itself when it is a working day, else the next working day.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        moment = timezone.localtime(start) if isinstance(start, datetime) else None
        day = moment.date() if moment else start
        if days == 0:
            while not self.is_workday(day):
                day = self._step(day)
        for _counted in range(days):
            day = self._step(day)
            while not self.is_workday(day):
                day = self._step(day)
        if moment is None:
            return day
        return moment.replace(year=day.year, month=day.month, day=day.day)

    def between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        first, last = _as_date(start), _as_date(end)
        if last < first:
            return -self.between(end, start)
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    @staticmethod
    def _step(day: date) -> date:
        return day + timedelta(days=1)


def _as_date(value: date | datetime) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def is_workday(day: date) -> bool:
    return WorkCalendar.load(day.year, day.year).is_workday(day)


def add_workdays(start: date | datetime, days: int) -> date | datetime:
    return WorkCalendar.around(_as_date(start)).add(start, days)


def workdays_between(start: date | datetime, end: date | datetime) -> int:
    first, last = sorted([_as_date(start), _as_date(end)])
    return WorkCalendar.load(first.year, last.year).between(start, end)


def year_status(year: int) -> YearStatus:
    return WorkCalendar.load(year, year).year_status(year)

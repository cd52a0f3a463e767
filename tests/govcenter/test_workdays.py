from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govcenter import services, workdays
from govcenter.signals import calendar_changed
from govcenter.workdays import WorkCalendar, YearStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calendar(db):
    return WorkCalendar.load()


class TestNationalDay2026:
    def test_the_golden_week_is_off(self, calendar):
        assert not any(calendar.is_workday(date(2026, 10, day)) for day in range(1, 8))

    def test_the_swapped_weekend_days_are_worked(self, calendar):
        assert calendar.is_workday(date(2026, 9, 20))  # Sunday
        assert calendar.is_workday(date(2026, 10, 10))  # Saturday

    def test_five_working_days_across_the_holiday_count_the_swapped_saturday(self, calendar):
        # 30 Sep (Wed) + 5: 8 Oct, 9 Oct, 10 Oct (Sat, worked), 12 Oct, 13 Oct.
        assert calendar.add(date(2026, 9, 30), 5) == date(2026, 10, 13)

    def test_datetimes_keep_their_time_of_day(self, calendar):
        start = datetime(2026, 9, 30, 15, 20, tzinfo=SHANGHAI)
        assert calendar.add(start, 5) == datetime(2026, 10, 13, 15, 20, tzinfo=SHANGHAI)

    def test_working_days_between(self, calendar):
        assert calendar.between(date(2026, 9, 30), date(2026, 10, 13)) == 5
        assert calendar.between(date(2026, 10, 13), date(2026, 9, 30)) == -5
        assert calendar.between(date(2026, 10, 1), date(2026, 10, 7)) == 0


class TestYearsThePackageDoesNotKnow:
    def test_five_days_from_2026_12_28_fall_back_to_weekdays_without_an_exception(self, db):
        # 29, 30, 31 Dec, then 1 Jan 2027 (a Friday, unknown to the package) and Monday 4 Jan.
        assert workdays.add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 4)
        assert workdays.year_status(2027) == YearStatus.FALLBACK

    def test_an_override_for_2027_is_used(self, db, superuser):
        services.calendar_override_set(actor=superuser, day=date(2027, 1, 1), is_workday=False, reason="元旦")
        assert workdays.add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 5)
        assert workdays.year_status(2027) == YearStatus.OVERRIDDEN

    def test_an_override_can_make_a_weekend_a_working_day(self, db, superuser):
        services.calendar_override_set(actor=superuser, day=date(2027, 1, 2), is_workday=True, reason="调休上班")
        assert workdays.is_workday(date(2027, 1, 2))

    def test_far_years_never_raise(self, calendar):
        assert calendar.add(date(2031, 5, 30), 3) == date(2031, 6, 4)
        assert calendar.between(date(2026, 12, 1), date(2031, 1, 1)) > 1000

    def test_override_beats_the_package(self, db, superuser):
        services.calendar_override_set(actor=superuser, day=date(2026, 10, 8), is_workday=False, reason="地方假日")
        assert workdays.add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 14)

    def test_an_override_entered_after_the_package_was_asked_still_wins(self, db, superuser):
        # The package's answers are remembered for the life of the process; overrides never are.
        assert workdays.is_workday(date(2026, 10, 9)) and not workdays.is_workday(date(2026, 10, 5))
        services.calendar_override_set(actor=superuser, day=date(2026, 10, 9), is_workday=False, reason="地方假日")
        services.calendar_override_set(actor=superuser, day=date(2026, 10, 5), is_workday=True, reason="调休上班")
        assert not workdays.is_workday(date(2026, 10, 9)) and workdays.is_workday(date(2026, 10, 5))


def test_a_span_of_years_loads_the_overrides_from_its_first_to_its_last_day(db, superuser):
    for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1)):
        services.calendar_override_set(actor=superuser, day=day, is_workday=True, reason="边界")
    assert sorted(WorkCalendar.load(2026, 2026).overrides) == [date(2026, 1, 1), date(2026, 12, 31)]
    assert sorted(WorkCalendar.load(2026).overrides) == [date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1)]
    assert len(WorkCalendar.load().overrides) == 4


class TestOverrideChanges:
    def test_adding_and_removing_announce_the_day_after_commit(self, db, superuser, django_capture_on_commit_callbacks):
        received = []

        def listener(sender, dates, **kwargs):
            received.append(dates)

        calendar_changed.connect(listener)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                override = services.calendar_override_set(
                    actor=superuser, day=date(2027, 2, 8), is_workday=False, reason="春节"
                )
            with django_capture_on_commit_callbacks(execute=True):
                services.calendar_override_remove(actor=superuser, override=override)
        finally:
            calendar_changed.disconnect(listener)
        assert received == [[date(2027, 2, 8)], [date(2027, 2, 8)]]

    def test_an_override_needs_a_reason(self, db, superuser):
        from govcenter.errors import DomainError

        with pytest.raises(DomainError):
            services.calendar_override_set(actor=superuser, day=date(2027, 2, 8), is_workday=False, reason=" ")

    def test_changes_are_audited(self, db, superuser):
        from govcenter.models import AuditEvent

        services.calendar_override_set(actor=superuser, day=date(2027, 2, 8), is_workday=False, reason="春节")
        assert AuditEvent.objects.filter(action="calendar.override_set", actor=superuser).count() == 1

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case, Notification, SlaPolicy
from govcenter import services as core_services

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVE_OF_NATIONAL_DAY = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)


def _due(case, stage):
    return case.deadlines.get(stage=stage).due_at.astimezone(SHANGHAI)


@pytest.fixture
def holiday_case(make_case):
    return make_case(received_at=EVE_OF_NATIONAL_DAY)


class TestDeadlinesAcrossNationalDay:
    def test_respond_and_classify_run_on_the_clock(self, holiday_case):
        assert _due(holiday_case, "respond") == datetime(2026, 9, 30, 10, 30, tzinfo=SHANGHAI)
        assert _due(holiday_case, "classify") == datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)

    def test_resolve_counts_working_days_and_the_swapped_saturday(self, holiday_case):
        # 8, 9, 10 (Saturday, worked), 12, 13 October.
        assert _due(holiday_case, "resolve") == datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI)
        assert _due(holiday_case, "feedback") == datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI)

    def test_follow_up_is_ten_working_days(self, holiday_case):
        assert _due(holiday_case, "follow_up") == datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)

    def test_the_case_shows_what_is_due_next(self, holiday_case, api_as, clerk):
        body = api_as(clerk).get(f"/api/v1/cases/{holiday_case.pk}/").json()
        assert body["next_stage"] == "respond"
        assert [d["stage"] for d in body["deadlines"]] == ["respond", "classify", "resolve", "feedback", "follow_up"]


def test_a_policy_per_channel_wins_over_the_default(make_case):
    SlaPolicy.objects.create(name="12345热线", channel="hotline", resolve_workdays=3)
    case = make_case(channel="hotline", received_at=EVE_OF_NATIONAL_DAY)
    # 8, 9 and the worked Saturday 10 October.
    assert _due(case, "resolve") == datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)
    other = make_case(channel="walk_in", received_at=EVE_OF_NATIONAL_DAY)
    assert _due(other, "resolve") == datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI)


def test_deadlines_reaching_into_2027_do_not_fail(make_case):
    case = make_case(received_at=datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI))
    assert _due(case, "resolve") == datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)


class TestOverdueSweep:
    def test_marks_overdue_stages_flags_the_case_and_notifies_once(self, holiday_case, clerk, category):
        now = datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)
        marked = services.sweep_overdue(now=now)
        assert marked == 4  # respond, classify, resolve, feedback; follow-up is due on the 20th
        case = Case.objects.get(pk=holiday_case.pk)
        assert case.is_overdue and case.next_stage == "respond"
        notices = Notification.objects.filter(recipient=clerk, kind="case.overdue")
        assert notices.count() == 4
        assert services.sweep_overdue(now=now) == 0
        assert notices.count() == 4
        assert case.events.filter(verb="overdue").count() == 4

    def test_classifying_meets_the_respond_and_classify_limits(self, make_case, clerk, category):
        case = make_case()  # received now
        services.sweep_overdue(now=case.received_at + timedelta(hours=2))
        case.refresh_from_db()
        assert case.is_overdue  # nobody responded within 30 minutes
        services.case_classify(actor=clerk, case=case, category=category)
        case.refresh_from_db()
        assert not case.is_overdue
        assert case.next_stage == "resolve"
        assert all(case.deadlines.get(stage=stage).met_at for stage in ("respond", "classify"))

    def test_the_sweep_is_scheduled(self, db):
        from django_q.models import Schedule

        assert Schedule.objects.filter(func="cases.tasks.sweep_overdue").exists()


def test_pausing_the_clock_moves_open_deadlines_back(make_case, clerk, monkeypatch):
    from django.utils import timezone

    case = make_case(received_at=EVE_OF_NATIONAL_DAY)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    services.case_pause(actor=clerk, case=case, reason="等待当事人补充材料")
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI))
    services.case_resume(actor=clerk, case=case)
    # Paused from Thursday 8 to Monday 12 October, 09:00: the 9th and the worked Saturday 10th were
    # lost whole, so resolving moves from the 13th to the 15th.
    assert _due(case, "resolve") == datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI)
    assert case.pauses.get().reason == "等待当事人补充材料"
    assert [e.verb for e in case.events.order_by("id")][-2:] == ["pause", "resume"]


def test_a_short_pause_across_midnight_adds_no_working_day(make_case, clerk, monkeypatch):
    from django.utils import timezone

    case = make_case(received_at=EVE_OF_NATIONAL_DAY)
    before = _due(case, "resolve")
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 10, 8, 23, 59, tzinfo=SHANGHAI))
    services.case_pause(actor=clerk, case=case, reason="等待材料")
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 10, 9, 0, 1, tzinfo=SHANGHAI))
    services.case_resume(actor=clerk, case=case)
    assert _due(case, "resolve") == before + timedelta(minutes=0)


def test_a_paused_case_is_not_swept_and_resuming_clears_stale_marks(make_case, clerk, monkeypatch):
    from django.utils import timezone

    case = make_case(received_at=EVE_OF_NATIONAL_DAY)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    services.case_pause(actor=clerk, case=case, reason="等待鉴定结论")
    assert services.sweep_overdue(now=datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI)) == 0
    assert not Case.objects.get(pk=case.pk).is_overdue


def test_closing_a_paused_case_ends_the_pause(make_case, clerk, category):
    from cases.models import ClockPause, Status

    case = make_case(category=category)
    services.case_pause(actor=clerk, case=case, reason="等待当事人")
    Case.objects.filter(pk=case.pk).update(status=Status.FOLLOWED_UP)
    services.case_close(actor=clerk, case=Case.objects.get(pk=case.pk))
    case.refresh_from_db()
    assert not case.is_paused and ClockPause.objects.get(case=case).ended_at is not None


def test_reopening_keeps_the_first_rounds_limits(make_case, director, category):
    from cases.models import Status

    case = make_case(category=category)
    case.deadlines.filter(stage="resolve").update(met_at=case.received_at)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    services.case_reopen(actor=director, case=Case.objects.get(pk=case.pk), reason="问题复发")
    rounds = case.deadlines.filter(stage="resolve").order_by("id")
    assert rounds.count() == 2
    assert rounds[0].met_at is not None and rounds[0].superseded_at is not None
    assert rounds[1].met_at is None and rounds[1].superseded_at is None


def test_a_new_holiday_moves_the_open_deadlines_it_affects(make_case, superuser, django_capture_on_commit_callbacks):
    case = make_case(received_at=EVE_OF_NATIONAL_DAY)
    untouched = make_case(received_at=datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI))
    before = _due(untouched, "resolve")
    with django_capture_on_commit_callbacks(execute=True):
        core_services.calendar_override_set(
            actor=superuser, day=date(2026, 10, 12), is_workday=False, reason="地方假日"
        )
    assert _due(case, "resolve") == datetime(2026, 10, 14, 10, 0, tzinfo=SHANGHAI)
    assert _due(untouched, "resolve") == before


def test_a_dispatch_deadline_in_the_past_is_refused(make_case, clerk, category, api_as):
    from govcenter.models import Department

    case = make_case(category=category)
    department = Department.objects.get(center_code="620102")
    response = api_as(clerk).post(
        f"/api/v1/cases/{case.pk}/dispatch/",
        {"departments": [department.pk], "due_at": "2020-01-01T00:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400 and "due_at" in response.json()
    assert case.dispatches.count() == 0

"""The intake path as the public QR form and the clerks use it: what one new case costs, and what
the leaner path must still guarantee (numbers, deadlines, notifications, background scoring)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import deadlines as sla
from cases import hooks, services, signals
from cases.models import Case, CaseNumberCounter, Notification, Status
from govcenter.models import AuditEvent, Role
from tests.conftest import make_member

# What one public report may cost, everything included (the throttle lives in the cache): finding the
# center, the receipt check, the calendar, the time limits, the number, five inserts, the recipients,
# the audit chain (its lock is one more on PostgreSQL), and the savepoint the test runs in.
PUBLIC_REPORT_QUERIES = 15


def _report(api, token, **overrides):
    payload = {"token": token, "name": "市民甲", "phone": "13700001111", "title": "路灯不亮", "facts": "坏了一周。"}
    payload.update(overrides)
    return api.post("/api/v1/public/reports/", payload, format="json")


class TestCaseNumbers:
    def test_a_county_year_starts_at_one_and_counts_on(self, db):
        with transaction.atomic():
            assert services.allocate_number("620102", 2026) == (1, "620102-2026-000001")
            assert services.allocate_number("620102", 2026) == (2, "620102-2026-000002")
            assert services.allocate_number("620102", 2027) == (1, "620102-2027-000001")
            assert services.allocate_number("620201", 2026) == (1, "620201-2026-000001")
        assert CaseNumberCounter.objects.get(county_code="620102", year=2026).last == 2

    def test_an_intake_that_fails_after_taking_its_number_gives_it_back(self, make_case, monkeypatch):
        assert make_case().number.endswith("-000001")

        def broken(*args, **kwargs):
            raise RuntimeError("the notification table is gone")

        monkeypatch.setattr("cases.services.intake.notify_center", broken)
        with pytest.raises(RuntimeError):
            make_case()
        monkeypatch.undo()
        assert make_case().number.endswith("-000002")
        assert CaseNumberCounter.objects.get().last == 2
        assert Case.objects.count() == 2


class TestNewCaseDeadlines:
    def test_the_summary_names_the_first_limit_as_the_stored_deadlines_say(self, make_case):
        case = Case.objects.get(pk=make_case().pk)
        assert (case.next_stage, case.is_overdue) == ("respond", False)
        assert case.next_due_at == case.received_at + timedelta(minutes=30)
        assert sla.refresh_summary(case, case.received_at) == []  # read back from the table: nothing to change

    def test_a_clerk_who_files_the_category_has_responded_and_classified(self, make_case, category):
        case = Case.objects.get(pk=make_case(category=category).pk)
        met = {d.stage: d.met_at for d in case.deadlines.all()}
        assert met["respond"] == met["classify"] == case.events.get(verb="create").at
        assert met["resolve"] is None and met["feedback"] is None and met["follow_up"] is None
        assert (case.status, case.next_stage) == (Status.CLASSIFIED, "resolve")
        assert sla.refresh_summary(case, case.received_at) == []

    def test_a_case_recorded_late_is_overdue_from_the_start(self, make_case):
        from django.utils import timezone

        case = Case.objects.get(pk=make_case(received_at=timezone.now() - timedelta(hours=2)).pk)
        assert case.is_overdue and case.next_stage == "respond"
        assert sla.refresh_summary(case, timezone.now()) == []


class TestPublicReport:
    def test_a_report_costs_a_fixed_number_of_queries(self, api, tree, django_assert_max_num_queries):
        token = tree["620102001"].public_token
        _report(api, token, phone="13700000001")  # the first one fills the caches of the process
        with django_assert_max_num_queries(PUBLIC_REPORT_QUERIES):
            response = _report(api, token, phone="13700000002")
        assert response.status_code == 201, response.content

    def test_a_report_naming_no_one_does_not_read_the_roster(self, api, tree, monkeypatch):
        def roster(center):
            raise AssertionError("the roster was read for a report that names no one")

        monkeypatch.setattr(hooks, "public_roster", roster)
        response = _report(api, tree["620102001"].public_token)
        assert response.status_code == 201, response.content

    def test_the_chosen_mediator_is_kept_with_the_new_case(self, api, tree, monkeypatch):
        monkeypatch.setattr(hooks, "public_roster", lambda center: [("mediator:7", "杨秀英（东岗街道人民调解委员会）")])
        receipt = _report(api, tree["620102001"].public_token, preferred="mediator:7").json()["receipt"]
        assert Case.objects.get(receipt=receipt).preferred_mediation == "杨秀英（东岗街道人民调解委员会）"
        refused = _report(api, tree["620102001"].public_token, preferred="mediator:8", phone="13700002222")
        assert refused.status_code == 400 and "preferred" in refused.json()
        assert Case.objects.count() == 1

    def test_the_report_is_audited_and_told_to_the_center(self, api, tree):
        clerk = make_member(tree["620102001"], Role.CLERK).user
        receipt = _report(api, tree["620102001"].public_token).json()["receipt"]
        case = Case.objects.get(receipt=receipt)
        event = AuditEvent.objects.get(action="case.create")
        assert (event.object_id, event.data["number"], event.data["channel"]) == (str(case.pk), case.number, "qr")
        assert Notification.objects.filter(recipient=clerk, case=case, kind="case.new").count() == 1


def test_a_person_with_two_roles_at_the_center_is_notified_once(make_case, tree, clerk):
    from cases.notifications import notify_center
    from govcenter.models import Membership

    Membership.objects.create(user=clerk, center=tree["620102001"], center_code="620102001", role=Role.DIRECTOR)
    case = make_case()
    assert notify_center(case, kind="test.once", text="一次") == 1
    assert Notification.objects.filter(recipient=clerk, kind="test.once").count() == 1


def test_scoring_requests_share_one_broker(make_case, monkeypatch, django_capture_on_commit_callbacks):
    import django_q.tasks
    from django_q.brokers import Broker

    queued = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda func, *args, **kwargs: queued.append((func, kwargs)))
    signals._broker.cache_clear()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first, second = make_case(), make_case()
    finally:
        signals._broker.cache_clear()
    assert [kwargs["task_name"] for _func, kwargs in queued] == [f"risk-{first.pk}", f"risk-{second.pk}"]
    brokers = {id(kwargs["broker"]) for _func, kwargs in queued}
    assert len(brokers) == 1 and isinstance(queued[0][1]["broker"], Broker)


def test_an_audit_event_inside_a_transaction_takes_no_savepoint(db):
    from govcenter import audit

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        audit.record(actor=None, action="test.lean", data={"n": 1})
        audit.record(actor=None, action="test.lean", data={"n": 2})
    assert not [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]
    assert audit.verify_chain() == (2, None)

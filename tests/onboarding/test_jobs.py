"""Imports as background jobs: queued by the page and the API, carried out by the worker through the
same mechanism as exports (govcenter.jobs), with a progress bar, once, whatever happens."""

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from govcenter import jobs
from govcenter.models import AuditEvent, Center, Membership, Role
from onboarding import services
from onboarding.importers.divisions import DivisionImporter
from onboarding.models import ImportRun
from tests.onboarding.conftest import csv_bytes

ROWS = [["统计用区划代码", "名称"], ["620102003", "火车站街道"], ["620102004", "拱星墩街道"]]


def queue(actor, rows=ROWS, **options) -> ImportRun:
    return services.queue_import(
        actor=actor, kind="divisions", content=csv_bytes(rows, "gbk"), filename="区划.csv", **options
    )


def audit_actions(run: ImportRun) -> list[str]:
    events = AuditEvent.objects.filter(object_type="onboarding.importrun", object_id=str(run.pk))
    return list(events.order_by("id").values_list("action", flat=True))


@pytest.fixture
def director(member_at):
    return member_at("parent", Role.DIRECTOR)


def test_an_upload_is_queued_with_its_file_and_imported_by_the_worker(director, background):
    with background():
        run = queue(director)
        assert (run.status, run.rows, run.progress, run.attempts) == ("queued", 2, 0, 0)
        assert not Center.objects.filter(code="620102003").exists()

    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts, run.counts["created"]) == ("applied", 100, 1, 2)
    assert run.finished_at and 0 <= run.seconds < 60
    with run.file.open("rb") as kept:
        assert kept.read() == csv_bytes(ROWS, "gbk")
    assert Center.objects.filter(code__in=["620102003", "620102004"]).count() == 2
    assert audit_actions(run) == ["onboarding.queued", "onboarding.applied"]


def test_the_queued_audit_line_holds_the_files_digest(director, background):
    import hashlib

    with background():
        run = queue(director)

    queued = AuditEvent.objects.get(object_id=str(run.pk), action="onboarding.queued")
    assert queued.data["sha256"] == hashlib.sha256(csv_bytes(ROWS, "gbk")).hexdigest()
    assert queued.data["rows"] == 2 and queued.data["dry_run"] is False


def test_a_file_with_wrong_columns_is_refused_at_once_and_never_queued(director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued, pytest.raises(services.DomainError):
        queue(director, rows=[["编号", "名称"], ["620102003", "火车站街道"]])

    assert queued == []
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and "统计用区划代码" in run.message
    assert audit_actions(run) == ["onboarding.refused"]


def test_a_task_delivered_twice_imports_once(director, background):
    with background():
        run = queue(director)

    services.run_queued(run.pk)  # django-q2 hands the same task out again

    run.refresh_from_db()
    assert (run.status, run.attempts) == ("applied", 1)
    assert audit_actions(run) == ["onboarding.queued", "onboarding.applied"]


def test_an_import_whose_worker_died_is_carried_out_again_from_the_start(director, background):
    run = queue(director)
    # The first worker took it and died: the row says running, the import's transaction rolled back.
    ImportRun.objects.filter(pk=run.pk).update(status="running", attempts=1, progress=40)

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress, run.counts["created"]) == ("applied", 2, 100, 2)


def test_an_import_tried_too_often_is_given_up_and_imports_nothing(director):
    run = queue(director)
    ImportRun.objects.filter(pk=run.pk).update(status="running", attempts=jobs.MAX_ATTEMPTS)

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at
    assert "3 times" in run.message and "nothing was imported" in run.message
    assert not Center.objects.filter(code="620102003").exists()
    assert audit_actions(run) == ["onboarding.queued", "onboarding.failed"]


def test_an_unexpected_error_fails_the_import_and_leaves_nothing_half_done(director, monkeypatch, caplog):
    run = queue(director)
    original = DivisionImporter.apply

    def apply_then_break(importer):
        original(importer)  # the centers are written …
        raise RuntimeError("disk full")  # … and then something breaks before the commit

    monkeypatch.setattr(DivisionImporter, "apply", apply_then_break)

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "unexpected error" in run.message
    assert "disk full" not in run.message  # the reason is for the administrator's log
    assert not Center.objects.filter(code="620102003").exists()
    assert f"import {run.pk} (divisions) failed" in caplog.text
    assert audit_actions(run) == ["onboarding.queued", "onboarding.failed"]


def test_the_worker_checks_again_who_may_import(director):
    run = queue(director)
    Membership.objects.filter(user=director).update(is_active=False)  # left the post meanwhile

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED and "director" in run.message
    assert not Center.objects.filter(code="620102003").exists()


def test_the_worker_writes_in_the_language_of_the_person_who_asked(director):
    from django.utils import translation

    bad = [*ROWS, ["620102009001", "无主社区"]]
    with translation.override("zh-hans"):
        chinese = queue(director, rows=bad)
    with translation.override("en"):
        english = queue(director, rows=bad)

    with translation.override("en"):  # the worker's own language does not matter
        services.run_queued(chinese.pk)
        services.run_queued(english.pk)

    chinese.refresh_from_db()
    english.refresh_from_db()
    assert (chinese.language, english.language) == ("zh-hans", "en")
    assert "上级" in chinese.errors[0]["message"] and "parent" in english.errors[0]["message"]


def test_the_steps_move_the_progress_bar_forward(director):
    seen = []

    services.import_file(
        actor=director, kind="divisions", content=csv_bytes(ROWS), filename="区划.csv", progress=seen.append
    )

    percents = [int(p) for p in seen]
    assert percents == sorted(percents) and percents[0] <= 5 and 45 <= percents[-1] < 100
    assert len(set(percents)) >= 4  # reading, checking, planning, applying


def test_a_dry_run_carried_out_for_real_is_a_job_of_its_own_on_the_same_file(director, background):
    with background():
        preview = queue(director, dry_run=True)
    preview.refresh_from_db()
    assert (preview.status, preview.dry_run) == ("previewed", True)

    with background():
        applied = services.queue_again(actor=director, run=preview)

    applied.refresh_from_db()
    assert (applied.status, applied.dry_run, applied.file.name) == ("applied", False, preview.file.name)
    assert Center.objects.filter(code="620102003").exists()


class TestThePage:
    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_a_queued_import_shows_a_progress_bar_that_refreshes_itself(self, director):
        run = queue(director)
        client = self.client(director)

        page = client.get(reverse("import-detail", args=[run.pk])).content.decode()
        fragment = client.get(reverse("import-detail", args=[run.pk]), headers={"HX-Request": "true"})

        assert "<progress" in page and 'hx-trigger="every 2s"' in page
        assert '<meta http-equiv="refresh"' in page  # inside <noscript>: without JavaScript the page reloads
        assert fragment.content.decode().lstrip().startswith('<div id="import-run"')
        assert "HX-Request" in fragment["Vary"]

    def test_a_running_import_shows_how_far_it_has_come(self, director):
        run = queue(director)
        ImportRun.objects.filter(pk=run.pk).update(status="running", progress=62)

        page = self.client(director).get(reverse("import-detail", args=[run.pk])).content.decode()

        assert '<progress max="100" value="62"' in page and "62%" in page

    def test_an_ended_import_stops_refreshing(self, director, background):
        with background():
            run = queue(director)

        page = self.client(director).get(reverse("import-detail", args=[run.pk])).content.decode()

        assert "hx-trigger" not in page and "<progress" not in page
        assert "refresh" not in page.split("</head>")[0]


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_others_while_the_import_is_still_in_its_transaction(tree, member_at, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one connection write at a time: there the bar runs without a figure")
    director = member_at("parent", Role.DIRECTOR)
    original = DivisionImporter.apply
    seen_from_outside = []
    run_ids = []

    def apply_and_look(importer):
        original(importer)
        observer = connections.create_connection("default")
        try:
            with observer.cursor() as cursor:
                cursor.execute("SELECT status, progress FROM onboarding_importrun WHERE id = %s", run_ids)
                seen_from_outside.append(cursor.fetchone())
                cursor.execute("SELECT count(*) FROM govcenter_center WHERE code = '620102003'")
                seen_from_outside.append(cursor.fetchone())
        finally:
            observer.close()

    monkeypatch.setattr(DivisionImporter, "apply", apply_and_look)
    monkeypatch.setattr(jobs, "enqueue", lambda task, job_id, name: run_ids.append(job_id))

    run = queue(director)  # committed at once (no test transaction around it); run by hand below
    services.run_queued(run.pk)

    (status, progress), (centers,) = seen_from_outside
    assert status == "running" and 45 < progress < 100
    assert centers == 0  # the import itself is not seen before it commits
    run.refresh_from_db()
    assert (run.status, run.progress) == ("applied", 100)


def test_a_big_import_moves_the_bar_while_its_audit_lines_are_written(director, monkeypatch):
    from onboarding.importers import base

    monkeypatch.setattr(base, "PROGRESS_EVERY", 2)  # as with thousands of rows, on a few
    rows = [["统计用区划代码", "名称"]] + [[f"620102{n:03d}", f"新街道{n}"] for n in range(10, 20)]
    seen = []

    services.import_file(
        actor=director, kind="divisions", content=csv_bytes(rows), filename="区划.csv", progress=seen.append
    )

    writing = [p for p in seen if p > 45 + 50 * 0.6]  # past the centers' inserts: the audit lines
    assert len(writing) >= 3 and writing == sorted(writing) and writing[-1] <= 95


def test_an_import_whose_kept_file_is_gone_ends_failed_instead_of_running_for_ever(director, caplog):
    run = queue(director)
    run.file.storage.delete(run.file.name)

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "unexpected error" in run.message
    assert audit_actions(run) == ["onboarding.queued", "onboarding.failed"]


def test_an_import_of_a_kind_no_longer_offered_ends_refused(director):
    run = queue(director)
    ImportRun.objects.filter(pk=run.pk).update(kind="gone")

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED and "gone" in run.message


def test_the_given_up_message_is_in_the_language_of_the_person_who_asked(director):
    from django.utils import translation

    with translation.override("zh-hans"):
        run = queue(director)
    ImportRun.objects.filter(pk=run.pk).update(status="running", attempts=jobs.MAX_ATTEMPTS)

    services.run_queued(run.pk)  # the worker itself in English (the tests' language)

    run.refresh_from_db()
    assert "3 次" in run.message


def test_imports_no_worker_will_finish_are_ended_by_the_hourly_sweep(director):
    from datetime import timedelta

    from django.utils import timezone

    from onboarding import tasks

    stale, fresh = queue(director), queue(director)
    ImportRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - jobs.stale_after() - timedelta(minutes=1))

    assert tasks.sweep_stale_imports() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportRun.Status.FAILED and "background worker" in stale.message
    assert fresh.status == ImportRun.Status.QUEUED
    services.run_queued(stale.pk)  # its task, if it ever comes, does nothing
    assert not Center.objects.filter(code="620102003").exists()


def test_a_queued_import_is_filed_under_the_importers_subtree(director, member_at):
    run = queue(director)

    assert run.center_code == "620102"  # the county director's, before any row said where it works
    colleague_above = member_at("6201", Role.DIRECTOR)
    from onboarding.selectors import import_run_get_visible

    assert import_run_get_visible(user=colleague_above, run_id=run.pk) == run
    assert import_run_get_visible(user=member_at("620201", Role.DIRECTOR), run_id=run.pk) is None


def test_an_account_disabled_meanwhile_imports_nothing(director):
    run = queue(director)
    type(director).objects.filter(pk=director.pk).update(is_active=False)

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED
    assert not Center.objects.filter(code="620102003").exists()


def test_a_failing_progress_write_does_not_fail_the_import(director, monkeypatch):
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes no progress inside the import's transaction")

    def no_connection():
        raise DatabaseError("too many connections")

    monkeypatch.setattr(jobs, "_side_connection", no_connection)
    run = queue(director)

    services.run_queued(run.pk)

    run.refresh_from_db()
    assert (run.status, run.progress) == ("applied", 100)

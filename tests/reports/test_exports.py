"""Export jobs as their owners meet them: started through the API or a button, built in the
background (django-q2 runs inline in tests), watched, fetched by their owner only, kept for a while."""

import io
import zipfile
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Case
from cases.presenters import mask_id_number
from govcenter import jobs
from govcenter.errors import DomainError
from govcenter.models import AuditEvent, IssuedDocument, Role
from reports import exports, tasks
from reports.models import ExportJob
from tests.fixtures_cases import ID_APPLICANT


def read_file(response) -> bytes:
    """The whole of a file response (reading it to the end closes the file)."""
    return b"".join(response.streaming_content)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def auditor(member_at):
    return member_at("parent", Role.AUDITOR, username="auditor_county")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what is queued after commit (the export task, inline) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _start(client, run_on_commit, kind, params, **headers):
    with run_on_commit():
        return client.post("/api/v1/exports/", {"kind": kind, "params": params}, format="json", **headers)


class TestOneDossier:
    def test_a_dossier_export_goes_from_start_to_file(self, make_case, auditor, api_as, run_on_commit):
        case = make_case(applicant_id=ID_APPLICANT)
        client = api_as(auditor)
        response = _start(client, run_on_commit, "case_dossier", {"case": case.pk})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["kind"] == "case_dossier" and body["status"] == "queued" and body["download"] is None

        job = client.get(f"/api/v1/exports/{body['id']}/").json()
        assert job["status"] == "done" and job["progress"] == 100 and not job["error"]
        assert job["filename"] == f"人民调解卷宗-{case.number}.pdf"
        assert job["download"] == f"/api/v1/exports/{body['id']}/file/"
        assert job["expires_at"] and job["finished_at"]

        file = client.get(job["download"])
        assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
        assert "attachment" in file["Content-Disposition"] and "filename*=UTF-8''" in file["Content-Disposition"]
        text = pdf_text(read_file(file))
        assert case.number in text and "卷宗" in text and "当事人权利义务告知书" in text
        assert mask_id_number(ID_APPLICANT) in text and ID_APPLICANT not in text  # an auditor: masked

        actions = list(
            AuditEvent.objects.filter(object_type="reports.exportjob").order_by("id").values_list("action", flat=True)
        )
        assert actions == ["export.start", "export.done", "export.fetch"]
        start = AuditEvent.objects.get(action="export.start")
        assert start.actor == auditor and start.center_code == case.center_code
        assert start.data == {"kind": "case_dossier", "params": {"case": case.pk}}

    def test_a_user_who_may_see_identity_numbers_gets_them_in_full(self, make_case, director, api_as, run_on_commit):
        case = make_case(applicant_id=ID_APPLICANT)
        client = api_as(director)
        job_id = _start(client, run_on_commit, "case_dossier", {"case": case.pk}).json()["id"]
        text = pdf_text(read_file(client.get(f"/api/v1/exports/{job_id}/file/")))
        assert ID_APPLICANT in text

    def test_progress_is_written_while_the_job_runs(self, clerk, monkeypatch, run_on_commit):
        seen = []

        def build(job, progress):
            for percent in (0, 30, 30, 70, 120):
                progress(percent)
                seen.append(ExportJob.objects.values_list("status", "progress").get(pk=job.pk))
            return "x.txt", "text/plain", b"x"

        monkeypatch.setitem(
            exports._KINDS, "test", exports.ExportKind("test", "test", build, lambda user, params: "620102001")
        )
        with run_on_commit():
            job = exports.start(owner=clerk, kind="test", params={})
            assert ExportJob.objects.get(pk=job.pk).status == "queued"  # not queued before commit
        assert seen == [("running", 0), ("running", 30), ("running", 30), ("running", 70), ("running", 99)]
        job.refresh_from_db()
        assert (job.status, job.progress, job.attempts) == ("done", 100, 1)


class TestBulk:
    def test_the_zip_holds_one_dossier_per_case_of_the_filter(self, make_case, director, api_as, run_on_commit):
        mine = [make_case(center_code="620102001") for _ in range(3)]
        make_case(center_code="620102002", actor=director)  # the sibling township: not in the filter
        client = api_as(director)
        response = _start(client, run_on_commit, "case_dossiers", {"under": "620102001", "status": ["received"]})
        assert response.status_code == 201, response.content
        job = client.get(f"/api/v1/exports/{response.json()['id']}/").json()
        assert job["status"] == "done" and job["filename"].endswith(".zip")
        content = read_file(client.get(job["download"]))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = sorted(archive.namelist())
            assert names == sorted(f"人民调解卷宗-{case.number}.pdf" for case in mine)
            for case in mine:
                assert case.number in pdf_text(archive.read(f"人民调解卷宗-{case.number}.pdf"))
        assert IssuedDocument.objects.filter(kind="dossier").count() == 3

    def test_only_cases_the_owner_may_see_are_in_the_zip(self, make_case, clerk, director, api_as, run_on_commit):
        own = make_case(center_code="620102001")
        make_case(center_code="620102002", actor=director)
        client = api_as(clerk)
        job_id = _start(client, run_on_commit, "case_dossiers", {}).json()["id"]
        content = read_file(client.get(f"/api/v1/exports/{job_id}/file/"))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert archive.namelist() == [f"人民调解卷宗-{own.number}.pdf"]

    def test_too_many_cases_is_a_400_asking_to_narrow_the_filter(self, make_case, director, api_as, settings):
        settings.EXPORT_MAX_CASES = 2
        for _ in range(3):
            make_case()
        response = api_as(director).post(
            "/api/v1/exports/", {"kind": "case_dossiers", "params": {"under": "620102"}}, format="json"
        )
        assert response.status_code == 400
        assert "缩小" in response.json()["params"][0]
        assert not ExportJob.objects.exists()


class TestWhoMay:
    def test_only_the_owner_sees_and_fetches_an_export(self, make_case, clerk, director, member_at, api_as):
        case = make_case()
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": case.pk})
        exports.run(job.pk)
        colleague = member_at("own", Role.CLERK)
        for other in (director, colleague):
            client = api_as(other)
            assert client.get(f"/api/v1/exports/{job.pk}/").status_code == 404
            assert client.get(f"/api/v1/exports/{job.pk}/file/").status_code == 404
            assert client.get("/api/v1/exports/").json()["count"] == 0
            with pytest.raises(Http404):
                exports.fetch(job, other)
        response = api_as(clerk).get(f"/api/v1/exports/{job.pk}/file/")
        assert response.status_code == 200 and read_file(response).startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="export.fetch").count() == 1

    def test_a_case_out_of_scope_is_404_at_start(self, make_case, member_at, api_as):
        case = make_case(center_code="620102001")
        response = api_as(member_at("sibling", Role.CLERK)).post(
            "/api/v1/exports/", {"kind": "case_dossier", "params": {"case": case.pk}}, format="json"
        )
        assert response.status_code == 404
        assert not ExportJob.objects.exists() and not AuditEvent.objects.filter(action="export.start").exists()

    def test_anonymous_is_refused(self, api):
        assert api.get("/api/v1/exports/").status_code == 401

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"kind": "everything", "params": {}}, "kind"),
            ({"kind": "case_dossier", "params": {}}, "case"),
            ({"kind": "case_dossier", "params": {"case": "abc"}}, "case"),
            ({"kind": "case_dossier", "params": {"case": 1, "extra": 2}}, "params"),
            ({"kind": "case_dossier", "params": "case=1"}, "params"),
            ({"kind": "case_dossiers", "params": {"colour": "red"}}, "params"),
            ({"kind": "case_dossiers", "params": {"status": "lost"}}, "status"),
            ({"kind": "case_dossiers", "params": {"under": "12x"}}, "under"),
            ({"kind": "case_dossiers", "params": {"created_after": "yesterday"}}, "created_after"),
            ({"kind": "case_dossiers", "params": {"under": "620201"}}, "params"),  # matches nothing visible
        ],
    )
    def test_bad_requests_are_400_with_a_message(self, make_case, clerk, api_as, payload, field):
        make_case()
        response = api_as(clerk).post("/api/v1/exports/", payload, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json() and response.json()[field][0]
        assert not ExportJob.objects.exists()

    def test_the_message_is_in_the_request_language(self, clerk, api_as):
        client = api_as(clerk)
        payload = {"kind": "everything", "params": {}}
        english = client.post("/api/v1/exports/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
        chinese = client.post("/api/v1/exports/", payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        assert english["kind"] == ["Unknown kind of export: everything."]
        assert chinese["kind"][0] != english["kind"][0] and "导出" in chinese["kind"][0]


class TestRetryFailureExpiry:
    def test_a_job_run_again_is_not_built_or_recorded_twice(self, make_case, clerk):
        case = make_case()
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": case.pk})
        exports.run(job.pk)
        job.refresh_from_db()
        first_file = job.file.name
        exports.run(job.pk)  # django-q2 delivers the task again
        job.refresh_from_db()
        assert job.file.name == first_file and job.attempts == 1
        assert AuditEvent.objects.filter(action="export.done").count() == 1
        assert IssuedDocument.objects.filter(kind="dossier").count() == 1
        assert len(default_storage.listdir(first_file.rsplit("/", 1)[0])[1]) == 1

    def test_a_job_left_running_by_a_dead_worker_is_taken_over(self, make_case, clerk):
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=1, progress=40)
        exports.run(job.pk)
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("done", 2)

    def test_a_job_that_keeps_dying_is_given_up(self, make_case, clerk):
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=jobs.MAX_ATTEMPTS)
        exports.run(job.pk)
        job.refresh_from_db()
        assert job.status == "failed" and "3" in job.error and not job.file
        assert AuditEvent.objects.filter(action="export.fail", object_id=str(job.pk)).count() == 1

    def test_a_job_no_worker_took_is_ended_by_the_hourly_sweep(self, make_case, clerk):
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        fresh = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        long_ago = timezone.now() - jobs.stale_after() - timedelta(minutes=1)
        ExportJob.objects.filter(pk=job.pk).update(created_at=long_ago)

        tasks.sweep_expired_exports()

        job.refresh_from_db()
        fresh.refresh_from_db()
        assert job.status == "failed" and "后台任务已停止" in job.error  # the portal's language, as all export messages
        assert fresh.status == "queued"
        exports.run(job.pk)  # its task, if it ever comes, does nothing
        job.refresh_from_db()
        assert job.status == "failed" and not job.file

    def test_a_failing_build_ends_failed_with_a_message(self, make_case, clerk, api_as, monkeypatch):
        case = make_case()

        def broken(job, progress):
            progress(10)
            raise RuntimeError("disk on fire")

        monkeypatch.setitem(exports._KINDS, "case_dossier", replace(exports._KINDS["case_dossier"], build=broken))
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": case.pk})
        exports.run(job.pk)  # does not raise: the worker lives on
        body = api_as(clerk).get(f"/api/v1/exports/{job.pk}/").json()
        assert body["status"] == "failed" and body["download"] is None
        assert body["error"].startswith("导出未能完成") and "disk on fire" not in body["error"]
        assert AuditEvent.objects.filter(action="export.fail").count() == 1
        assert api_as(clerk).get(f"/api/v1/exports/{job.pk}/file/").status_code == 409

    def test_a_domain_error_in_the_build_is_told_to_the_owner(self, make_case, clerk):
        case = make_case()
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": case.pk})
        # Moved out of the clerk's reach between the start and the build.
        Case.objects.filter(pk=case.pk).update(center_code="620102002", origin_code="620102002")
        exports.run(job.pk)
        job.refresh_from_db()
        assert job.status == "failed" and "不再" in job.error

    def test_an_unfinished_export_is_409(self, make_case, clerk, api_as):
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        assert api_as(clerk).get(f"/api/v1/exports/{job.pk}/file/").status_code == 409
        with pytest.raises(DomainError):
            exports.fetch(job, clerk)

    def test_the_sweep_deletes_expired_files(self, make_case, clerk, api_as, django_capture_on_commit_callbacks):
        kept = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        old = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        for job in (kept, old):
            exports.run(job.pk)
        old.refresh_from_db()
        name = old.file.name
        assert default_storage.exists(name)
        ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.sweep_expired_exports() == 1
        assert not default_storage.exists(name)
        old.refresh_from_db()
        assert not old.file and old.status == "done"
        body = api_as(clerk).get(f"/api/v1/exports/{old.pk}/").json()
        assert body["expired"] is True and body["download"] is None
        assert api_as(clerk).get(f"/api/v1/exports/{old.pk}/file/").status_code == 410
        kept.refresh_from_db()
        assert default_storage.exists(kept.file.name)

    def test_the_sweep_is_scheduled_hourly(self, db):
        from django_q.models import Schedule

        tasks.ensure_export_schedules(sender=None)
        tasks.ensure_export_schedules(sender=None)  # idempotent
        schedule = Schedule.objects.get(name="reports.sweep_expired_exports")
        assert schedule.func == "reports.tasks.sweep_expired_exports" and schedule.schedule_type == Schedule.HOURLY

    def test_the_keeping_time_comes_from_the_settings(self, make_case, clerk, settings):
        settings.EXPORT_KEEP_HOURS = 5
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        exports.run(job.pk)
        job.refresh_from_db()
        assert job.expires_at - job.finished_at == timedelta(hours=5)


class TestPages:
    def test_the_case_page_starts_its_dossier_and_lands_on_my_exports(self, make_case, clerk, client, run_on_commit):
        case = make_case()
        client.force_login(clerk)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'name="kind" value="case_dossier"' in page and "导出卷宗" in page
        with run_on_commit():
            response = client.post("/exports/start/", {"kind": "case_dossier", "case": str(case.pk)})
        assert response.status_code == 303 and response["Location"] == "/exports/"
        html = client.get("/exports/").content.decode()
        job = ExportJob.objects.get()
        assert "导出“案件卷宗（PDF）”已开始" in html and f"/exports/{job.pk}/download/" in html
        assert f"案件 {case.number}" in html  # what was exported, by the case's number
        download = client.get(f"/exports/{job.pk}/download/")
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        assert read_file(download).startswith(b"%PDF")

    def test_the_case_list_exports_its_current_filter(self, make_case, clerk, client, run_on_commit):
        make_case()
        client.force_login(clerk)
        page = client.get("/cases/?status=received&under=620102001").content.decode()
        assert 'value="case_dossiers"' in page and "导出本页筛选结果的卷宗（ZIP）" in page
        assert 'name="status" value="received"' in page and 'name="under" value="620102001"' in page
        with run_on_commit():
            client.post("/exports/start/", {"kind": "case_dossiers", "status": "received", "under": "620102001"})
        job = ExportJob.objects.get()
        assert job.params == {"status": "received", "under": "620102001"} and job.status == "done"

    def test_a_refused_start_goes_back_with_the_reason(self, clerk, client):
        client.force_login(clerk)
        response = client.post(
            "/exports/start/", {"kind": "case_dossiers", "under": "620201"}, HTTP_REFERER="/cases/?under=620201"
        )
        assert response.status_code == 303 and response["Location"] == "/cases/?under=620201"
        assert "没有符合筛选条件的案件" in client.get("/cases/").content.decode()
        assert not ExportJob.objects.exists()

    def test_a_running_job_shows_a_bar_that_refreshes_itself(self, make_case, clerk, client):
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
        client.force_login(clerk)
        page = client.get("/exports/").content.decode()
        assert '<progress max="100" value="40"' in page and 'hx-trigger="every' in page
        assert '<meta http-equiv="refresh"' in page  # without JavaScript, the page reloads itself
        fragment = client.get("/exports/", HTTP_HX_REQUEST="true").content.decode()
        assert fragment.lstrip().startswith('<div id="export-table"') and "<html" not in fragment
        exports.run(job.pk)  # taken over and finished
        done = client.get("/exports/", HTTP_HX_REQUEST="true").content.decode()
        assert "hx-trigger" not in done and "<progress" not in done and "download" in done

    def test_another_users_download_is_404(self, make_case, clerk, member_at, client):
        job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
        exports.run(job.pk)
        client.force_login(member_at("parent", Role.DIRECTOR))
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404
        assert f"/exports/{job.pk}/download/" not in client.get("/exports/").content.decode()

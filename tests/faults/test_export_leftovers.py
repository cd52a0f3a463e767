"""What a dead export attempt leaves on disk, without a real cluster (so on SQLite too): the file of
an attempt killed while writing it, or after writing it and before recording it, lies in the job's
folder; the retry clears it before building, and a job given up clears it too."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from govcenter import jobs
from reports import exports
from reports.models import ExportJob, export_folder


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def left_by_a_dead_attempt(job: ExportJob, name: str) -> str:
    return default_storage.save(f"{export_folder(job)}/{name}", ContentFile(b"%PDF-1.7 cut short"))


def files_of(job: ExportJob) -> list[str]:
    _folders, names = default_storage.listdir(export_folder(job))
    return sorted(names)


def dead_attempts(job: ExportJob, attempts: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, attempts=attempts, progress=40)


def test_the_retry_clears_the_dead_attempts_file_and_leaves_one(make_case, clerk):
    case = make_case()
    job = exports.start(owner=clerk, kind="case_dossier", params={"case": case.pk})
    dead_attempts(job, 1)
    # The very name the retry writes: without the clearing it would get a second, suffixed name.
    same_name = exports.storage_name(f"人民调解卷宗-{case.number}.pdf")
    left_by_a_dead_attempt(job, same_name)

    exports.run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.DONE, 2)
    assert files_of(job) == [same_name] and job.file.name == f"{export_folder(job)}/{same_name}"
    with job.file.open("rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF") and len(content) > 1000  # the new file, not the stub


def test_a_job_given_up_leaves_no_file(make_case, clerk, django_capture_on_commit_callbacks):
    job = exports.start(owner=clerk, kind="case_dossier", params={"case": make_case().pk})
    dead_attempts(job, jobs.MAX_ATTEMPTS)
    left_by_a_dead_attempt(job, "dossier.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        exports.run(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert files_of(job) == []

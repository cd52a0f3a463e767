"""Export jobs: files made in the background for the one who asked (a dossier, a ZIP of dossiers, a
report), with a progress bar, kept for `settings.EXPORT_KEEP_HOURS`, fetched only by their owner.

A kind of export is registered once with two functions:

- `authorize(user, params) -> center_code` checks the parameters and the user's right to the subject
  when the job is asked for: `DomainError` for bad parameters (400), `Http404` for a subject out of
  the user's scope. The center code files the audit events under the subject's place in the tree.
- `build(job, progress) -> (filename, content_type, content)` makes the file in the worker, calling
  `progress(percent)` as it goes; `content` is bytes. It runs outside any transaction, so what it
  writes (issued documents, audit events) commits as it goes and progress is seen while it runs.

`start` queues the job after its transaction commits; `run` is the task: idempotent and safe to retry
(django-q2 re-delivers a task whose worker died), so a job is built to completion once, whatever
happens, and its completion is recorded once.
"""

import logging
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govcenter import audit, jobs
from govcenter.errors import ConflictError, DomainError
from govcenter.faults import pause_point
from govcenter.jobs import Progress
from reports.models import ExportJob, export_folder

logger = logging.getLogger("govcenter.exports")


class ExportGone(DomainError):
    """The file was made but has been deleted after its keeping time: 410."""

    status_code = 410


@dataclass(frozen=True)
class ExportKind:
    kind: str
    label: str
    build: Callable[[ExportJob, Progress], tuple[str, str, bytes]]
    authorize: Callable[[object, dict], str]


_KINDS: dict[str, ExportKind] = {}


def register(kind: str, *, label, build, authorize) -> ExportKind:
    """Make a kind of export available to `start`. Registering a kind again replaces it (apps' ready()
    may run twice in tests)."""
    spec = ExportKind(kind=kind, label=label, build=build, authorize=authorize)
    _KINDS[kind] = spec
    return spec


def kinds() -> dict[str, ExportKind]:
    return dict(_KINDS)


def kind_label(kind: str) -> str:
    spec = _KINDS.get(kind)
    return str(spec.label) if spec else kind


def _spec(kind) -> ExportKind:
    spec = _KINDS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise DomainError(_("Unknown kind of export: %(kind)s.") % {"kind": str(kind)[:40]}, field="kind")
    return spec


# --- Asking for an export ----------------------------------------------------------------------------


@transaction.atomic
def start(*, owner, kind: str, params: dict) -> ExportJob:
    """Check the request, record the job and queue its building once the job is committed."""
    spec = _spec(kind)
    if not isinstance(params, dict):
        raise DomainError(_("The parameters of an export are an object of names and values."), field="params")
    center_code = spec.authorize(owner, params)
    job = ExportJob.objects.create(owner=owner, kind=kind, params=params, center_code=center_code or "")
    audit.record(
        actor=owner, action="export.start", obj=job, center_code=job.center_code, data={"kind": kind, "params": params}
    )
    jobs.enqueue("reports.tasks.run_export", job.pk, name=f"export-{job.pk}")
    return job


# --- Building it (the task) ------------------------------------------------------------------------------


def run(job_id: int) -> None:
    """Build the job's file. Does nothing for a job already done or failed; never raises for a
    failing build (the job is marked failed with a message for its owner, the error logged)."""
    job = jobs.claim(ExportJob, job_id, give_up=_give_up)
    if job is None:
        return
    # An attempt that died may have left a file, whole or partial, that no row points at.
    _empty_folder(job)
    try:
        # The worker has no request: texts made while building (labels, messages) in the portal's language.
        with (
            translation.override(settings.LANGUAGE_CODE),
            jobs.progress_writer(ExportJob, job.pk, fault="export.progress") as progress,
        ):
            filename, content_type, content = _spec(job.kind).build(job, progress)
    except Exception as error:  # whatever failed, the owner is told and the worker lives on
        logger.exception("export %s (%s) failed", job_id, job.kind)
        _fail(job_id, error)
        return
    _finish(job_id, filename, content_type, content)


def _abandon(job: ExportJob) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _end_failed(
            job, _("The export did not finish: the background worker stopped or is not running. Start it again.")
        )


def sweep_stale() -> int:
    """Hourly: end the exports no worker will finish, with a message for their owner."""
    return jobs.sweep_stale(ExportJob, abandon=_abandon)


def _give_up(job: ExportJob) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The export was tried %(count)s times without finishing; start it again.")
        _end_failed(job, message % {"count": job.attempts})


def storage_name(filename: str) -> str:
    """The name on disk: ASCII only (the display name, often Chinese, stays in the row)."""
    stem, extension = posixpath.splitext(filename)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "export"
    extension = re.sub(r"[^A-Za-z0-9.]+", "", extension)[:10]
    return f"{stem[:80]}{extension}"


def _finish(job_id: int, filename: str, content_type: str, content: bytes) -> None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("owner").get(pk=job_id)
        if job.status != ExportJob.Status.RUNNING:
            return  # another attempt finished it meanwhile: keep its file, record nothing twice
        now = timezone.now()
        job.file.save(storage_name(filename), ContentFile(content), save=False)
        try:
            pause_point("export.file_saved")
            job.filename = filename[: ExportJob._meta.get_field("filename").max_length]
            job.content_type = content_type
            job.status, job.progress, job.error = ExportJob.Status.DONE, 100, ""
            job.finished_at, job.expires_at = now, now + timedelta(hours=settings.EXPORT_KEEP_HOURS)
            job.save(
                update_fields=[
                    "file",
                    "filename",
                    "content_type",
                    "status",
                    "progress",
                    "error",
                    "finished_at",
                    "expires_at",
                ]
            )
            audit.record(
                actor=job.owner,
                action="export.done",
                obj=job,
                center_code=job.center_code,
                data={"kind": job.kind, "filename": job.filename, "bytes": len(content)},
            )
        except BaseException:
            job.file.delete(save=False)  # the row will not point at it: do not leave it behind
            raise


def _empty_folder(job: ExportJob) -> None:
    """Delete the files in the job's folder. Only for a job no attempt will finish any more, or
    before an attempt builds: django-q2 hands a task out again only after the earlier worker's
    timeout, so no other attempt is writing there."""
    from django.core.files.storage import default_storage

    folder = export_folder(job)
    try:
        _subfolders, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")
        logger.warning("export %s: deleted %s left by an attempt that did not finish", job.pk, name)


def _failure_message(error: Exception) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(error, DomainError):
            reason = str(error.message)
        elif isinstance(error, Http404):
            reason = _("what was to be exported is no longer visible to you")
        else:
            reason = _("an unexpected error; the administrator finds it in the log")
        return _("The export could not be made: %(reason)s") % {"reason": reason}


def _fail(job_id: int, error: Exception) -> None:
    message = _failure_message(error)
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("owner").get(pk=job_id)
        if job.status == ExportJob.Status.RUNNING:
            _end_failed(job, message)


def _end_failed(job: ExportJob, message: str) -> None:
    """End a locked job as failed, with the message for its owner: its folder emptied, the failure
    audited. Whatever the reason: the build failed, the attempts ran out, no worker took it."""
    job.status, job.finished_at = ExportJob.Status.FAILED, timezone.now()
    job.error = message[: ExportJob._meta.get_field("error").max_length]
    job.save(update_fields=["status", "error", "finished_at"])
    transaction.on_commit(lambda: _empty_folder(job))
    audit.record(
        actor=job.owner,
        action="export.fail",
        obj=job,
        center_code=job.center_code,
        data={"kind": job.kind, "error": job.error},
    )


# --- Reading and fetching ----------------------------------------------------------------------------


def jobs_of(user) -> QuerySet[ExportJob]:
    """The user's own exports, newest first: nobody sees another's, a director above included."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(owner_id=user.pk).order_by("-created_at", "-id")


def job_of(user, job_id) -> ExportJob:
    """One of the user's exports; anyone else's, or none: 404."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise Http404 from None
    job = jobs_of(user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def is_expired(job: ExportJob, now: datetime | None = None) -> bool:
    if job.status != ExportJob.Status.DONE:
        return False
    return not job.file or (job.expires_at is not None and job.expires_at <= (now or timezone.now()))


def fetch(job: ExportJob, user):
    """The file of a finished export, opened for reading; only its owner gets it (others: 404, as if
    it did not exist). Each fetch is audit-logged."""
    if not getattr(user, "is_authenticated", False) or job.owner_id != user.pk:
        raise Http404
    if job.status != ExportJob.Status.DONE:
        raise ConflictError(_("This export is not finished yet."))
    if is_expired(job):
        raise ExportGone(_("This export's file was deleted after its keeping time; start the export again."))
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise ExportGone(_("This export's file is no longer there; start the export again.")) from None
    audit.record(
        actor=user,
        action="export.fetch",
        obj=job,
        center_code=job.center_code,
        data={"kind": job.kind, "filename": job.filename},
    )
    return handle


# --- Clean-up ---------------------------------------------------------------------------------------------


def sweep_expired(*, now: datetime | None = None) -> int:
    """Hourly: delete the files kept past their time. The job stays listed, without its file."""
    now = now or timezone.now()
    swept = 0
    for job_id in ExportJob.objects.filter(expires_at__lte=now).exclude(file="").values_list("pk", flat=True):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=job_id).exclude(file="").first()
            if job is None:
                continue
            name = job.file.name
            job.file = ""
            job.save(update_fields=["file"])
            # Delete once the row no longer points at it; a missing file is already what we want.
            transaction.on_commit(lambda name=name: _delete_file(name))
            swept += 1
    return swept


def _delete_file(name: str) -> None:
    from django.core.files.storage import default_storage

    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("expired export file %s could not be deleted", name, exc_info=True)

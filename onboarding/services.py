"""Running an import: read the file, check every row, apply all or nothing, keep the file and the
record of what happened, and write the audit log. Pages, the API and the management commands all
end here."""

import hashlib
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govcenter import access, audit, jobs
from govcenter.access import Action
from govcenter.divisions import DivisionCodeError, check_code, common_ancestor
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.faults import pause_point
from onboarding.importers import IMPORTERS
from onboarding.importers.base import Importer, Verb, nowhere
from onboarding.models import ImportRun
from onboarding.tabular import RowError, Table, bind, error_workbook, read_table, template_workbook

logger = logging.getLogger("govcenter.onboarding")

# The errors kept with the record of an import; the report of a bigger mess is made on the spot.
KEPT_ERRORS = 10_000
KEPT_CHANGES = 10_000


@dataclass
class Outcome:
    run: ImportRun
    importer: Importer
    table: Table
    errors: list[RowError]

    @property
    def applied(self) -> bool:
        return self.run.status == ImportRun.Status.APPLIED

    def error_report(self) -> bytes:
        return error_workbook(self.table, self.errors)


def importer_class(kind: str) -> type[Importer]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise DomainError(
            _("Unknown kind of import: %(kind)s. Known: %(kinds)s.") % {"kind": kind, "kinds": ", ".join(IMPORTERS)},
            field="kind",
        ) from None


def template(kind: str) -> tuple[str, bytes]:
    """The template's file name and content."""
    cls = importer_class(kind)
    return f"{cls.title}导入模板.xlsx", template_workbook(cls.title, cls.spec())


def check_importer(actor, root: str = "") -> None:
    """Only directors and administrators import, and only into their own subtree."""
    if root:
        try:
            check_code(root)
        except DivisionCodeError as error:
            raise DomainError(str(error), field="root") from error
    if actor is None:
        return
    if not actor.is_active or not access.has_action_anywhere(actor, Action.ONBOARDING_IMPORT):
        raise NotAllowed(_("Only a center director or an administrator may import."))
    if root and not access.can_at(actor, Action.ONBOARDING_IMPORT, root):
        raise NotAllowed(_("You may only import into your own subtree; %(code)s is outside it.") % {"code": root})


def import_file(
    *, actor, kind: str, content: bytes, filename: str, dry_run: bool = False, root: str = "", progress=None
) -> Outcome:
    """Import one file at once (the management commands; the pages and the API queue a job with
    `queue_import`). A file with any bad row changes nothing and comes back with every error; a dry
    run changes nothing and comes back with the plan. Raises DomainError for a file that cannot be
    read or has the wrong columns (recorded and audited all the same)."""
    cls = importer_class(kind)
    check_importer(actor, root)
    run = ImportRun(kind=kind, actor=actor, root=root, dry_run=dry_run, filename=filename[:200])
    return _carry_out(run, cls(actor=actor, root=root), content, progress or nowhere)


def queue_import(
    *, actor, kind: str, content: bytes, filename: str, dry_run: bool = False, root: str = ""
) -> ImportRun:
    """Keep the file and queue its import as a background job; the record shows its progress and then
    what it did. Who may import, and a file that cannot be read or has the wrong columns, are
    answered at once (a refused file is recorded and audited as a refused import)."""
    cls = importer_class(kind)
    check_importer(actor, root)
    run = ImportRun(kind=kind, actor=actor, root=root, dry_run=dry_run, filename=filename[:200])
    run.language = translation.get_language() or ""
    importer = cls(actor=actor, root=root)
    try:
        table = bind(read_table(content, filename), cls.spec())
    except DomainError as refusal:
        _record(run, importer, content, ImportRun.Status.REFUSED, None, [], time.monotonic(), str(refusal.message))
        raise
    return _queue(run, _sha256(content), rows=len(table.rows), content=content)


def carried_out(run: ImportRun) -> ImportRun | None:
    """The import that carries this dry run out (from the same kept file), queued, running or done."""
    active_or_done = (*ImportRun.ACTIVE, ImportRun.Status.APPLIED)
    carrying = ImportRun.objects.filter(file=run.file.name, dry_run=False, status__in=active_or_done)
    return carrying.exclude(pk=run.pk).order_by("-pk").first()


def carry_out_refusal(actor, run: ImportRun, carried: ImportRun | None) -> DomainError | None:
    """Why `actor` may not carry this dry run out for real (None: they may); `carried` is
    `carried_out(run)`. The one rule for the service and the button on the page."""
    if run.status != ImportRun.Status.PREVIEWED:
        return ConflictError(_("Only a dry run can be imported for real."))
    if run.actor_id != getattr(actor, "pk", None):
        return NotAllowed(_("Only the person who made the dry run may carry it out."))
    if carried is not None:
        message = _("This dry run is already being imported or was imported (import #%(id)d).")
        return ConflictError(message % {"id": carried.pk})
    return None


@transaction.atomic
def queue_again(*, actor, run: ImportRun) -> ImportRun:
    """Carry a dry run out for real, from the file it kept, as a job of its own: what was previewed is
    what is imported (unless the portal changed in between, which the new check of every row shows)."""
    check_importer(actor, run.root)
    ImportRun.objects.select_for_update().filter(pk=run.pk).first()  # two clicks: one after the other
    refusal = carry_out_refusal(actor, run, carried_out(run))
    if refusal is not None:
        raise refusal
    again = ImportRun(kind=run.kind, actor=actor, root=run.root, filename=run.filename)
    again.language = translation.get_language() or run.language
    # The same kept file: import files are never deleted, so both records can always show it.
    again.file.name = run.file.name
    with run.file.open("rb") as kept:
        digest = hashlib.file_digest(kept, "sha256").hexdigest()
    return _queue(again, digest, rows=run.rows)


@transaction.atomic
def _queue(run: ImportRun, digest: str, *, rows: int, content: bytes | None = None) -> ImportRun:
    """Record the import as queued (its file saved unless already kept) and hand it to the worker."""
    run.status, run.rows = ImportRun.Status.QUEUED, rows
    # Until its rows say where it worked: filed under the subtree it may work in, so the importer's
    # superiors see it running (and failing) as they will see it done.
    run.center_code = run.root or common_ancestor(access.roots(run.actor, Action.ONBOARDING_IMPORT))
    if not run.file:
        run.file.save(_safe_name(run.filename), ContentFile(content), save=False)
    run.save()
    audit.record(
        actor=run.actor,
        action="onboarding.queued",
        obj=run,
        center_code=run.center_code,
        data={"kind": run.kind, "file": run.filename, "sha256": digest, "rows": rows, "dry_run": run.dry_run},
    )
    jobs.enqueue("onboarding.tasks.run_import", run.pk, name=f"import-{run.pk}")
    return run


def run_queued(run_id: int) -> None:
    """The job: import the kept file as it was asked for. Does nothing for an import that has ended.
    Never raises: whatever happens, the import ends refused or failed with its reason (an unexpected
    error logged), so django-q2 never hands out again a task whose import has ended."""
    run = jobs.claim(ImportRun, run_id, give_up=_give_up)
    if run is None:
        return
    with (
        translation.override(run.language or settings.LANGUAGE_CODE),
        jobs.progress_writer(ImportRun, run.pk, fault="import.progress", in_transaction=True) as progress,
    ):
        try:
            importer = importer_class(run.kind)(actor=run.actor, root=run.root)
            with run.file.open("rb") as kept:
                content = kept.read()
            _carry_out(run, importer, content, progress)
        except DomainError as refusal:
            if run.is_active:  # refused before the import could record it (a kind no longer offered)
                _end(run, ImportRun.Status.REFUSED, str(refusal.message))
        except Exception:  # whatever failed, the person who asked is told and the worker lives on
            logger.exception("import %s (%s) failed", run_id, run.kind)
            _end(run, ImportRun.Status.FAILED, _failure_message())


def _failure_message() -> str:
    return _("The import failed on an unexpected error; nothing was imported. The administrator finds it in the log.")


def _give_up(run: ImportRun) -> None:
    with translation.override(run.language or settings.LANGUAGE_CODE):
        message = _(
            "The import was tried %(count)s times without finishing; nothing was imported. Upload the file again."
        )
        _end(run, ImportRun.Status.FAILED, message % {"count": run.attempts})


def _abandon(run: ImportRun) -> None:
    with translation.override(run.language or settings.LANGUAGE_CODE):
        message = _(
            "The import did not finish: the background worker stopped or is not running; nothing was imported. "
            "Upload the file again."
        )
        _end(run, ImportRun.Status.FAILED, message)


def sweep_stale() -> int:
    """Hourly: end the imports no worker will finish, with a message for the person who asked."""
    return jobs.sweep_stale(ImportRun, abandon=_abandon)


def _end(run: ImportRun, status: str, message: str) -> None:
    """End an import that could not be carried out: nothing was imported."""
    run.status, run.message, run.finished_at = status, message[:500], timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
    _audit(run, content=None)


def _carry_out(run: ImportRun, importer: Importer, content: bytes, progress) -> Outcome:
    """Read, check and (unless a dry run) apply the file, all or nothing; record the end on `run`."""
    started = time.monotonic()
    try:
        # Again in the worker: the person who asked may have left their post since.
        check_importer(importer.actor, importer.root)
        progress(1)
        table = bind(read_table(content, run.filename), importer.spec())
        with transaction.atomic():
            importer.step = _between(progress, 5, 45)
            errors = importer.plan(table)
            if not errors and not run.dry_run:
                importer.step = _between(progress, 45, 95)
                importer.apply()
                pause_point("import.applied")
            _record(run, importer, content, _status(errors, run.dry_run), table, errors, started)
    except IntegrityError as error:
        # Another import or a person changed the same rows meanwhile: nothing was written.
        message = _("The portal changed while the file was imported; nothing was imported. Try again.")
        _record(run, importer, content, ImportRun.Status.REFUSED, None, [], started, message)
        raise ConflictError(message) from error
    except DomainError as refusal:
        # A refused file, or a check of a service that the plan did not foresee: nothing was written
        # (the transaction is rolled back), and the attempt is recorded with the reason.
        _record(run, importer, content, ImportRun.Status.REFUSED, None, [], started, str(refusal.message))
        raise
    return Outcome(run=run, importer=importer, table=table, errors=errors)


def _between(progress, low: int, high: int):
    """A step's share of the bar: the importer says how far the step has come (0 to 1)."""
    return lambda fraction: progress(low + (high - low) * max(0.0, min(1.0, fraction)))


def _status(errors, dry_run: bool) -> str:
    if errors:
        return ImportRun.Status.REFUSED
    return ImportRun.Status.PREVIEWED if dry_run else ImportRun.Status.APPLIED


def _record(run, importer, content, status, table, errors, started, message: str = "") -> ImportRun:
    """The end of the import on its record, with its file, and its line in the audit log."""
    run.status = status
    run.center_code = importer.center_code() or run.center_code
    if table is not None:
        run.rows = len(table.rows)
    run.counts = importer.counts()
    run.errors = [error.as_dict() for error in errors[:KEPT_ERRORS]]
    run.changes = _plain_json([c.as_dict() for c in importer.changes if c.verb != Verb.UNCHANGED][:KEPT_CHANGES])
    run.message = message[:500] or (_("%(n)d problems in the file.") % {"n": len(errors)} if errors else "")
    run.seconds = round(time.monotonic() - started, 3)
    run.progress, run.finished_at = 100, timezone.now()
    if not run.file:
        run.file.save(_safe_name(run.filename), ContentFile(content), save=False)
    run.save()
    _audit(run, content)
    return run


def _audit(run: ImportRun, content: bytes | None) -> None:
    data = {"kind": run.kind, "file": run.filename, "rows": run.rows, "counts": run.counts, "errors": len(run.errors)}
    if content is not None:
        data["sha256"] = _sha256(content)
    if run.status == ImportRun.Status.FAILED:
        data["message"] = run.message
    audit.record(actor=run.actor, action=f"onboarding.{run.status}", obj=run, center_code=run.center_code, data=data)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _safe_name(filename: str) -> str:
    # Keep the extension and a readable stem; the storage adds nothing of the user's path.
    stem, _dot, extension = filename.rpartition(".")
    stem = "".join(ch for ch in (stem or "import") if ch.isalnum() or ch in "-_")[:80] or "import"
    return f"{stem}.{extension[:8] or 'bin'}"


def error_report(run: ImportRun) -> bytes:
    """The error report of an import done earlier, made again from its kept file and errors."""
    with run.file.open("rb") as kept:
        content = kept.read()
    table = bind(read_table(content, run.filename), importer_class(run.kind).spec())
    errors = [RowError(**error) for error in run.errors]
    return error_workbook(table, errors)


def _plain_json(value):
    # A plan's before/after values may be dates or model instances: kept as their text.
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))

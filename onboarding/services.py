"""Running an import: read the file, check every row, apply all or nothing, keep the file and the
record of what happened, and write the audit log. Pages, the API and the management commands all
end here."""

import hashlib
import json
import time
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from govcenter import access, audit
from govcenter.access import Action
from govcenter.divisions import DivisionCodeError, check_code
from govcenter.errors import ConflictError, DomainError, NotAllowed
from onboarding.importers import IMPORTERS
from onboarding.importers.base import Importer, Verb
from onboarding.models import ImportRun
from onboarding.tabular import RowError, Table, bind, error_workbook, read_table, template_workbook

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
    if not access.has_action_anywhere(actor, Action.ONBOARDING_IMPORT):
        raise NotAllowed(_("Only a center director or an administrator may import."))
    if root and not access.can_at(actor, Action.ONBOARDING_IMPORT, root):
        raise NotAllowed(_("You may only import into your own subtree; %(code)s is outside it.") % {"code": root})


def import_file(*, actor, kind: str, content: bytes, filename: str, dry_run: bool = False, root: str = "") -> Outcome:
    """Import one file. A file with any bad row changes nothing and comes back with every error;
    a dry run changes nothing and comes back with the plan. Raises FileRefused for a file that cannot
    be read or has the wrong columns (recorded and audited all the same)."""
    cls = importer_class(kind)
    check_importer(actor, root)
    importer = cls(actor=actor, root=root)
    started = time.monotonic()
    try:
        table = bind(read_table(content, filename), cls.spec())
        with transaction.atomic():
            errors = importer.plan(table)
            if not errors and not dry_run:
                importer.apply()
            status = _status(errors, dry_run)
            run = _keep(importer, content, filename, status, table, errors, started)
    except IntegrityError as error:
        # Another import or a person changed the same rows meanwhile: nothing was written.
        message = _("The portal changed while the file was imported; nothing was imported. Try again.")
        _keep(importer, content, filename, ImportRun.Status.REFUSED, None, [], started, message=message)
        raise ConflictError(message) from error
    except DomainError as refusal:
        # A refused file, or a check of a service that the plan did not foresee: nothing was written
        # (the transaction is rolled back), and the attempt is recorded with the reason.
        _keep(importer, content, filename, ImportRun.Status.REFUSED, None, [], started, message=str(refusal.message))
        raise
    return Outcome(run=run, importer=importer, table=table, errors=errors)


def _status(errors, dry_run: bool) -> str:
    if errors:
        return ImportRun.Status.REFUSED
    return ImportRun.Status.PREVIEWED if dry_run else ImportRun.Status.APPLIED


def _keep(importer, content, filename, status, table, errors, started, message: str = "") -> ImportRun:
    """The record of the import with its file, and its line in the audit log."""
    run = ImportRun(
        kind=importer.kind,
        actor=importer.actor,
        center_code=importer.center_code(),
        root=importer.root,
        status=status,
        filename=filename[:200],
        rows=len(table.rows) if table else 0,
        counts=importer.counts(),
        errors=[error.as_dict() for error in errors[:KEPT_ERRORS]],
        changes=_plain_json([c.as_dict() for c in importer.changes if c.verb != Verb.UNCHANGED][:KEPT_CHANGES]),
        message=message[:500] or (_("%(n)d problems in the file.") % {"n": len(errors)} if errors else ""),
    )
    run.seconds = round(time.monotonic() - started, 3)
    run.file.save(_safe_name(filename), ContentFile(content), save=False)
    run.save()
    audit.record(
        actor=importer.actor,
        action=f"onboarding.{status}",
        obj=run,
        center_code=run.center_code,
        data={
            "kind": importer.kind,
            "file": run.filename,
            "sha256": hashlib.sha256(content).hexdigest(),
            "rows": run.rows,
            "counts": run.counts,
            "errors": len(errors),
        },
    )
    return run


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


def import_again(*, actor, run: ImportRun) -> Outcome:
    """Carry out a dry run for real, from the file it kept: what was previewed is what is imported
    (unless the portal changed in between, which the new check of every row will show)."""
    if run.status != ImportRun.Status.PREVIEWED:
        raise ConflictError(_("Only a dry run can be imported for real."))
    if run.actor_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the person who made the dry run may carry it out."))
    with run.file.open("rb") as kept:
        content = kept.read()
    return import_file(actor=actor, kind=run.kind, content=content, filename=run.filename, root=run.root)

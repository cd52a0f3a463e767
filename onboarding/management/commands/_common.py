"""What the two import commands share: reading the file, running the import, printing the outcome."""

from pathlib import Path

from django.core.management.base import CommandError

from govcenter.errors import DomainError
from onboarding import services


def _progress(command):
    """On a terminal, how far the import has come, every tenth; in a script's log, nothing."""
    if not command.stderr.isatty():
        return None
    shown = [0]

    def progress(percent) -> None:
        if percent - shown[0] >= 10:
            shown[0] = int(percent)
            command.stderr.write(f"  {shown[0]}%")

    return progress


def run(command, *, actor, kind: str, path: str, dry_run: bool, root: str = "", report: str = "") -> None:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}")
    try:
        outcome = services.import_file(
            actor=actor,
            kind=kind,
            content=file.read_bytes(),
            filename=file.name,
            dry_run=dry_run,
            root=root,
            progress=_progress(command),
        )
    except DomainError as error:
        raise CommandError(str(error.message)) from error
    run_ = outcome.run
    counts = ", ".join(f"{verb} {n}" for verb, n in run_.counts.items())
    command.stdout.write(f"{kind}: {run_.rows} rows, {counts} ({run_.seconds:.1f} s, import #{run_.pk})")
    if outcome.errors:
        for error in outcome.errors[:50]:
            command.stderr.write(f"  row {error.row} · {error.column} · {error.value!r}: {error.message}")
        if len(outcome.errors) > 50:
            command.stderr.write(f"  … and {len(outcome.errors) - 50} more")
        if report:
            Path(report).write_bytes(outcome.error_report())
            command.stderr.write(f"Error report written to {report}")
        raise CommandError(f"Nothing was imported: {len(outcome.errors)} problems in the file.")
    if dry_run:
        for change in outcome.importer.changes:
            if change.verb != "unchanged":
                command.stdout.write(f"  {change.verb:9} {change.key} {change.fields or ''}")
        command.stdout.write("Dry run: nothing was changed.")

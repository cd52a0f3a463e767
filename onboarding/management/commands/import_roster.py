"""manage.py import_roster <kind> <file> --as <username> [--dry-run]: a roster, imported with the
rights of a director or administrator (every row must lie in their subtree)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from onboarding.importers import IMPORTERS
from onboarding.management.commands._common import run


class Command(BaseCommand):
    help = "Import a roster (.xlsx or .csv) as a given director or administrator."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[kind for kind in IMPORTERS if kind != "divisions"])
        parser.add_argument("file")
        parser.add_argument(
            "--as", dest="username", default="", help="the director or administrator importing (required to import)"
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
        parser.add_argument("--report", default="", help="where to write the error report (.xlsx) if rows are bad")
        parser.add_argument("--template", action="store_true", help="write the kind's template to <file> instead")

    def handle(self, *args, **options):
        if options["template"]:
            from onboarding.services import template

            _name, content = template(options["kind"])
            with open(options["file"], "wb") as out:
                out.write(content)
            self.stdout.write(f"Template written to {options['file']}")
            return
        if not options["username"]:
            raise CommandError("Say as whom to import: --as <username>.")
        actor = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {options['username']}.")
        run(
            self,
            actor=actor,
            kind=options["kind"],
            path=options["file"],
            dry_run=options["dry_run"],
            report=options["report"],
        )

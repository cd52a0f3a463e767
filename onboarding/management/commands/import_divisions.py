"""manage.py import_divisions <file> [--dry-run] [--province 62]: the division tree from the
statistics bureau's list, run by the operator of the machine (bound by no subtree)."""

from django.core.management.base import BaseCommand

from onboarding.management.commands._common import run


class Command(BaseCommand):
    help = "Create, rename and retire centers from the statistics bureau's division-code list (.xlsx or .csv)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
        parser.add_argument(
            "--province",
            default="",
            help="the code of the subtree to import (a province, or a part of it); rows outside it are skipped",
        )
        parser.add_argument("--report", default="", help="where to write the error report (.xlsx) if rows are bad")

    def handle(self, *args, **options):
        run(
            self,
            actor=None,
            kind="divisions",
            path=options["file"],
            dry_run=options["dry_run"],
            root=options["province"],
            report=options["report"],
        )

from django.core.management.base import BaseCommand, CommandError

from govcenter.audit import verify_chain


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report the first broken link (exit 1 when broken)."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Audit chain broken at event {broken.event_id} ({broken.reason}); {checked} rows read.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))

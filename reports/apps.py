from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    verbose_name = _("Reports")
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reports import dossier, panels, reminders, report_exports, tasks  # noqa: F401  (exports, home panel)

        post_migrate.connect(tasks.ensure_export_schedules, sender=self)
        post_migrate.connect(reminders.ensure_reminder_schedule, sender=self)

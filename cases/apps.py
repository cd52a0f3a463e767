from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    verbose_name = _("Cases")
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cases import panels, signals  # noqa: F401  (registers the home panel)

        post_migrate.connect(signals.ensure_schedules, sender=self)

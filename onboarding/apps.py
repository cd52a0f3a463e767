from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onboarding"
    verbose_name = _("Going live: imports")

    def ready(self):
        from onboarding import tasks

        post_migrate.connect(tasks.ensure_schedules, sender=self)

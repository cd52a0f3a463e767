from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    verbose_name = _("Mediation")
    name = "mediation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mediation import panels, public  # noqa: F401  (register the home panel and the public roster)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovcenterConfig(AppConfig):
    name = "govcenter"
    verbose_name = _("Governance centers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from govcenter import signals  # noqa: F401  (connects login auditing and calendar hooks)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    verbose_name = _("Grids")
    name = "grids"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from grids import panels  # noqa: F401  (registers the home panels)

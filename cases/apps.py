from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    verbose_name = _("Cases")
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cases import grid_reports, panels, signals  # noqa: F401  (the home panel, the grid's hooks)
        from cases.risk import views as risk_views  # noqa: F401  (the warnings panel, the assessment's hook)

        post_migrate.connect(signals.ensure_schedules, sender=self)
        # The case list's cached category filter is forgotten when a category changes.
        from cases.forms import forget_category_choices
        from cases.models import Category

        post_save.connect(forget_category_choices, sender=Category, dispatch_uid="forget-category-choices")
        post_delete.connect(forget_category_choices, sender=Category, dispatch_uid="forget-category-choices")

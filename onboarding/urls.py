from django.urls import path

from onboarding import views

urlpatterns = [
    path("imports/", views.imports_home, name="imports-home"),
    path("imports/templates/<str:kind>/", views.import_template, name="import-template"),
    path("imports/<int:run_id>/", views.import_detail, name="import-detail"),
    path("imports/<int:run_id>/errors/", views.import_error_report, name="import-error-report"),
    path("imports/<int:run_id>/apply/", views.import_apply, name="import-apply"),
]

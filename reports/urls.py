from django.urls import path

from reports import views, views_exports

urlpatterns = [
    path("reports/", views.dashboard, name="report-dashboard"),
    path("reports/ranking/", views.ranking_page, name="report-ranking"),
    path("reports/ranking/publish/", views.ranking_publish, name="report-ranking-publish"),
    path("reports/ranking/scheme/", views.ranking_scheme, name="report-ranking-scheme"),
    # Exports: my exports (with their progress), the start used by buttons elsewhere, the download.
    path("exports/", views_exports.export_list, name="export-list"),
    path("exports/start/", views_exports.export_start, name="export-start"),
    path("exports/<int:job_id>/download/", views_exports.export_download, name="export-download"),
]

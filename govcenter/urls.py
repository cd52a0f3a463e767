"""The composition root: every app's pages and API are mounted here."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cases import api as cases_api
from cases import api_handoffs
from cases import urls as cases_urls
from cases.hotspots import api as hotspots_api
from cases.risk import api as risk_api
from govcenter import api, views, views_audit
from grids import api as grids_api
from grids import urls as grids_urls
from mediation import api as mediation_api
from mediation import urls as mediation_urls
from onboarding import api as onboarding_api
from onboarding import urls as onboarding_urls
from reports import api as reports_api
from reports import api_exports
from reports import urls as reports_urls

router = DefaultRouter()
handler404 = "govcenter.drf.not_found"
router.register("centers", api.CenterViewSet, basename="api-center")
router.register("departments", api.DepartmentViewSet, basename="api-department")
router.register("members", api.MemberViewSet, basename="api-member")
router.register("cases", cases_api.CaseViewSet, basename="api-case")
router.register("categories", cases_api.CategoryViewSet, basename="api-category")
router.register("notifications", cases_api.NotificationViewSet, basename="api-notification")
router.register("handoffs", api_handoffs.HandoffViewSet, basename="api-handoff")
router.register("hotspots", hotspots_api.HotspotViewSet, basename="api-hotspot")
router.register("risk-warnings", risk_api.RiskWarningViewSet, basename="api-risk-warning")
router.register("mediation-orgs", mediation_api.OrgViewSet, basename="api-mediation-org")
router.register("mediators", mediation_api.MediatorViewSet, basename="api-mediator")
router.register("assignments", mediation_api.AssignmentViewSet, basename="api-assignment")
router.register("sessions", mediation_api.SessionViewSet, basename="api-session")
router.register("agreements", mediation_api.AgreementViewSet, basename="api-agreement")
router.register("grids", grids_api.GridViewSet, basename="api-grid")
router.register("grid-assignments", grids_api.GridAssignmentViewSet, basename="api-grid-assignment")
router.register("police-grids", grids_api.PoliceGridViewSet, basename="api-police-grid")
router.register("auxiliary-officers", grids_api.AuxiliaryViewSet, basename="api-auxiliary-officer")
router.register("visits", grids_api.VisitViewSet, basename="api-visit")
router.register("exports", api_exports.ExportViewSet, basename="api-export")
router.register("imports", onboarding_api.ImportViewSet, basename="api-import")

urlpatterns = [
    path("", views.home, name="home"),
    path("centers/<str:code>/", views.center_detail, name="center-detail"),
    path("audit/", views_audit.audit_log, name="audit-log"),
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<str:code>/", views.verify_document, name="verify-document"),
    path("", include(cases_urls)),
    path("", include(mediation_urls)),
    path("", include(grids_urls)),
    path("", include(reports_urls)),
    path("", include(onboarding_urls)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", api.TokenView.as_view(), name="api-token"),
    path("api/v1/public/reports/", cases_api.PublicReportView.as_view(), name="public-report"),
    path("api/v1/public/reports/<str:receipt>/", cases_api.PublicStatusView.as_view(), name="public-report-status"),
    path(
        "api/v1/public/reports/<str:receipt>/rating/", cases_api.PublicRatingView.as_view(), name="public-report-rating"
    ),
    path("api/v1/reports/dashboard/", reports_api.DashboardView.as_view(), name="api-report-dashboard"),
    path("api/v1/reports/rankings/", reports_api.RankingsView.as_view(), name="api-report-rankings"),
    path("api/v1/reports/ranking-scheme/", reports_api.SchemeView.as_view(), name="api-report-ranking-scheme"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

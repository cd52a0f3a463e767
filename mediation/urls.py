from django.urls import path

from mediation import views

urlpatterns = [
    path("mediation/", views.desk, name="mediation-desk"),
    path("cases/<int:case_id>/mediators/", views.assign, name="mediation-assign"),
    path("cases/<int:case_id>/mediators/<int:assignment_id>/end/", views.unassign, name="mediation-unassign"),
    path("cases/<int:case_id>/sessions/", views.session_list, name="mediation-sessions"),
    path("cases/<int:case_id>/sessions/new/", views.session_new, name="mediation-session-new"),
    path("cases/<int:case_id>/agreement/new/", views.agreement_new, name="mediation-agreement-new"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="mediation-agreement"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="mediation-agreement-edit"),
    path("agreements/<int:agreement_id>/sign/", views.agreement_sign, name="mediation-agreement-sign"),
    path("agreements/<int:agreement_id>/scan/", views.agreement_scan, name="mediation-agreement-scan"),
    path("agreements/<int:agreement_id>/terms/<int:position>/check/", views.term_check, name="mediation-term-check"),
]

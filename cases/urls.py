from django.urls import path

from cases import views, views_handoffs
from cases.hotspots import views as views_hotspots
from cases.risk import views as risk_views

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_intake, name="case-intake"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/do/<str:verb>/", views.case_verb, name="case-verb"),
    path("cases/<int:case_id>/attachments/", views.attachment_upload, name="case-attachment-upload"),
    path("cases/<int:case_id>/attachments/<int:attachment_id>/", views.attachment_download, name="case-attachment"),
    path("notifications/", views.notification_list, name="notifications"),
    path("centers/<str:code>/qr.<str:fmt>", views.center_qr, name="center-qr"),
    path("r/<str:token>/", views.public_form, name="public-form"),
    path("receipt/", views.receipt_lookup, name="receipt-lookup"),
    path("receipt/<str:receipt>/", views.receipt_status, name="receipt-status"),
    # 三调对接
    path("handoffs/", views_handoffs.handoff_list, name="handoff-list"),
    path("handoffs/new/court/hint/", views_handoffs.handoff_diversion_hint, name="handoff-diversion-hint"),
    path("handoffs/new/petition/departments/", views_handoffs.handoff_departments, name="handoff-departments"),
    path("handoffs/new/<str:source>/", views_handoffs.handoff_new, name="handoff-new"),
    path("handoffs/import/", views_handoffs.handoff_import, name="handoff-import"),
    path("handoffs/import/template/", views_handoffs.handoff_import_template, name="handoff-import-template"),
    path("handoffs/<int:handoff_id>/", views_handoffs.handoff_detail, name="handoff-detail"),
    path("handoffs/<int:handoff_id>/do/<str:verb>/", views_handoffs.handoff_verb, name="handoff-verb"),
    # 命案风险预警
    path("warnings/", risk_views.warning_list, name="warning-list"),
    path("warnings/<int:warning_id>/", risk_views.warning_detail, name="warning-detail"),
    path("warnings/<int:warning_id>/do/<str:verb>/", risk_views.warning_verb, name="warning-verb"),
    path("warnings/<int:warning_id>/tasks/<int:task_id>/done/", risk_views.warning_task_done, name="warning-task-done"),
    # 热点
    path("hotspots/", views_hotspots.hotspot_list, name="hotspot-list"),
    path("hotspots/<int:hotspot_id>/", views_hotspots.hotspot_detail, name="hotspot-detail"),
    path("hotspots/<int:hotspot_id>/do/<str:verb>/", views_hotspots.hotspot_verb, name="hotspot-verb"),
]

from django.urls import path

from cases import views, views_handoffs

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
]

from django.urls import path

from cases import views

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
]

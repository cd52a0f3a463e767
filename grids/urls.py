from django.urls import path

from grids import views

urlpatterns = [
    path("grids/visits/<int:visit_id>/photo/", views.visit_photo, name="visit-photo"),
]

from django.urls import path, re_path

from grids import views

# A grid's code: its village's 12 digits and a three-digit serial.
GRID = r"grids/(?P<code>[0-9]{15})"

urlpatterns = [
    path("grids/", views.grids_home, name="grids-home"),
    path("grids/mine/", views.mine, name="grids-mine"),
    path("grids/new/", views.grid_new, name="grid-new"),
    path("grids/visits/", views.visit_list, name="grids-visits"),
    path("grids/visits/<int:visit_id>/photo/", views.visit_photo, name="visit-photo"),
    path("grids/visits/<int:visit_id>/report/", views.visit_report, name="grid-visit-report"),
    path("grids/center/<str:code>/", views.center_grids, name="grids-center"),
    path("grids/center/<str:code>/weights/", views.assessment_weights, name="grids-weights"),
    re_path(rf"^{GRID}/$", views.grid_detail, name="grid-detail"),
    re_path(rf"^{GRID}/visit/$", views.visit_new, name="grid-visit-new"),
    re_path(rf"^{GRID}/edit/$", views.grid_edit, name="grid-edit"),
    re_path(rf"^{GRID}/assign/$", views.grid_assign, name="grid-assign"),
    re_path(rf"^{GRID}/assignments/(?P<assignment_id>[0-9]+)/end/$", views.grid_unassign, name="grid-unassign"),
    re_path(rf"^{GRID}/retire/$", views.grid_retire, name="grid-retire"),
]

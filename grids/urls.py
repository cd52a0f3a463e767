from django.urls import path, re_path

from grids import views, views_police

# A grid's code: its village's 12 digits and a three-digit serial.
GRID = r"grids/(?P<code>[0-9]{15})"
POLICE = "grids/police/<int:police_grid_id>"
OFFICER = f"{POLICE}/auxiliaries/<int:officer_id>"

urlpatterns = [
    path("grids/", views.grids_home, name="grids-home"),
    path("grids/mine/", views.mine, name="grids-mine"),
    path("grids/new/", views.grid_new, name="grid-new"),
    path("grids/visits/", views.visit_list, name="grids-visits"),
    path("grids/visits/<int:visit_id>/photo/", views.visit_photo, name="visit-photo"),
    path("grids/visits/<int:visit_id>/report/", views.visit_report, name="grid-visit-report"),
    path("grids/center/<str:code>/", views.center_grids, name="grids-center"),
    path("grids/center/<str:code>/weights/", views.assessment_weights, name="grids-weights"),
    path("grids/center/<str:code>/police/new/", views_police.police_grid_new, name="police-grid-new"),
    path(f"{POLICE}/", views_police.police_grid_detail, name="police-grid-detail"),
    path(f"{POLICE}/edit/", views_police.police_grid_edit, name="police-grid-edit"),
    path(f"{POLICE}/retire/", views_police.police_grid_retire, name="police-grid-retire"),
    path(f"{POLICE}/reactivate/", views_police.police_grid_reactivate, name="police-grid-reactivate"),
    path(f"{POLICE}/auxiliaries/", views_police.auxiliary_add, name="police-auxiliary-add"),
    path(f"{OFFICER}/move/", views_police.auxiliary_move, name="police-auxiliary-move"),
    path(f"{OFFICER}/deactivate/", views_police.auxiliary_deactivate, name="police-auxiliary-deactivate"),
    path(f"{OFFICER}/reactivate/", views_police.auxiliary_reactivate, name="police-auxiliary-reactivate"),
    re_path(rf"^{GRID}/$", views.grid_detail, name="grid-detail"),
    re_path(rf"^{GRID}/visit/$", views.visit_new, name="grid-visit-new"),
    re_path(rf"^{GRID}/edit/$", views.grid_edit, name="grid-edit"),
    re_path(rf"^{GRID}/assign/$", views.grid_assign, name="grid-assign"),
    re_path(rf"^{GRID}/assignments/(?P<assignment_id>[0-9]+)/end/$", views.grid_unassign, name="grid-unassign"),
    re_path(rf"^{GRID}/retire/$", views.grid_retire, name="grid-retire"),
]

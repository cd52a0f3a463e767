"""REST API of grids: grids and their workers, police grids and auxiliary officers, patrol visits
(with the one-step report of a finding as a case), coverage and the monthly assessment."""

from datetime import date

import django_filters
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from govcenter import access
from govcenter.access import Action, ActionPermission
from govcenter.api import CenterCodeField, ChoiceLabelField, TimeField, TimeFilter, filter_under
from govcenter.divisions import DivisionCodeError, Level, check_code
from govcenter.errors import DomainError
from govcenter.models import Center, Department
from govcenter.periods import parse_month
from grids import selectors, services
from grids.models import (
    AuxiliaryOfficer,
    Duty,
    Employment,
    Finding,
    Grid,
    GridAssignment,
    GridKind,
    PoliceGrid,
    SizeFlag,
    Visit,
    VisitTarget,
)

# --- Grids ----------------------------------------------------------------------------------------


class WorkerOnGridSerializer(serializers.ModelSerializer):
    worker = serializers.CharField(source="worker.username", read_only=True)
    name = serializers.SerializerMethodField()
    employment_label = ChoiceLabelField(Employment.choices, source="employment")

    class Meta:
        model = GridAssignment
        fields = ["id", "worker", "name", "employment", "employment_label", "started_at"]

    def get_name(self, assignment) -> str:
        return assignment.worker.get_full_name() or assignment.worker.get_username()


class GridSerializer(serializers.ModelSerializer):
    center = CenterCodeField()
    kind_label = ChoiceLabelField(GridKind.choices, source="kind")
    duties = serializers.ListField(child=serializers.ChoiceField(choices=Duty.choices), required=False)
    size_flag_label = ChoiceLabelField(SizeFlag.choices, source="size_flag")
    size_reason = serializers.CharField(read_only=True, help_text="why it is flagged, in the reader's language")
    police_grid = serializers.PrimaryKeyRelatedField(queryset=PoliceGrid.objects.all(), required=False, allow_null=True)
    workers = WorkerOnGridSerializer(source="current_assignments", many=True, read_only=True)
    households = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    residents = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)

    class Meta:
        model = Grid
        fields = [
            "code",
            "center",
            "name",
            "kind",
            "kind_label",
            "households",
            "residents",
            "boundary",
            "duties",
            "size_flag",
            "size_flag_label",
            "size_reason",
            "size_note",
            "police_grid",
            "workers",
            "is_active",
        ]
        read_only_fields = ["code", "size_flag", "size_reason", "is_active"]


class GridFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(method="filter_under", label="under")
    kind = django_filters.ChoiceFilter(choices=GridKind.choices)
    flagged = django_filters.BooleanFilter(method="filter_flagged", label="flagged")
    staffed = django_filters.BooleanFilter(method="filter_staffed", label="staffed")
    police_grid = django_filters.NumberFilter(field_name="police_grid_id", min_value=1, max_value=2**63 - 1)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label="q")

    class Meta:
        model = Grid
        fields = ["under", "kind", "flagged", "staffed", "police_grid", "is_active", "q"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)

    def filter_flagged(self, queryset, name, value):
        return queryset.exclude(size_flag="") if value else queryset.filter(size_flag="")

    def filter_staffed(self, queryset, name, value):
        staffed = GridAssignment.objects.filter(ended_at__isnull=True).values("grid_id")
        return queryset.filter(pk__in=staffed) if value else queryset.exclude(pk__in=staffed)

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset


class GridAssignInput(serializers.Serializer):
    worker = serializers.CharField(max_length=150, help_text="the username of a grid worker of the village or township")
    employment = serializers.ChoiceField(choices=Employment.choices, default=Employment.FULL_TIME)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    replace = serializers.BooleanField(
        default=False, help_text="take the grid's current workers off it first (a reassignment)"
    )


class GridReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class GridAssignmentSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True)
    worker = serializers.CharField(source="worker.username", read_only=True)
    worker_name = serializers.SerializerMethodField()
    employment_label = ChoiceLabelField(Employment.choices, source="employment")
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True)
    ended_by = serializers.CharField(source="ended_by.username", read_only=True, allow_null=True)

    class Meta:
        model = GridAssignment
        fields = [
            "id",
            "grid",
            "worker",
            "worker_name",
            "employment",
            "employment_label",
            "started_at",
            "ended_at",
            "note",
            "assigned_by",
            "ended_by",
            "end_reason",
        ]

    def get_worker_name(self, assignment) -> str:
        return assignment.worker.get_full_name() or assignment.worker.get_username()


def _center_param(request, action_: Action) -> Center:
    """`?center=<code>`: a center the caller may take `action_` at, else 404 (or 400 for a bad code)."""
    code = request.query_params.get("center", "")
    try:
        check_code(code)
    except DivisionCodeError as error:
        raise DomainError(str(error), field="center") from error
    center = Center.objects.filter(code=code).first()
    if center is None or not access.can_at(request.user, action_, code):
        raise Http404
    return center


def _month_param(request) -> date:
    return parse_month(request.query_params.get("month"), default=timezone.localdate().replace(day=1))


class GridViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Grids under village and community centers. A grid worker sees the grids they walk; the
    township and county centers see and lay out all of theirs."""

    serializer_class = GridSerializer
    filterset_class = GridFilter
    permission_classes = [ActionPermission]
    access_actions = {
        "create": Action.GRID_MANAGE,
        "partial_update": Action.GRID_MANAGE,
        "update": Action.GRID_MANAGE,
        "assign": Action.GRID_MANAGE,
        "retire": Action.GRID_MANAGE,
    }
    lookup_field = "code"
    lookup_value_regex = "[0-9]{15}"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.grid_list_visible(user=self.request.user).order_by("code")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        self._check_police_grid(data.get("police_grid"))
        serializer.instance = services.grid_create(actor=self.request.user, **data)
        serializer.instance.current_assignments = []

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "center" in data and data.pop("center") != serializer.instance.center:
            raise serializers.ValidationError({"center": [_("A grid does not move to another center.")]})
        self._check_police_grid(data.get("police_grid"))
        grid = services.grid_update(actor=self.request.user, grid=serializer.instance, **data)
        serializer.instance = self.get_queryset().get(pk=grid.pk)

    def _check_police_grid(self, police_grid):
        if police_grid is not None and not selectors.police_grid_list_visible(user=self.request.user).filter(
            pk=police_grid.pk
        ):
            raise serializers.ValidationError({"police_grid": [_("No such police grid in your reach.")]})

    @extend_schema(request=GridAssignInput, responses={201: GridAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, code=None):
        """Put a grid worker on the grid; `replace` ends the current workers' assignments first."""
        grid = self.get_object()
        payload = GridAssignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        # Only the grid's own candidates are looked up: whether a username exists elsewhere stays unsaid.
        worker = selectors.assignable_workers(grid).filter(username=data.pop("worker")).first()
        if worker is None:
            raise serializers.ValidationError(
                {"worker": [_("No grid worker of this village or township has that username.")]}
            )
        assignment = services.grid_assign(actor=request.user, grid=grid, worker=worker, **data)
        return Response(GridAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GridReasonInput, responses={200: GridSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, code=None):
        payload = GridReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        grid = services.grid_retire(actor=request.user, grid=self.get_object(), reason=payload.validated_data["reason"])
        return Response(GridSerializer(self.get_queryset().get(pk=grid.pk)).data)

    @extend_schema(responses={200: GridAssignmentSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def assignments(self, request, code=None):
        """Who walked this grid, newest first: the history a reassignment keeps."""
        grid = self.get_object()
        rows = selectors.assignment_list_visible(user=request.user).filter(grid=grid).order_by("-started_at")
        return Response(GridAssignmentSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("center", str, required=True)],
        responses={200: {"type": "object"}},
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """`?center=<code>`: 一村一辅警 and grid-worker coverage per unit one level down, and the total."""
        figures = selectors.coverage(_center_param(request, Action.GRID_VIEW))
        return Response(
            {"center": figures.center.code, "total": _row(figures.total), "rows": list(map(_row, figures.rows))}
        )

    @extend_schema(
        parameters=[OpenApiParameter("center", str, required=True), OpenApiParameter("month", str)],
        responses={200: {"type": "object"}},
    )
    @action(detail=False, methods=["get"])
    def assessment(self, request):
        """`?center=<code>&month=YYYY-MM`: each grid worker's month, scored by the county's weights."""
        center = _center_param(request, Action.VISIT_VIEW)
        if center.level < Level.COUNTY:
            raise DomainError(_("The assessment is read per county, township or village."), field="center")
        month = _month_param(request)
        rows = selectors.assessment(center, month)
        return Response(
            {"center": center.code, "month": month.strftime("%Y-%m"), "results": [_assessed(r) for r in rows]}
        )


def _row(row: selectors.CoverageRow) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "villages": row.villages,
        "villages_with_auxiliary": row.villages_with_auxiliary,
        "auxiliary_share": row.auxiliary_share,
        "grids": row.grids,
        "grids_staffed": row.grids_staffed,
        "staffed_share": row.staffed_share,
        "grids_flagged": row.grids_flagged,
        "households": row.households,
    }


def _assessed(row: selectors.WorkerAssessment) -> dict:
    return {
        "rank": row.rank,
        "worker": row.username,
        "name": row.name,
        "grids": row.grids,
        "visits": row.visits,
        "findings": row.findings,
        "cases_due": row.cases_due,
        "cases_on_time": row.cases_on_time,
        "warnings_due": row.warnings_due,
        "warnings_on_time": row.warnings_on_time,
        "score": row.score,
        "measures": [
            {"key": m.key, "done": m.done, "expected": m.expected, "rate": m.rate, "weight": m.weight}
            for m in row.measures
        ],
    }


class AssignmentFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="grid__code")
    worker = django_filters.CharFilter(field_name="worker__username")
    current = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="current")
    under = django_filters.CharFilter(method="filter_under", label="under")

    class Meta:
        model = GridAssignment
        fields = ["grid", "worker", "current", "under"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)


class GridAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Every assignment of a worker to a grid, current and past; `end` takes a worker off a grid."""

    serializer_class = GridAssignmentSerializer
    filterset_class = AssignmentFilter
    permission_classes = [ActionPermission]
    access_actions = {"end": Action.GRID_MANAGE}
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.assignment_list_visible(user=self.request.user).order_by("-started_at", "-id")

    @extend_schema(request=GridReasonInput, responses={200: GridAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        payload = GridReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.grid_unassign(
            actor=request.user, assignment=self.get_object(), reason=payload.validated_data["reason"]
        )
        return Response(GridAssignmentSerializer(assignment).data)


# --- Police grids ---------------------------------------------------------------------------------


class PoliceGridSerializer(serializers.ModelSerializer):
    center = CenterCodeField()
    station = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True
    )
    grids = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Grid.objects.filter(is_active=True), required=False
    )
    grid_count = serializers.IntegerField(read_only=True, default=0)
    auxiliary_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = PoliceGrid
        fields = [
            "id",
            "center",
            "name",
            "station",
            "officer_name",
            "officer_phone",
            "grids",
            "grid_count",
            "auxiliary_count",
            "is_active",
        ]

    def get_fields(self):
        fields = super().get_fields()
        # The grid codes only on one police grid's page: in a list they would cost a query per row.
        view = self.context.get("view")
        if view is not None and getattr(view, "action", "") == "list":
            fields.pop("grids", None)
        return fields


class PoliceKeepingViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """What the police liaison keeps: read by whoever sees the grids, written by POLICE_GRID_MANAGE."""

    permission_classes = [ActionPermission]
    access_actions = {
        "create": Action.POLICE_GRID_MANAGE,
        "partial_update": Action.POLICE_GRID_MANAGE,
        "update": Action.POLICE_GRID_MANAGE,
    }
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]


class PoliceGridViewSet(PoliceKeepingViewSet):
    serializer_class = PoliceGridSerializer

    def get_queryset(self):
        rows = selectors.police_grid_list_visible(user=self.request.user).order_by("center_code", "name")
        under = self.request.query_params.get("under")
        return filter_under(rows, "center_code", under) if under else rows

    def _visible_grids(self, grids):
        visible = set(
            selectors.grid_list_visible(user=self.request.user)
            .filter(pk__in=[g.pk for g in grids])
            .values_list("pk", flat=True)
        )
        missing = [g.code for g in grids if g.pk not in visible]
        if missing:
            raise serializers.ValidationError(
                {"grids": [_("No such grid in your reach: %(codes)s.") % {"codes": ", ".join(missing)}]}
            )
        return grids

    def _visible_station(self, station):
        if station is not None and not access.can_at(self.request.user, Action.DEPARTMENT_VIEW, station.center_code):
            raise serializers.ValidationError({"station": [_("No such police station in your reach.")]})
        return station

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["grids"] = self._visible_grids(data.get("grids", []))
        data["station"] = self._visible_station(data.get("station"))
        # A new police grid starts in use (a form without the box sends false); it is retired by PATCH.
        data.pop("is_active", None)
        serializer.instance = services.police_grid_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "center" in data and data.pop("center") != serializer.instance.center:
            raise serializers.ValidationError({"center": [_("A police grid does not move to another township.")]})
        if "grids" in data:
            data["grids"] = self._visible_grids(data["grids"])
        if "station" in data:
            data["station"] = self._visible_station(data["station"])
        updated = services.police_grid_update(actor=self.request.user, police_grid=serializer.instance, **data)
        # The counts of grids and officers come from the list's query, not from the row the service saved.
        serializer.instance = self.get_queryset().filter(pk=updated.pk).first() or updated


class AuxiliarySerializer(serializers.ModelSerializer):
    police_grid = serializers.PrimaryKeyRelatedField(queryset=PoliceGrid.objects.filter(is_active=True))
    village = CenterCodeField(queryset=Center.objects.filter(is_active=True, level=Level.VILLAGE))

    class Meta:
        model = AuxiliaryOfficer
        fields = ["id", "police_grid", "village", "name", "phone", "is_active"]


class AuxiliaryViewSet(PoliceKeepingViewSet):
    """Auxiliary police officers (辅警) and the village each is stationed in."""

    serializer_class = AuxiliarySerializer

    def get_queryset(self):
        rows = selectors.auxiliary_list_visible(user=self.request.user).order_by("village_code", "name")
        under = self.request.query_params.get("under")
        return filter_under(rows, "village_code", under) if under else rows

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        police_grid = data.pop("police_grid")
        if not selectors.police_grid_list_visible(user=self.request.user).filter(pk=police_grid.pk).exists():
            raise serializers.ValidationError({"police_grid": [_("No such police grid in your reach.")]})
        data.pop("is_active", None)
        serializer.instance = services.auxiliary_add(actor=self.request.user, police_grid=police_grid, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "police_grid" in data and data.pop("police_grid") != serializer.instance.police_grid:
            raise serializers.ValidationError(
                {"police_grid": [_("An officer moves to another police grid by a new entry.")]}
            )
        serializer.instance = services.auxiliary_update(actor=self.request.user, officer=serializer.instance, **data)


# --- Visits ---------------------------------------------------------------------------------------


class ReportPartyInput(serializers.Serializer):
    role = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    party_kind = serializers.CharField(max_length=20, required=False, default="person")
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReportInput(serializers.Serializer):
    """The case a finding becomes; every field may be left out and is then taken from the visit."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    facts = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    kind = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    severity = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    parties = ReportPartyInput(many=True, required=False, default=list)
    force_new = serializers.BooleanField(default=False, help_text="record it even if the same person has an open case")

    def to_report(self) -> services.FindingReport:
        return services.FindingReport(**self.validated_data)


class VisitSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    worker = serializers.CharField(source="worker.username", read_only=True)
    worker_name = serializers.SerializerMethodField()
    target_label = ChoiceLabelField(VisitTarget.choices, source="target")
    finding_label = ChoiceLabelField(Finding.choices, source="finding")
    photo = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "grid",
            "grid_name",
            "worker",
            "worker_name",
            "visited_at",
            "target",
            "target_label",
            "place",
            "person",
            "finding",
            "finding_label",
            "notes",
            "photo",
            "case",
            "created_at",
        ]

    def get_worker_name(self, visit) -> str:
        return visit.worker.get_full_name() or visit.worker.get_username()

    def get_photo(self, visit) -> str | None:
        return reverse("visit-photo", args=[visit.pk]) if visit.photo else None

    def get_case(self, visit) -> int | None:
        case = getattr(visit, "case", None)
        return case.pk if case is not None else None


class VisitInput(serializers.Serializer):
    grid = serializers.CharField(max_length=15)
    visited_at = TimeField(required=False)
    target = serializers.ChoiceField(choices=VisitTarget.choices, default=VisitTarget.HOUSEHOLD)
    place = serializers.CharField(max_length=200)
    person = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    finding = serializers.ChoiceField(choices=Finding.choices, default=Finding.NOTHING)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False, allow_null=True)
    report = ReportInput(required=False, allow_null=True, help_text="report the finding as a case in the same step")


class VisitFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="grid__code")
    worker = django_filters.CharFilter(field_name="worker__username")
    finding = django_filters.ChoiceFilter(choices=Finding.choices)
    found = django_filters.BooleanFilter(method="filter_found", label="found")
    under = django_filters.CharFilter(method="filter_under", label="under")
    after = TimeFilter(field_name="visited_at", lookup_expr="gte")
    before = TimeFilter(field_name="visited_at", lookup_expr="lt")

    class Meta:
        model = Visit
        fields = ["grid", "worker", "finding", "found", "under", "after", "before"]

    def filter_found(self, queryset, name, value):
        return queryset.exclude(finding=Finding.NOTHING) if value else queryset.filter(finding=Finding.NOTHING)

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)


class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Patrol visits. `POST` with `report` records the finding as a case in the same step (the
    answer then carries the case's id); `visits/{id}/report/` does it for an earlier visit."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    permission_classes = [ActionPermission]
    access_actions = {"create": Action.VISIT_LOG}
    lookup_value_regex = "[0-9]+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            selectors.visit_list_visible(user=self.request.user).select_related("case").order_by("-visited_at", "-id")
        )

    def get_permissions(self):
        # Logging needs an assignment to the grid, not a role held over a subtree: the service checks it.
        if self.action == "create":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=VisitInput, responses={201: VisitSerializer})
    def create(self, request, *args, **kwargs):
        payload = VisitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        grid = selectors.grid_list_visible(user=request.user).filter(code=data.pop("grid")).first()
        if grid is None:
            raise serializers.ValidationError({"grid": [_("No such grid among yours.")]})
        report = data.pop("report", None)
        visit = services.visit_log(
            actor=request.user,
            grid=grid,
            visited_at=data.pop("visited_at", None) or timezone.now(),
            report=services.FindingReport(**report) if report is not None else None,
            **data,
        )
        return Response(VisitSerializer(self.get_queryset().get(pk=visit.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReportInput, responses={201: VisitSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Report this visit's finding as a case (grid report), if it is not one already."""
        visit = self.get_object()
        payload = ReportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.visit_report(actor=request.user, visit=visit, report=payload.to_report())
        return Response(VisitSerializer(self.get_queryset().get(pk=visit.pk)).data, status=status.HTTP_201_CREATED)

"""REST API of risk warnings (`risk-warnings/`): the list and one warning with its visit tasks and
measures; the verbs: record a visit, add a measure, close. Thin: parse, call a service, render."""

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.risk import warnings
from cases.risk.models import RiskLevel, RiskMeasure, RiskWarning, WarningStatus, WarningTask
from govcenter.access import ActionPermission
from govcenter.api import ChoiceLabelField, filter_under

# --- Output ---------------------------------------------------------------------------------------


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username}


class WarningTaskSerializer(serializers.ModelSerializer):
    party_label = ChoiceLabelField(WarningTask.Party.choices, source="party")
    assignee = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    done_by = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = WarningTask
        fields = [
            "id",
            "party",
            "party_label",
            "center_code",
            "assignee",
            "department",
            "due_at",
            "done_at",
            "done_by",
            "note",
            "escalated_at",
            "overdue",
        ]

    def get_assignee(self, task) -> dict | None:
        return _user(task.assignee)

    def get_department(self, task) -> dict | None:
        return {"id": task.department_id, "name": task.department.name} if task.department_id else None

    def get_done_by(self, task) -> dict | None:
        return _user(task.done_by)

    def get_overdue(self, task) -> bool:
        return task.done_at is None and task.due_at < timezone.now()


class RiskMeasureSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(RiskMeasure.Kind.choices, source="kind")
    taken_by = serializers.SerializerMethodField()

    class Meta:
        model = RiskMeasure
        fields = ["id", "kind", "kind_label", "note", "taken_by", "taken_at"]

    def get_taken_by(self, measure) -> dict | None:
        return _user(measure.taken_by)


class RiskWarningSerializer(serializers.ModelSerializer):
    level_label = ChoiceLabelField(RiskLevel.choices, source="level")
    status_label = ChoiceLabelField(WarningStatus.choices, source="status")
    center = serializers.CharField(source="center_code", read_only=True)
    case = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = RiskWarning
        fields = ["id", "case", "center", "level", "level_label", "score", "status", "status_label"]
        fields += ["raised_at", "closed_at", "overdue"]

    def get_case(self, warning) -> dict:
        case = warning.case
        return {"id": case.pk, "number": case.number, "title": case.title, "url": case.get_absolute_url()}

    def get_overdue(self, warning) -> bool:
        return bool(getattr(warning, "has_overdue", False)) and warning.status == WarningStatus.OPEN


REASONS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "weight": {"type": "integer"},
            "why": {"type": "string"},
        },
    },
}


class RiskWarningDetailSerializer(RiskWarningSerializer):
    reasons = serializers.SerializerMethodField()
    tasks = WarningTaskSerializer(many=True, read_only=True)
    measures = RiskMeasureSerializer(many=True, read_only=True)
    closed_by = serializers.SerializerMethodField()

    class Meta(RiskWarningSerializer.Meta):
        fields = [*RiskWarningSerializer.Meta.fields, "reasons", "close_note", "closed_by", "tasks", "measures"]

    @extend_schema_field(REASONS_SCHEMA)
    def get_reasons(self, warning) -> list[dict]:
        """The indicators that fired, `why` in the language of the request."""
        return warning.reasons_for_reader

    def get_closed_by(self, warning) -> dict | None:
        return _user(warning.closed_by)


# --- Input ----------------------------------------------------------------------------------------


class WarningNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class MeasureInput(WarningNoteInput):
    kind = serializers.ChoiceField(choices=RiskMeasure.Kind.choices)


WARNING_VERBS = {
    "measure": (MeasureInput, lambda a, w, d: warnings.measure_add(actor=a, warning=w, **d)),
    "close": (WarningNoteInput, lambda a, w, d: warnings.warning_close(actor=a, warning=w, **d)),
}


def run_warning_verb(verb: str, *, actor, warning: RiskWarning, data):
    serializer_class, call = WARNING_VERBS[verb]
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return call(actor, warning, dict(payload.validated_data))


def run_task_done(*, actor, task: WarningTask, data) -> WarningTask:
    payload = WarningNoteInput(data=data)
    payload.is_valid(raise_exception=True)
    return warnings.task_done(actor=actor, task=task, note=payload.validated_data["note"])


# --- Views ----------------------------------------------------------------------------------------


class RiskWarningFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WarningStatus.choices)
    level = django_filters.MultipleChoiceFilter(choices=[(v, label) for v, label in RiskLevel.choices if v])
    under = django_filters.CharFilter(method="filter_under", label="under")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    class Meta:
        model = RiskWarning
        fields = ["status", "level", "under", "overdue"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"has_overdue": True, "status": WarningStatus.OPEN}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class RiskWarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Risk warnings in the caller's subtree, or with a visit task for the caller."""

    serializer_class = RiskWarningSerializer
    filterset_class = RiskWarningFilter
    lookup_value_regex = "[0-9]+"
    permission_classes = [ActionPermission]

    def get_queryset(self):
        return warnings.warning_list_visible(user=self.request.user).order_by("-raised_at", "-id")

    def _detail(self, pk) -> RiskWarning:
        warning = warnings.warning_get_visible(user=self.request.user, warning_id=pk)
        if warning is None:
            raise Http404
        return warning

    def retrieve(self, request, *args, **kwargs):
        return Response(RiskWarningDetailSerializer(self._detail(kwargs["pk"])).data)

    @extend_schema(request=MeasureInput, responses={200: RiskWarningDetailSerializer})
    @action(detail=True, methods=["post"])
    def measure(self, request, pk=None):
        """Record a measure taken (mediation, counselling, watch, assistance, other)."""
        warning = self._detail(pk)
        run_warning_verb("measure", actor=request.user, warning=warning, data=request.data)
        return Response(RiskWarningDetailSerializer(self._detail(pk)).data)

    @extend_schema(request=WarningNoteInput, responses={200: RiskWarningDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the warning, saying how the risk was defused."""
        warning = self._detail(pk)
        run_warning_verb("close", actor=request.user, warning=warning, data=request.data)
        return Response(RiskWarningDetailSerializer(self._detail(pk)).data)

    @extend_schema(request=WarningNoteInput, responses={200: RiskWarningDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"tasks/(?P<task_id>[0-9]+)/done", url_name="task-done")
    def task_done(self, request, pk=None, task_id=None):
        """Record the visit of one task, with what it found."""
        warning = self._detail(pk)
        task = next((t for t in warning.tasks.all() if t.pk == int(task_id)), None)
        if task is None:
            raise Http404(_("No such task on this warning."))
        run_task_done(actor=request.user, task=task, data=request.data)
        return Response(RiskWarningDetailSerializer(self._detail(pk)).data)

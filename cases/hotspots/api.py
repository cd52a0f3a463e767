"""REST API of hotspots: list and detail over the counties the caller sees cases in, and a
director's two verbs, merge (并案) and dismiss."""

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.hotspots import services
from cases.hotspots.models import Hotspot, HotspotStatus
from cases.models import Case, Channel, Status
from govcenter.api import ChoiceLabelField, filter_under

CHANNEL_LABELS = dict(Channel.choices)

# --- Output ---------------------------------------------------------------------------------------


class HotspotCaseSerializer(serializers.ModelSerializer):
    channel_label = ChoiceLabelField(Channel.choices, source="channel")
    status_label = ChoiceLabelField(Status.choices, source="status")

    class Meta:
        model = Case
        fields = ["id", "number", "title", "channel", "channel_label", "received_at", "status", "status_label"]


class HotspotSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(HotspotStatus.choices, source="status")
    channels = serializers.SerializerMethodField()
    cases = HotspotCaseSerializer(many=True, read_only=True)
    merged_into = serializers.SerializerMethodField()
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Hotspot
        fields = [
            "id",
            "county_code",
            "terms",
            "window_start",
            "window_end",
            "channels",
            "reporter_count",
            "case_count",
            "status",
            "status_label",
            "detected_at",
            "updated_at",
            "cases",
            "merged_into",
            "handled_by",
            "handled_at",
            "reason",
        ]

    def get_channels(self, hotspot) -> list[dict]:
        return [{"code": code, "label": str(CHANNEL_LABELS.get(code, code))} for code in hotspot.channels]

    def get_merged_into(self, hotspot) -> dict | None:
        case = hotspot.merged_into
        return {"id": case.pk, "number": case.number, "title": case.title} if case else None


# --- Input ----------------------------------------------------------------------------------------


class MergeInput(serializers.Serializer):
    case = serializers.IntegerField(help_text="the id of the case to keep, one of the hotspot's")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DismissInput(serializers.Serializer):
    reason = serializers.CharField()


def run_hotspot_verb(verb: str, *, actor, hotspot: Hotspot, data) -> Hotspot:
    """A verb from the API or a page form: parse, then call the service."""
    if verb == "merge":
        payload = MergeInput(data=data)
        payload.is_valid(raise_exception=True)
        case = hotspot.cases.filter(pk=payload.validated_data["case"]).first()
        if case is None:
            raise serializers.ValidationError({"case": [_("Choose one of the hotspot’s own cases to keep.")]})
        return services.hotspot_merge(actor=actor, hotspot=hotspot, into_case=case, note=payload.validated_data["note"])
    payload = DismissInput(data=data)
    payload.is_valid(raise_exception=True)
    return services.hotspot_dismiss(actor=actor, hotspot=hotspot, reason=payload.validated_data["reason"])


# --- Views ----------------------------------------------------------------------------------------


class HotspotFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=HotspotStatus.choices)
    under = django_filters.CharFilter(method="filter_under", label="under")

    class Meta:
        model = Hotspot
        fields = ["status", "under"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "county_code", value[:6])


def with_cases(queryset):
    cases = Case.objects.order_by("received_at", "pk").only("pk", "number", "title", "channel", "received_at", "status")
    return queryset.select_related("merged_into", "handled_by").prefetch_related(Prefetch("cases", queryset=cases))


class HotspotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hotspots of the counties where the caller sees cases; merge or dismiss one."""

    serializer_class = HotspotSerializer
    filterset_class = HotspotFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return with_cases(services.hotspot_list_visible(user=self.request.user)).order_by("-window_end", "-id")

    def _detail(self, pk) -> Hotspot:
        hotspot = self.get_queryset().filter(pk=pk).first()
        if hotspot is None:
            raise Http404
        return hotspot

    @extend_schema(request=MergeInput, responses={200: HotspotSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        hotspot = run_hotspot_verb("merge", actor=request.user, hotspot=self._detail(pk), data=request.data)
        return Response(HotspotSerializer(self._detail(hotspot.pk)).data)

    @extend_schema(request=DismissInput, responses={200: HotspotSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        hotspot = run_hotspot_verb("dismiss", actor=request.user, hotspot=self._detail(pk), data=request.data)
        return Response(HotspotSerializer(self._detail(hotspot.pk)).data)

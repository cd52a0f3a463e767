"""REST API of hand-offs (三调对接): send, follow, and the verbs of both sides; the court's file import."""

import django_filters
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases import imports, selectors, services
from cases.api import CategoryCodeField, PartyInputSerializer
from cases.models import Handoff, Kind
from govcenter.access import Action, ActionPermission
from govcenter.api import CenterCodeField, ChoiceLabelField, TimeField, TimeFilter, filter_under
from govcenter.models import Department

# --- Output ---------------------------------------------------------------------------------------


class HandoffSerializer(serializers.ModelSerializer):
    source_label = ChoiceLabelField(Handoff.Source.choices, source="source")
    status_label = ChoiceLabelField(Handoff.State.choices, source="status")
    center = serializers.CharField(source="center_code", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id",
            "source",
            "source_label",
            "external_ref",
            "status",
            "status_label",
            "center",
            "center_name",
            "sender_code",
            "sender_name",
            "sent_at",
            "due_at",
            "extended_at",
            "extension_reason",
            "claim",
            "confirmation",
            "confirmation_at",
            "filing_number",
            "filed_at",
            "alert_at",
            "petition_category",
            "repeat_count",
            "returned_at",
            "return_reason",
            "case",
        ]

    def get_case(self, handoff) -> dict | None:
        case = handoff.case
        if case is None:
            return None
        return {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "title": case.title,
            "resolved": case.resolved_level is not None,
            "report_count": case.report_count,
        }


class HandoffDetailSerializer(HandoffSerializer):
    timeline = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()

    class Meta(HandoffSerializer.Meta):
        fields = [*HandoffSerializer.Meta.fields, "timeline", "outcome"]

    def get_timeline(self, handoff) -> list[dict]:
        return [
            {
                "at": e.at,
                "verb": e.verb,
                "actor": e.actor.username if e.actor else None,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
            }
            for e in handoff.events.all()
        ]

    def get_outcome(self, handoff) -> list[dict]:
        """The mediation record the sender gets back: the case's outcome and return steps."""
        if handoff.case is None:
            return []
        return [
            {"at": e.at, "verb": e.verb, "status": e.to_status, "note": e.note}
            for e in handoff.case.events.all()
            if e.verb in ("assign-mediator", "resolve", "fail", "feedback", "hand-back", "close", "escalate")
        ]


# --- Input ----------------------------------------------------------------------------------------


class HandoffCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Handoff.Source.choices)
    external_ref = serializers.CharField(max_length=64)
    center = CenterCodeField()
    sender_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=200)
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = CategoryCodeField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    people_count = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    parties = PartyInputSerializer(many=True, allow_empty=False)
    claim = serializers.CharField(required=False, allow_blank=True, default="", help_text="court: the claim")
    due_days = serializers.IntegerField(min_value=1, max_value=90, default=30, help_text="court: the time limit")
    keep_at_court = serializers.BooleanField(default=False, help_text="court: record it without diverting it")
    alert_at = TimeField(required=False, allow_null=True, help_text="police: when the alert came in")
    petition_category = serializers.ChoiceField(
        choices=Handoff.PetitionCategory.choices, required=False, allow_blank=True, default=""
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        many=True,
        required=False,
        default=list,
        help_text="petition (appeal or request): the responsible department",
    )

    def to_input(self) -> services.HandoffInput:
        data = self.validated_data
        parties = [services.PartyInput(**party) for party in data["parties"]]
        case = services.CaseInput(
            kind=Kind.DISPUTE,
            channel=data["source"],
            title=data["title"],
            facts=data["facts"],
            place=data["place"],
            category=data.get("category"),
            amount=data.get("amount"),
            people_count=data["people_count"],
            parties=parties,
        )
        return services.HandoffInput(
            source=data["source"],
            external_ref=data["external_ref"],
            center=data["center"],
            case=case,
            sender_name=data["sender_name"],
            claim=data["claim"],
            due_days=data["due_days"],
            alert_at=data.get("alert_at"),
            petition_category=data["petition_category"],
            departments=data["departments"],
            keep_at_court=data["keep_at_court"],
        )


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class ExtendInput(ReasonInput):
    days = serializers.IntegerField(min_value=1, max_value=90, default=30)


class ConfirmationInput(NoteInput):
    status = serializers.ChoiceField(choices=["requested", "confirmed", "refused"])


class FilingInput(serializers.Serializer):
    filing_number = serializers.CharField(max_length=64)


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    sender_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


HANDOFF_VERBS = {
    "receive": (None, lambda a, h, d: services.handoff_receive(actor=a, handoff=h)),
    "accept": (NoteInput, lambda a, h, d: services.handoff_accept(actor=a, handoff=h, **d)),
    "hand-back": (ReasonInput, lambda a, h, d: services.handoff_return(actor=a, handoff=h, **d)),
    "extend": (ExtendInput, lambda a, h, d: services.handoff_extend(actor=a, handoff=h, **d)),
    "confirmation": (ConfirmationInput, lambda a, h, d: services.handoff_confirmation(actor=a, handoff=h, **d)),
    "file": (FilingInput, lambda a, h, d: services.handoff_file(actor=a, handoff=h, **d)),
}


def run_handoff_verb(verb: str, *, actor, handoff: Handoff, data) -> Handoff:
    serializer_class, call = HANDOFF_VERBS[verb]
    arguments = {}
    if serializer_class is not None:
        payload = serializer_class(data=data)
        payload.is_valid(raise_exception=True)
        arguments = dict(payload.validated_data)
    return call(actor, handoff, arguments)


# --- Views ----------------------------------------------------------------------------------------


class HandoffFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Handoff.Source.choices)
    status = django_filters.MultipleChoiceFilter(choices=Handoff.State.choices)
    under = django_filters.CharFilter(method="filter_under", label="under")
    sent_after = TimeFilter(field_name="sent_at", lookup_expr="gte")
    sent_before = TimeFilter(field_name="sent_at", lookup_expr="lt")
    q = django_filters.CharFilter(field_name="external_ref", lookup_expr="icontains", label="q")

    class Meta:
        model = Handoff
        fields = ["source", "status", "under", "sent_after", "sent_before", "q"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)


class HandoffViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Hand-offs the caller sent, or that came to the caller's centers."""

    serializer_class = HandoffSerializer
    filterset_class = HandoffFilter
    lookup_value_regex = "[0-9]+"
    permission_classes = [ActionPermission]
    access_actions = {"create": Action.HANDOFF_SEND, "import_file": Action.HANDOFF_SEND}

    def get_queryset(self):
        return selectors.handoff_list_visible(user=self.request.user).order_by("-sent_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        return Response(HandoffDetailSerializer(self._detail(kwargs["pk"])).data)

    def _detail(self, pk) -> Handoff:
        handoff = selectors.handoff_get_visible(user=self.request.user, handoff_id=pk)
        if handoff is None:
            from django.http import Http404

            raise Http404
        return handoff

    @extend_schema(request=HandoffCreateSerializer, responses={201: HandoffDetailSerializer})
    def create(self, request, *args, **kwargs):
        payload = HandoffCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        handoff = services.handoff_send(actor=request.user, data=payload.to_input())
        return Response(HandoffDetailSerializer(self._detail(handoff.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImportInput, responses={201: HandoffSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """A court's file of transfers (.xlsx or .csv, the template's columns): all rows or none."""
        payload = ImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = imports.read_rows(payload.validated_data["file"])
        inputs = imports.court_handoffs(rows, actor=request.user, sender_name=payload.validated_data["sender_name"])
        handoffs = services.handoff_import(actor=request.user, inputs=inputs)
        return Response(HandoffSerializer(handoffs, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=False, methods=["get"], url_path="import-template")
    def import_template(self, request):
        response = HttpResponse(
            imports.template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E8%AF%89%E5%89%8D%E8%B0%83%E8%A7%A3%E5%A7%94%E6%B4%BE.xlsx"
        )
        return response

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=False, methods=["get"])
    def figures(self, request):
        """Pre-litigation, police and petition figures over what the caller may see, for a period."""
        start, end = _period(request)
        user = request.user
        return Response(
            {
                "court": selectors.court_figures(user=user, start=start, end=end),
                "police": selectors.police_figures(user=user, start=start, end=end),
                "petition": selectors.petition_figures(user=user, start=start, end=end),
            }
        )


def _period(request):
    from django.utils.dateparse import parse_date

    values = {}
    for name in ("from", "to"):
        raw = request.query_params.get(name)
        try:
            value = parse_date(raw) if raw else None
        except ValueError:  # well formed but impossible, such as 2026-02-30
            value = None
        if raw and value is None:
            raise serializers.ValidationError({name: [_("Use the form YYYY-MM-DD.")]})
        values[name] = value
    return values["from"], values["to"]


def _handoff_verb_endpoint(verb: str):
    serializer_class = HANDOFF_VERBS[verb][0]

    def endpoint(self, request, pk=None):
        handoff = run_handoff_verb(verb, actor=request.user, handoff=self._detail(pk), data=request.data)
        return Response(HandoffDetailSerializer(self._detail(handoff.pk)).data)

    endpoint.__name__ = f"verb_{verb.replace('-', '_')}"
    endpoint = action(detail=True, methods=["post"], url_path=verb, url_name=verb)(endpoint)
    return extend_schema(
        request=serializer_class, responses={200: HandoffDetailSerializer}, operation_id=f"handoffs_{endpoint.__name__}"
    )(endpoint)


for _verb in HANDOFF_VERBS:
    setattr(HandoffViewSet, f"verb_{_verb.replace('-', '_')}", _handoff_verb_endpoint(_verb))

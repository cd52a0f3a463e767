"""REST API of cases: list, detail, intake, corrections, the workflow verbs, attachments,
notifications, and the public report endpoints used through a center's QR code."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cases import selectors, services
from cases.models import (
    OPEN_STATUSES,
    Case,
    Category,
    Channel,
    Dispatch,
    Kind,
    Notification,
    Party,
    Rating,
    Severity,
    Stage,
    Status,
    new_receipt,
)
from cases.presenters import mask_id_number, mask_phone, public_status
from cases.risk.models import PersonFlag, RiskLevel
from govcenter import access, audit
from govcenter.access import Action, ActionPermission
from govcenter.api import CenterCodeField, ChoiceLabelField, TimeField, TimeFilter, filter_under
from govcenter.divisions import Level
from govcenter.http import REFERENCE_MAX_AGE, private_cache
from govcenter.models import Department

# --- Output ---------------------------------------------------------------------------------------


class PartySerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    role_label = ChoiceLabelField(Party.Role.choices, source="role")
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["id", "role", "role_label", "party_kind", "name", "id_number", "phone", "address", "flags"]

    def _full(self) -> bool:
        return bool(self.context.get("show_pii"))

    def get_flags(self, party) -> list[str] | None:
        """Early-warning flags (a mental illness, a prison term): for those who see the parties in full."""
        return list(party.flags or []) if self._full() else None

    def get_id_number(self, party) -> str:
        return party.id_number if self._full() else mask_id_number(party.id_number)

    def get_phone(self, party) -> str:
        return party.phone if self._full() else mask_phone(party.phone)


# A time stamp as the API writes it (ISO 8601 in the portal's time zone), for the list's shortcut below.
_LIST_TIME = serializers.DateTimeField()


class CaseListSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center_code", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True, allow_null=True)
    category_label = serializers.SerializerMethodField()
    status_label = ChoiceLabelField(Status.choices, source="status")
    channel_label = ChoiceLabelField(Channel.choices, source="channel")

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "kind",
            "channel",
            "channel_label",
            "category",
            "category_label",
            "center",
            "center_name",
            "title",
            "severity",
            "received_at",
            "next_stage",
            "next_due_at",
            "is_overdue",
            "version",
        ]

    def get_category_label(self, case) -> str | None:
        return str(case.category) if case.category_id else None

    # Every list page renders 25 of these. Walking the declared fields costs about a millisecond a
    # page; reading the attributes directly gives the same payload (a test compares the two), while
    # the declarations above still describe it to the schema.
    def to_representation(self, case) -> dict:
        if type(self) is not CaseListSerializer:  # a serializer built on this one has fields of its own
            return super().to_representation(case)
        as_time = _LIST_TIME.to_representation
        status_labels, channel_labels = self.fields["status_label"].labels, self.fields["channel_label"].labels
        return {
            "id": case.id,
            "number": case.number,
            "status": case.status,
            "status_label": str(status_labels.get(case.status, case.status)),
            "kind": case.kind,
            "channel": case.channel,
            "channel_label": str(channel_labels.get(case.channel, case.channel)),
            "category": case.category.code if case.category_id else None,
            "category_label": str(case.category) if case.category_id else None,
            "center": case.center_code,
            "center_name": case.center.name,
            "title": case.title,
            "severity": case.severity,
            "received_at": as_time(case.received_at) if case.received_at else None,
            "next_stage": case.next_stage,
            "next_due_at": as_time(case.next_due_at) if case.next_due_at else None,
            "is_overdue": case.is_overdue,
            "version": case.version,
        }


class DeadlineSerializer(serializers.Serializer):
    stage = serializers.CharField()
    stage_label = ChoiceLabelField(Stage.choices, source="stage")
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(help_text="set on the limits of an earlier round (case reopened)")
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, deadline) -> bool:
        now = self.context["now"]
        return (deadline.met_at or now) > deadline.due_at


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    verb = serializers.CharField()
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    center = serializers.CharField(source="center_code")
    note = serializers.CharField()
    data = serializers.JSONField()
    version = serializers.IntegerField()


class DispatchSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    late = serializers.SerializerMethodField()

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "department",
            "department_name",
            "status",
            "due_at",
            "instructions",
            "dispatched_at",
            "answered_at",
            "decline_reason",
            "progress",
            "result",
            "reported_at",
            "late",
        ]

    def get_late(self, dispatch) -> bool:
        return dispatch.status in ("pending", "accepted") and dispatch.due_at < self.context["now"]


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return f"/api/v1/cases/{attachment.case_id}/attachments/{attachment.pk}/"


class CaseDetailSerializer(CaseListSerializer):
    origin = serializers.CharField(source="origin_code", read_only=True)
    parties = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    dispatches = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    receipt = serializers.SerializerMethodField()
    risk = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "origin",
            "levels_passed",
            "resolved_level",
            "facts",
            "place",
            "amount",
            "people_count",
            "is_group_incident",
            "is_petition_related",
            "is_emergency",
            "is_difficult",
            "is_paused",
            "review_required",
            "report_count",
            "preferred_mediation",
            "receipt",
            "closed_at",
            "parties",
            "deadlines",
            "timeline",
            "dispatches",
            "attachments",
            "allowed_actions",
            "risk",
            "rating",
        ]

    def get_parties(self, case) -> list[dict]:
        return PartySerializer(case.parties.all(), many=True, context=self.context).data

    def get_deadlines(self, case) -> list[dict]:
        return DeadlineSerializer(case.deadlines.all(), many=True, context=self.context).data

    def get_timeline(self, case) -> list[dict]:
        return EventSerializer(case.events.all(), many=True).data

    def get_dispatches(self, case) -> list[dict]:
        return DispatchSerializer(case.dispatches.all(), many=True, context=self.context).data

    def get_attachments(self, case) -> list[dict]:
        return AttachmentSerializer(case.attachments.all(), many=True).data

    @extend_schema_field({"type": "object", "nullable": True})
    def get_risk(self, case) -> dict | None:
        """The early-warning score and level and, for those who may see the parties in full, why: the
        reasons name a party's flags (a mental illness, a prison term) and words from the records."""
        risk = getattr(case, "risk", None)
        if risk is None:
            return None
        return {
            "score": risk.score,
            "level": risk.level,
            "level_label": str(RiskLevel(risk.level).label),
            "fired": risk.fired_for_reader if self.context.get("show_pii") else None,
            "computed_at": risk.computed_at,
        }

    def get_receipt(self, case) -> str | None:
        """Only intake staff, who hand it to the person, see the receipt: it is what the public
        pages ask for, including the satisfaction rating."""
        user = self.context["request"].user
        may = any(access.can_at(user, Action.CASE_CREATE, code) for code in (case.center_code, case.origin_code))
        return case.receipt if may else None

    def get_allowed_actions(self, case) -> list[str]:
        return services.allowed_verbs(case, self.context["request"].user)

    def get_rating(self, case) -> dict | None:
        rating = Rating.objects.filter(case=case).first()
        return {"value": rating.value, "comment": rating.comment, "source": rating.source} if rating else None


def case_detail_payload(case: Case, request) -> dict:
    """The detail of a case; full identity numbers only for those who may see them, and each such
    view goes to the audit log."""
    show_pii = access.can(request.user, Action.CASE_PII_VIEW, case)
    if show_pii and any(p.id_number or p.phone for p in case.parties.all()):
        audit.record(actor=request.user, action="case.pii_view", obj=case, data={"number": case.number})
    context = {"request": request, "show_pii": show_pii, "now": timezone.now()}
    return CaseDetailSerializer(case, context=context).data


# --- Input ----------------------------------------------------------------------------------------


class CategoryCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.filter(is_active=True), **kwargs)

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(code=data)
        except (Category.DoesNotExist, TypeError, ValueError) as error:
            raise serializers.ValidationError(_("Unknown category: %(code)s.") % {"code": data}) from error


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Party.Role.choices)
    party_kind = serializers.ChoiceField(choices=Party.PartyKind.choices, default=Party.PartyKind.PERSON)
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    flags = serializers.MultipleChoiceField(
        choices=PersonFlag.choices, required=False, default=list, help_text="early-warning flags on the person"
    )

    def validate_flags(self, value):
        return sorted(value)


class CaseCreateSerializer(serializers.Serializer):
    center = CenterCodeField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = CategoryCodeField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    people_count = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    is_group_incident = serializers.BooleanField(default=False)
    is_petition_related = serializers.BooleanField(default=False)
    is_emergency = serializers.BooleanField(default=False)
    is_difficult = serializers.BooleanField(default=False)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    parties = PartyInputSerializer(many=True, allow_empty=False)
    force_new = serializers.BooleanField(default=False, help_text="record it even if the same person has an open case")
    link_to = serializers.IntegerField(required=False, help_text="merge this report into that open case instead")

    def to_case_input(self) -> services.CaseInput:
        data = dict(self.validated_data)
        for key in ("center", "force_new", "link_to"):
            data.pop(key, None)
        data["parties"] = [services.PartyInput(**party) for party in data["parties"]]
        return services.CaseInput(**data)


class CaseUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="the version you read; a stale one is refused (409)")
    title = serializers.CharField(max_length=200, required=False)
    facts = serializers.CharField(required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    people_count = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    is_group_incident = serializers.BooleanField(required=False)
    is_petition_related = serializers.BooleanField(required=False)
    is_emergency = serializers.BooleanField(required=False)
    is_difficult = serializers.BooleanField(required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)


class VerbSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False, help_text="refuse (409) if the case changed since")


class ClassifySerializer(VerbSerializer):
    category = CategoryCodeField()
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)


class DispatchInputSerializer(VerbSerializer):
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        many=True,
        allow_empty=False,
        error_messages={"empty": gettext_lazy("Choose at least one department.")},
    )
    due_at = TimeField(required=False)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(VerbSerializer):
    reason = serializers.CharField()


class ReportSerializer(VerbSerializer):
    text = serializers.CharField()
    final = serializers.BooleanField(default=False)


class SendDownSerializer(ReasonSerializer):
    center = CenterCodeField()


class AssignMediatorSerializer(VerbSerializer):
    mediators = serializers.ListField(child=serializers.CharField(), allow_empty=False, help_text="usernames")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveSerializer(VerbSerializer):
    outcome = serializers.ChoiceField(
        choices=[("resolved", gettext_lazy("Resolved")), ("failed", gettext_lazy("Failed"))]
    )
    note = serializers.CharField()


class FeedbackSerializer(VerbSerializer):
    note = serializers.CharField()
    method = serializers.ChoiceField(choices=["phone", "visit", "sms", "letter", "online"], default="phone")


class FollowUpSerializer(VerbSerializer):
    note = serializers.CharField()
    rating = serializers.ChoiceField(choices=Rating.Value.choices, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(VerbSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteSerializer(VerbSerializer):
    note = serializers.CharField()


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


def _mediators(usernames):
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(username__in=usernames))
    missing = set(usernames) - {u.username for u in users}
    if missing:
        # The service's words for a user who is not a mediator here: no hint of who exists.
        raise serializers.ValidationError(
            {"mediators": [_("%(name)s cannot be assigned to this case.") % {"name": sorted(missing)[0]}]}
        )
    return users


# verb → (input serializer, call(actor, case, validated data))
VERBS = {
    "classify": (ClassifySerializer, lambda a, c, d: services.case_classify(actor=a, case=c, **d)),
    "dispatch": (DispatchInputSerializer, lambda a, c, d: services.case_dispatch(actor=a, case=c, **d)),
    "accept": (VerbSerializer, lambda a, c, d: services.dispatch_accept(actor=a, case=c, **d)),
    "decline": (ReasonSerializer, lambda a, c, d: services.dispatch_decline(actor=a, case=c, **d)),
    "report": (ReportSerializer, lambda a, c, d: services.dispatch_report(actor=a, case=c, **d)),
    "escalate": (ReasonSerializer, lambda a, c, d: services.case_escalate(actor=a, case=c, **d)),
    "send-down": (SendDownSerializer, lambda a, c, d: services.case_send_down(actor=a, case=c, **d)),
    "assign-mediator": (
        AssignMediatorSerializer,
        lambda a, c, d: services.case_assign_mediators(actor=a, case=c, mediators=_mediators(d.pop("mediators")), **d),
    ),
    "resolve": (ResolveSerializer, lambda a, c, d: services.case_resolve(actor=a, case=c, **d)),
    "feedback": (FeedbackSerializer, lambda a, c, d: services.case_feedback(actor=a, case=c, **d)),
    "follow-up": (FollowUpSerializer, lambda a, c, d: services.case_follow_up(actor=a, case=c, **d)),
    "close": (NoteSerializer, lambda a, c, d: services.case_close(actor=a, case=c, **d)),
    "reopen": (ReasonSerializer, lambda a, c, d: services.case_reopen(actor=a, case=c, **d)),
    "hand-back": (ReasonSerializer, lambda a, c, d: services.case_hand_back(actor=a, case=c, **d)),
    "pause": (ReasonSerializer, lambda a, c, d: services.case_pause(actor=a, case=c, **d)),
    "resume": (VerbSerializer, lambda a, c, d: services.case_resume(actor=a, case=c, **d)),
    "confirm-outcome": (RequiredNoteSerializer, lambda a, c, d: services.rating_confirm(actor=a, case=c, **d)),
    "link-report": (NoteSerializer, lambda a, c, d: services.case_link_report(actor=a, case=c, note=d["note"])),
}


def run_verb(verb: str, *, actor, case: Case, data) -> Case:
    """Validate a verb's input (JSON from the API or a form from the case page) and run it."""
    serializer_class, call = VERBS[verb]
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    arguments = dict(payload.validated_data)
    if "version" in arguments:
        arguments["expected_version"] = arguments.pop("version")
    if verb == "link-report":
        arguments.pop("expected_version", None)
    return call(actor, case, arguments)


# --- Filters ----------------------------------------------------------------------------------------


class _CategoryCodeInput(forms.CharField):
    """A category code that exists: checked once when the filters are read, before they are applied
    to each range of the caller's scope."""

    def clean(self, value):
        code = super().clean(value)
        if code and not Category.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Unknown category: %(code)s.") % {"code": code})
        return code


class CategoryCodeFilter(django_filters.CharFilter):
    field_class = _CategoryCodeInput


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    category = CategoryCodeFilter(method="filter_category", label="category")
    under = django_filters.CharFilter(method="filter_under", label="under")
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    review = django_filters.BooleanFilter(field_name="review_required", label="review")
    open = django_filters.BooleanFilter(method="filter_open", label="open")
    resolved = django_filters.BooleanFilter(field_name="resolved_level", lookup_expr="isnull", exclude=True)
    resolved_level = django_filters.ChoiceFilter(choices=Level.choices)
    grid = django_filters.CharFilter(field_name="grid__code", label="grid")
    created_after = TimeFilter(field_name="received_at", lookup_expr="gte")
    created_before = TimeFilter(field_name="received_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_q", label="q")

    class Meta:
        model = Case
        fields = [
            "status",
            "kind",
            "channel",
            "category",
            "under",
            "overdue",
            "review",
            "open",
            "resolved",
            "resolved_level",
            "grid",
            "created_after",
            "created_before",
            "q",
        ]

    def filter_category(self, queryset, name, value):
        """A category and its sub-types: `category=d-labour` includes `d-labour--wages`."""
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_q(self, queryset, name, value):
        return queryset.filter(selectors.text_search_q(value))


# --- Views ------------------------------------------------------------------------------------------


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases visible to the caller. Writes go through the workflow verbs, one endpoint each."""

    lookup_value_regex = "[0-9]+"  # anything else is not a case: 404, never a 500
    serializer_class = CaseListSerializer
    filterset_class = CaseFilter
    permission_classes = [ActionPermission]
    access_actions = {"create": Action.CASE_CREATE}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.case_list_visible(user=self.request.user).order_by(*selectors.CASE_LIST_ORDER)

    def list(self, request, *args, **kwargs):
        # Each range of the caller's scope is paged apart and merged (selectors.case_list_rows); the
        # filters are read and checked once and applied to every range.
        filterset = CaseFilter(request.query_params, queryset=Case.objects.none(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        rows = selectors.case_list_rows(user=request.user, refine=filterset.filter_queryset)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = selectors.case_get_visible(user=request.user, case_id=kwargs["pk"])
        if case is None:
            from django.http import Http404

            raise Http404
        return Response(case_detail_payload(case, request))

    def _reload(self, case):
        return selectors.case_get_visible(user=self.request.user, case_id=case.pk) or case

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        link_to = payload.validated_data.get("link_to")
        if link_to:
            existing = selectors.case_get_visible(user=request.user, case_id=link_to)
            if existing is None:
                raise serializers.ValidationError({"link_to": [_("No open case of yours has this id.")]})
            case = services.case_link_report(actor=request.user, case=existing, note=payload.validated_data["title"])
            return Response(case_detail_payload(self._reload(case), request), status=status.HTTP_200_OK)
        case = services.case_create(
            actor=request.user,
            center=payload.validated_data["center"],
            data=payload.to_case_input(),
            force_new=payload.validated_data["force_new"],
        )
        return Response(case_detail_payload(self._reload(case), request), status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses={200: CaseDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        payload = CaseUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        version = changes.pop("version")
        case = services.case_update(actor=request.user, case=case, changes=changes, expected_version=version)
        return Response(case_detail_payload(self._reload(case), request))

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response(
                {"detail": _("Use PATCH with the fields to change and the version you read.")},
                status=status.HTTP_405_METHOD_NOT_ALLOWED,
            )
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], url_path="attachments", parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        case = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Choose a file to upload.")]})
        attachment = services.attachment_add(actor=request.user, case=case, upload=upload)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    # The file is served with the type it was uploaded with (an image, a PDF, a scan …).
    @extend_schema(responses={(200, "*/*"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]+)")
    def attachment(self, request, pk=None, attachment_id=None):
        case = self.get_object()
        attachment = get_object_or_404(case.attachments, pk=attachment_id)
        audit.record(actor=request.user, action="case.attachment_view", obj=case, data={"attachment": attachment.pk})
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


def _verb_endpoint(verb: str):
    serializer_class = VERBS[verb][0]

    def endpoint(self, request, pk=None):
        case = run_verb(verb, actor=request.user, case=self.get_object(), data=request.data)
        return Response(case_detail_payload(self._reload(case), request))

    # Named before decorating: @action maps the HTTP method to the function's name.
    endpoint.__name__ = _method_name(verb)
    endpoint = action(detail=True, methods=["post"], url_path=verb, url_name=verb)(endpoint)
    return extend_schema(
        request=serializer_class, responses={200: CaseDetailSerializer}, operation_id=f"cases_{endpoint.__name__}"
    )(endpoint)


def _method_name(verb: str) -> str:
    # Prefixed: a verb named like a view method ("dispatch") must not replace it.
    return f"verb_{verb.replace('-', '_')}"


for _verb in VERBS:
    setattr(CaseViewSet, _method_name(_verb), _verb_endpoint(_verb))


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "label", "group", "parent"]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The taxonomy (public within the portal: any logged-in user)."""

    serializer_class = CategorySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return selectors.categories_active()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return private_cache(response, REFERENCE_MAX_AGE) if response.status_code == 200 else response


class NotificationSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "case", "case_number", "created_at", "read_at"]


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications; `?unread=true` for the new ones."""

    lookup_value_regex = "[0-9]+"
    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user to ask for
            return Notification.objects.none()
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notifications_for(user=self.request.user, unread_only=unread)

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="only the unread ones")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)


# --- Public (no login) ------------------------------------------------------------------------------


class PublicReportSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64, help_text="the center's QR token")
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=30)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.REQUEST)
    title = serializers.CharField(max_length=200)
    facts = serializers.CharField(max_length=5000)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    preferred = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="a value from the center's public roster"
    )
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text="leave empty")


class PublicStatusSerializer(serializers.Serializer):
    """What a citizen sees of a report (`presenters.public_status`): never a name, number, phone or fact."""

    receipt = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    stage = serializers.CharField(help_text="the stage in the citizen's words")
    center = serializers.CharField(help_text="the name of the center handling the report")
    received_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    can_rate = serializers.BooleanField(help_text="true once the outcome was fed back and not yet rated")


class PublicReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(help_text="the code the citizen follows the report with")
    status = PublicStatusSerializer(allow_null=True)


class PublicReportView(APIView):
    """A citizen's report through a center's QR code: no login, rate-limited, a honeypot field."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        request=PublicReportSerializer,
        responses={201: PublicReceiptSerializer},
    )
    def post(self, request):
        payload = PublicReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["website"]:
            # Only a robot fills the hidden field: it is told what a person would be, and nothing is kept.
            return Response({"receipt": new_receipt(), "status": None}, status=status.HTTP_201_CREATED)
        case = services.public_report(
            token=data["token"],
            name=data["name"],
            phone=data["phone"],
            kind=data["kind"],
            title=data["title"],
            facts=data["facts"],
            place=data["place"],
            honeypot=data["website"],
            preferred=data["preferred"],
        )
        return Response({"receipt": case.receipt, "status": public_status(case)}, status=status.HTTP_201_CREATED)


class PublicStatusView(APIView):
    """The status of a report by its receipt code, without any personal data."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_lookup"

    @extend_schema(responses={200: PublicStatusSerializer})
    def get(self, request, receipt):
        case = selectors.case_by_receipt(receipt=receipt)
        if case is None:
            return Response({"detail": _("No report has this receipt code.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(public_status(case))


class PublicRatingSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Rating.Value.choices)
    phone_last4 = serializers.RegexField(r"^[0-9]{4}$", help_text="the last four digits of the reporter's phone")
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PublicMessageSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="a message for the citizen, in the request's language")


class PublicRatingView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(request=PublicRatingSerializer, responses={201: PublicMessageSerializer})
    def post(self, request, receipt):
        payload = PublicRatingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.rating_submit_public(receipt=receipt.strip().upper(), **payload.validated_data)
        return Response({"detail": _("Thank you for your rating.")}, status=status.HTTP_201_CREATED)

"""REST API of mediation: the roster, suggestions and assignment, sessions, agreements and their terms."""

from urllib.parse import quote

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases import selectors as case_selectors
from cases.models import Category
from govcenter.access import Action, ActionPermission
from govcenter.api import CenterCodeField, ChoiceLabelField, filter_under
from mediation import selectors, services
from mediation.models import Agreement, AgreementTerm, Assignment, MediationOrg, MediationSession, Mediator

# --- Roster ---------------------------------------------------------------------------------------


class OrgSerializer(serializers.ModelSerializer):
    center = CenterCodeField()
    kind_label = ChoiceLabelField(MediationOrg.Kind.choices, source="kind")

    class Meta:
        model = MediationOrg
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "center",
            "short_name",
            "phone",
            "address",
            "is_public",
            "is_active",
        ]


class OrgViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrgSerializer
    permission_classes = [ActionPermission]
    access_actions = {"create": Action.ROSTER_MANAGE}
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.org_list_visible(user=self.request.user).order_by("center_code", "name")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("is_active", None)  # a new organisation starts in use (a form without the box sends false)
        serializer.instance = services.org_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "center" in data and data.pop("center") != serializer.instance.center:
            raise serializers.ValidationError({"center": [_("An organisation does not move to another center.")]})
        serializer.instance = services.org_update(actor=self.request.user, org=serializer.instance, **data)


class MediatorSerializer(serializers.ModelSerializer):
    org = serializers.PrimaryKeyRelatedField(queryset=MediationOrg.objects.filter(is_active=True))
    org_name = serializers.CharField(source="org.name", read_only=True)
    center = serializers.CharField(source="center_code", read_only=True)
    specialties = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.filter(is_active=True), required=False
    )
    caseload = serializers.IntegerField(read_only=True, default=0)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = Mediator
        fields = [
            "id",
            "name",
            "org",
            "org_name",
            "center",
            "specialties",
            "certificate",
            "phone",
            "is_chief_consultant",
            "is_active",
            "caseload",
            "username",
        ]


class MediatorFilter(django_filters.FilterSet):
    org = django_filters.NumberFilter(field_name="org_id", min_value=1, max_value=2**31 - 1)
    under = django_filters.CharFilter(method="filter_under", label="under")
    specialty = django_filters.CharFilter(field_name="specialties__code")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Mediator
        fields = ["org", "under", "specialty", "is_active"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)


class MediatorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MediatorSerializer
    filterset_class = MediatorFilter
    permission_classes = [ActionPermission]
    access_actions = {"create": Action.ROSTER_MANAGE}
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.mediator_list_visible(user=self.request.user).order_by("center_code", "name")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("org")
        if org not in selectors.org_list_visible(user=self.request.user):
            raise serializers.ValidationError({"org": [_("No such organisation in your reach.")]})
        data.pop("is_active", None)  # a new mediator starts on the roster (a form without the box sends false)
        serializer.instance = services.mediator_create(actor=self.request.user, org=org, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "org" in data and data["org"] != serializer.instance.org:
            raise serializers.ValidationError({"org": [_("A mediator changes organisation by a new roster entry.")]})
        data.pop("org", None)
        updated = services.mediator_update(actor=self.request.user, mediator=serializer.instance, **data)
        # The caseload is counted by the list's query, not kept on the row the service saved.
        serializer.instance = self.get_queryset().filter(pk=updated.pk).first() or updated

    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, methods=["get"])
    def suggest(self, request):
        """`?case=<id>`: mediators ranked for that case (specialty, load, distance), with the reasons."""
        case = _visible_case(request, request.query_params.get("case"))
        return Response(
            [
                {
                    **MediatorSerializer(row["mediator"]).data,
                    "specialty_match": row["specialty"],
                    "distance": row["distance"],
                    "reasons": row["reasons"],
                }
                for row in selectors.suggest_mediators(case=case)
            ]
        )


def _visible_case(request, case_id):
    if not str(case_id or "").isdigit():
        raise serializers.ValidationError({"case": [_("Give the case's id.")]})
    case = case_selectors.case_list_visible(user=request.user).filter(pk=case_id).first()
    if case is None:
        from django.http import Http404

        raise Http404
    return case


# --- Assignment ------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    mediator_name = serializers.CharField(source="mediator.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "case", "mediator", "mediator_name", "assigned_at", "reasons", "ended_at"]


class AssignInput(serializers.Serializer):
    case = serializers.IntegerField()
    mediators = serializers.PrimaryKeyRelatedField(queryset=Mediator.objects.all(), many=True, allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class AssignmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["case"]

    def get_queryset(self):
        cases = case_selectors.case_list_visible(user=self.request.user)
        return (
            Assignment.objects.filter(case__in=cases.values("pk")).select_related("mediator").order_by("-assigned_at")
        )

    @extend_schema(request=AssignInput, responses={201: AssignmentSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        payload = AssignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        case = _visible_case(request, payload.validated_data["case"])
        mediators = payload.validated_data["mediators"]
        ranked = {row["mediator"].pk: row["reasons"] for row in selectors.suggest_mediators(case=case, limit=1000)}
        services.assign(
            actor=request.user,
            case=case,
            mediators=mediators,
            note=payload.validated_data["note"],
            reasons=ranked,
            expected_version=payload.validated_data.get("version"),
        )
        rows = Assignment.objects.filter(case=case, mediator__in=mediators, ended_at__isnull=True)
        return Response(AssignmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = services.unassign(
            actor=request.user, assignment=self.get_object(), reason=str(request.data.get("reason", ""))
        )
        return Response(AssignmentSerializer(assignment).data)


# --- Sessions --------------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    mediators = serializers.PrimaryKeyRelatedField(queryset=Mediator.objects.all(), many=True)
    outcome_label = ChoiceLabelField(MediationSession.Outcome.choices, source="outcome")

    class Meta:
        model = MediationSession
        fields = [
            "id",
            "case",
            "held_at",
            "place",
            "mediators",
            "attendees",
            "notes",
            "next_steps",
            "outcome",
            "outcome_label",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]


class SessionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionSerializer
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["case"]

    def get_queryset(self):
        return selectors.session_list_visible(user=self.request.user).order_by("-held_at")

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The session record (调解笔录) as a PDF to be signed by those present."""
        return pdf_response(*services.session_record_pdf(actor=request.user, session=self.get_object()))

    def create(self, request, *args, **kwargs):
        payload = SessionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        case = _visible_case(request, data.pop("case_id"))
        session = services.session_log(actor=request.user, case=case, **data)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


def pdf_response(pdf: bytes, document) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = quote(f"{document.title}-{document.reference}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Agreements ------------------------------------------------------------------------------------


class TermSerializer(serializers.ModelSerializer):
    amount_in_words = serializers.SerializerMethodField()
    fulfilment_label = ChoiceLabelField(AgreementTerm.Fulfilment.choices, source="fulfilment")

    class Meta:
        model = AgreementTerm
        fields = [
            "id",
            "position",
            "text",
            "manner",
            "place",
            "due_date",
            "amount",
            "amount_in_words",
            "fulfilment",
            "fulfilment_label",
            "checked_at",
            "fulfilment_note",
        ]
        read_only_fields = ["position", "fulfilment", "checked_at", "fulfilment_note"]

    def get_amount_in_words(self, term) -> str | None:
        from mediation.numerals import yuan_in_capitals

        return yuan_in_capitals(term.amount) if term.amount is not None else None


class TermInputSerializer(serializers.Serializer):
    text = serializers.CharField()
    due_date = serializers.DateField()
    manner = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)


class AgreementSerializer(serializers.ModelSerializer):
    terms = TermSerializer(many=True, read_only=True)
    parties = serializers.SerializerMethodField()
    status_label = ChoiceLabelField(Agreement.State.choices, source="status")
    supersedes = serializers.CharField(source="supersedes.number", read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "case",
            "org",
            "number",
            "version",
            "supersedes",
            "status",
            "status_label",
            "facts",
            "disputed_matters",
            "responsibilities",
            "copies",
            "signed_at",
            "parties",
            "terms",
            "created_at",
        ]

    def get_parties(self, agreement) -> list[dict]:
        """Sex, date of birth and address are the masked middle of an identity number: they are
        shown only to those who may see identity numbers in full."""
        from cases.presenters import mask_id_number

        full = agreement.case_id in self._cases_shown_in_full()
        return [
            {
                "role": p.role,
                "name": p.name,
                "sex": p.sex if full else "",
                "birth_date": p.birth_date if full else None,
                "id_number": p.id_number if full else mask_id_number(p.id_number),
                "address": p.address if full else "",
            }
            for p in agreement.parties.all()
        ]

    def _cases_shown_in_full(self) -> set[int]:
        """Asked once for the whole page (the context is shared by its rows), not once per row."""
        if "cases_shown_in_full" not in self.context:
            request = self.context.get("request")
            page = self.root.instance
            agreements = [page] if isinstance(page, Agreement) else list(page or [])
            self.context["cases_shown_in_full"] = (
                selectors.cases_shown_in_full(user=request.user, cases=[a.case for a in agreements])
                if request is not None
                else set()
            )
        return self.context["cases_shown_in_full"]


class AgreementInputSerializer(serializers.Serializer):
    facts = serializers.CharField()
    disputed_matters = serializers.CharField()
    responsibilities = serializers.CharField(required=False, allow_blank=True, default="")
    copies = serializers.IntegerField(min_value=2, max_value=20, default=3)
    terms = TermInputSerializer(many=True, allow_empty=False)
    mediators = serializers.PrimaryKeyRelatedField(
        queryset=Mediator.objects.all(), many=True, required=False, default=list
    )

    def to_input(self) -> services.AgreementInput:
        fields = ("facts", "disputed_matters", "responsibilities", "copies", "mediators")
        data = {name: self.validated_data[name] for name in fields}
        terms = [services.TermInput(**term) for term in self.validated_data["terms"]]
        return services.AgreementInput(terms=terms, **data)


class AgreementDraftSerializer(AgreementInputSerializer):
    case = serializers.IntegerField()
    org = serializers.PrimaryKeyRelatedField(queryset=MediationOrg.objects.filter(is_active=True))


class SignInput(serializers.Serializer):
    signed_on = serializers.DateField()
    scan = serializers.FileField()


class SupersedeInput(AgreementInputSerializer):
    reason = serializers.CharField()


class TermCheckInput(serializers.Serializer):
    fulfilment = serializers.ChoiceField(choices=[c for c in AgreementTerm.Fulfilment.choices if c[0] != "pending"])
    checked_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class AgreementViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AgreementSerializer
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["case", "status"]

    def get_queryset(self):
        return (
            selectors.agreement_list_visible(user=self.request.user)
            .select_related("supersedes")
            .order_by("-created_at")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request}

    def _reload(self, agreement):
        return AgreementSerializer(self.get_queryset().get(pk=agreement.pk), context={"request": self.request}).data

    @extend_schema(request=AgreementDraftSerializer, responses={201: AgreementSerializer})
    def create(self, request, *args, **kwargs):
        payload = AgreementDraftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = _visible_case(request, payload.validated_data["case"])
        org = payload.validated_data["org"]
        if org not in selectors.org_list_visible(user=request.user):
            raise serializers.ValidationError({"org": [_("No such organisation in your reach.")]})
        agreement = services.agreement_draft(actor=request.user, case=case, org=org, data=payload.to_input())
        return Response(self._reload(agreement), status=status.HTTP_201_CREATED)

    @extend_schema(request=AgreementInputSerializer, responses={200: AgreementSerializer})
    def partial_update(self, request, *args, **kwargs):
        payload = AgreementInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = services.agreement_edit(actor=request.user, agreement=self.get_object(), data=payload.to_input())
        return Response(self._reload(agreement))

    @extend_schema(request=SignInput, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def sign(self, request, pk=None):
        payload = SignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = services.agreement_sign(
            actor=request.user,
            agreement=self.get_object(),
            signed_on=payload.validated_data["signed_on"],
            scan=payload.validated_data["scan"],
        )
        return Response(self._reload(agreement))

    @extend_schema(request=SupersedeInput, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        payload = SupersedeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.agreement_supersede(
            actor=request.user,
            agreement=self.get_object(),
            data=payload.to_input(),
            reason=payload.validated_data["reason"],
        )
        return Response(self._reload(new), status=status.HTTP_201_CREATED)

    @extend_schema(request=TermCheckInput, responses={200: TermSerializer})
    @action(detail=True, methods=["post"], url_path=r"terms/(?P<position>[0-9]+)/check")
    def check_term(self, request, pk=None, position=None):
        agreement = self.get_object()
        term = get_object_or_404(agreement.terms, position=position)
        payload = TermCheckInput(data=request.data)
        payload.is_valid(raise_exception=True)
        term = services.term_check(actor=request.user, term=term, **payload.validated_data)
        return Response(TermSerializer(term).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The agreement as an A4 PDF in the standard layout, with a verification code."""
        return pdf_response(*services.agreement_pdf(actor=request.user, agreement=self.get_object()))

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="confirmation-application")
    def confirmation_application(self, request, pk=None):
        """The parties' application for judicial confirmation (司法确认申请书), citing the agreement."""
        return pdf_response(*services.confirmation_application_pdf(actor=request.user, agreement=self.get_object()))

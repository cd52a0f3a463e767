"""The import API: the same imports as the pages, for scripted go-lives from another machine.

`POST imports/` (multipart: `kind`, `file`, `dry_run`, `root`) answers 201 with the record of the
import, or 400 with every row error (and the record's id, whose `errors/` is the error report);
`imports/{id}/apply/` carries a dry run out; `imports/template/?kind=` is a template.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from govcenter import access
from govcenter.access import Action, ActionPermission
from onboarding import selectors, services
from onboarding.importers import IMPORTERS
from onboarding.models import ImportRun
from onboarding.views import XLSX, download

SHOWN_ERRORS = 500


class ImportRunSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default="", read_only=True)

    class Meta:
        model = ImportRun
        fields = ["id", "kind", "status", "filename", "rows", "counts", "center_code", "root", "actor", "created_at"]
        read_only_fields = fields


class ImportStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(IMPORTERS))
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)
    root = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportRunSerializer
    permission_classes = [ActionPermission]
    # Everything here is for those who may import somewhere; the rows decide where.
    access_actions = {"create": Action.ONBOARDING_IMPORT, "apply": Action.ONBOARDING_IMPORT}
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if self.action == "list":
            return selectors.import_run_summaries_visible(user=self.request.user).order_by("-created_at", "-id")
        return selectors.import_run_list_visible(user=self.request.user)

    def _outcome_response(self, outcome) -> Response:
        data = ImportRunSerializer(outcome.run).data
        if not outcome.errors:
            return Response(data, status=status.HTTP_201_CREATED)
        message = _("The file was not imported: %(n)d problems in it. Correct them and upload the whole file again.")
        payload = {
            "detail": message % {"n": len(outcome.errors)},
            "import": data,
            "errors": [error.as_dict() for error in outcome.errors[:SHOWN_ERRORS]],
        }
        return Response(payload, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=ImportStartSerializer, responses={201: ImportRunSerializer, 400: OpenApiResponse()})
    def create(self, request, *args, **kwargs):
        given = ImportStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        outcome = services.import_file(
            actor=request.user,
            kind=given.validated_data["kind"],
            content=upload.read(),
            filename=upload.name or "import",
            dry_run=given.validated_data["dry_run"],
            root=given.validated_data["root"],
        )
        return self._outcome_response(outcome)

    @extend_schema(request=None, responses={201: ImportRunSerializer, 400: OpenApiResponse(), 409: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        return self._outcome_response(services.import_again(actor=request.user, run=self.get_object()))

    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="the error report")})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        run = self.get_object()
        if not run.errors:
            raise NotFound(_("This import has no errors."))
        return download(_("Error report %(id)d.xlsx") % {"id": run.pk}, services.error_report(run))

    @extend_schema(
        parameters=[OpenApiParameter("kind", enum=list(IMPORTERS), required=True)],
        responses={(200, XLSX): OpenApiResponse(description="the template")},
    )
    @action(detail=False, methods=["get"])
    def template(self, request):
        if not access.has_action_anywhere(request.user, Action.ONBOARDING_IMPORT):
            raise PermissionDenied
        kind = request.query_params.get("kind", "")
        if kind not in IMPORTERS:
            raise NotFound(
                _("Unknown kind of import: %(kind)s. Known: %(kinds)s.") % {"kind": kind, "kinds": ", ".join(IMPORTERS)}
            )
        return download(*services.template(kind))

"""The import API: the same imports as the pages, for scripted go-lives from another machine.

`POST imports/` (multipart: `kind`, `file`, `dry_run`, `root`) keeps the file and queues the import
as a background job: 202 with its record (status `queued`), or 400 at once for a file that cannot be
read or has the wrong columns. `GET imports/{id}/` shows its `status` and `progress` while it runs,
then what it did: `previewed`, `applied`, `refused` with every row error (whose `errors/` is the error
report) or `failed`. `imports/{id}/apply/` carries a dry run out, as a job of its own;
`imports/template/?kind=` is a template.
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
        fields = [
            "id",
            "kind",
            "status",
            "dry_run",
            "progress",
            "filename",
            "rows",
            "counts",
            "message",
            "center_code",
            "root",
            "actor",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportRunDetailSerializer(ImportRunSerializer):
    """One import with its row errors (the first 500; the error report has them all)."""

    errors = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()

    class Meta(ImportRunSerializer.Meta):
        fields = [*ImportRunSerializer.Meta.fields, "error_count", "errors"]
        read_only_fields = fields

    def get_errors(self, run) -> list[dict]:
        return run.errors[:SHOWN_ERRORS]

    def get_error_count(self, run) -> int:
        return len(run.errors)


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

    def get_serializer_class(self):
        return ImportRunDetailSerializer if self.action == "retrieve" else ImportRunSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.import_run_summaries_visible(user=self.request.user).order_by("-created_at", "-id")
        return selectors.import_run_list_visible(user=self.request.user)

    @extend_schema(request=ImportStartSerializer, responses={202: ImportRunSerializer, 400: OpenApiResponse()})
    def create(self, request, *args, **kwargs):
        given = ImportStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        run = services.queue_import(
            actor=request.user,
            kind=given.validated_data["kind"],
            content=upload.read(),
            filename=upload.name or "import",
            dry_run=given.validated_data["dry_run"],
            root=given.validated_data["root"],
        )
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportRunSerializer, 403: OpenApiResponse(), 409: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        again = services.queue_again(actor=request.user, run=self.get_object())
        return Response(ImportRunSerializer(again).data, status=status.HTTP_202_ACCEPTED)

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

"""REST API of export jobs (`exports/`): start one, watch its progress, fetch its file.

Each caller sees only their own exports; anyone else's answers 404, a director above included: an
export may carry personal data its owner was allowed to see.
"""

from urllib.parse import quote

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports import exports
from reports.models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    expired = serializers.SerializerMethodField(help_text="done, but the file was deleted after its keeping time")
    download = serializers.SerializerMethodField(help_text="the file's URL, once done and while kept")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "params",
            "status",
            "status_label",
            "progress",
            "filename",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "expired",
            "download",
        ]
        read_only_fields = fields

    def get_kind_label(self, job) -> str:
        return exports.kind_label(job.kind)

    def get_expired(self, job) -> bool:
        return exports.is_expired(job)

    def get_download(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE or exports.is_expired(job):
            return None
        return reverse("api-export-file", args=[job.pk])


class ExportStartSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=32,
        help_text="case_dossier | case_dossiers | dashboard_pdf | dashboard_xlsx | ranking_pdf | ranking_xlsx",
    )
    params = serializers.JSONField(
        required=False,
        default=dict,
        help_text='case_dossier: {"case": id}; case_dossiers: the case list filters '
        "(under, status, channel, kind, category, created_after, created_before, overdue, q)",
    )


def file_response(job: ExportJob, handle) -> FileResponse:
    response = FileResponse(handle, content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's exports. `POST` starts one (201, queued); its `progress` goes from 0 to 100 and,
    when `status` is `done`, `download` fetches the file until `expires_at`."""

    serializer_class = ExportJobSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return exports.jobs_of(self.request.user)

    @extend_schema(request=ExportStartSerializer, responses={201: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        given = ExportStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        job = exports.start(
            owner=request.user, kind=given.validated_data["kind"], params=given.validated_data["params"]
        )
        return Response(
            ExportJobSerializer(job, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="the file (PDF or ZIP)"),
            409: OpenApiResponse(description="not finished yet"),
            410: OpenApiResponse(description="deleted after its keeping time"),
        }
    )
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        job = self.get_object()
        return file_response(job, exports.fetch(job, request.user))

"""REST API of reports: `reports/dashboard/`, `reports/rankings/` (preview or the published list, and
publishing), `reports/ranking-scheme/`."""

from datetime import date, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govcenter import access, periods
from govcenter.access import Action
from govcenter.divisions import DivisionCodeError, check_code
from govcenter.errors import DomainError
from govcenter.http import FIGURES_MAX_AGE, private_cache
from govcenter.models import Center
from reports import ranking, selectors, services
from reports.models import Area, RankingPublication

MAX_PERIOD_DAYS = 3 * 366 + 1


def center_in_reach(user, code: str, action: Action = Action.REPORT_VIEW) -> Center:
    """The center of `?center=`, if the user may see its reports there; 404 otherwise."""
    try:
        check_code(code or "")
    except DivisionCodeError as error:
        raise DomainError(str(error), field="center") from error
    center = Center.objects.filter(code=code, is_active=True).first()
    if center is None or not access.can_at(user, action, code):
        raise Http404
    return center


def parse_period(params) -> selectors.Period:
    today = timezone.localdate()
    end = periods.parse_day(params.get("to"), "to", today)
    start = periods.parse_day(params.get("from"), "from", end - timedelta(days=29))
    if start > end:
        raise DomainError(_("The period starts after it ends."), field="from")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError(_("A period is at most three years."), field="from")
    return selectors.Period(start, end)


def parse_month(value) -> date:
    """YYYY-MM; last month when none is given."""
    return periods.parse_month(value, default=periods.previous_month(timezone.localdate()))


def _figure(figure: selectors.Figure) -> dict:
    return {"key": figure.key, "label": figure.label, "value": figure.value, "list": figure.url}


def _block(block: dict) -> dict:
    return {key: _figure(value) if isinstance(value, selectors.Figure) else value for key, value in block.items()}


def dashboard_payload(board: selectors.Dashboard) -> dict:
    coverage = board.coverage.total
    post = board.command_post
    return {
        "center": board.center.code,
        "name": board.center.name,
        "from": board.period.start.isoformat(),
        "to": board.period.end.isoformat(),
        "total": _figure(board.total),
        "by_channel": [_figure(f) for f in board.by_channel],
        "by_kind": [_figure(f) for f in board.by_kind],
        "by_category": [_figure(f) for f in board.by_category],
        "trend": [_figure(f) for f in board.trend],
        "open_by_status": [_figure(f) for f in board.open_by_status],
        "overdue_by_status": [_figure(f) for f in board.overdue_by_status],
        "resolution_level": [_figure(f) for f in board.resolution_level],
        "pre_litigation": _block(board.diversion),
        "police_alerts": _block(board.police),
        "petitions": _block(board.petitions),
        "handoffs": {source: _block(block) for source, block in board.handoffs.items()},
        "risk_warnings": {
            "by_level": [_figure(f) for f in board.warnings["by_level"]],
            "overdue": _figure(board.warnings["overdue"]),
        },
        "coverage": {
            "villages": coverage.villages,
            "villages_with_auxiliary": coverage.villages_with_auxiliary,
            "auxiliary_share": coverage.auxiliary_share,
            "grids": coverage.grids,
            "grids_staffed": coverage.grids_staffed,
            "staffed_share": coverage.staffed_share,
        },
        "mediators": board.mediators,
        # Coverage and the command post are of the moment: of this time when taken from the
        # background's snapshot (a big center), else null (counted for this answer).
        "now_as_of": board.now_as_of,
        # The period's whole months from the monthly rollup: the time it was counted, else null.
        "months_as_of": board.months_as_of,
        "command_post": {
            "overdue": _figure(post["overdue"]),
            "cases": [
                {
                    "id": case.pk,
                    "number": case.number,
                    "title": case.title,
                    "status": case.status,
                    "center": case.center_code,
                    "center_name": case.center.name,
                    "due": case.next_due_at,
                    "stage": case.next_stage,
                }
                for case in post["cases"]
            ],
            "worst_units": [{**_figure(f), "code": f.key.split(".", 1)[1]} for f in post["worst_units"]],
            "late_departments": post["late_departments"],
        },
    }


class DashboardView(APIView):
    """`?center=<code>&from=YYYY-MM-DD&to=YYYY-MM-DD` (the last 30 days by default): the figures of
    that subtree, each with `list`, the case list giving the same total."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("center", str, required=True),
            OpenApiParameter("from", str),
            OpenApiParameter("to", str),
        ],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        center = center_in_reach(request.user, request.query_params.get("center", ""))
        board = selectors.dashboard(center, parse_period(request.query_params))
        return private_cache(Response(dashboard_payload(board)), FIGURES_MAX_AGE)


def row_payload(row: ranking.Row) -> dict:
    return {
        "rank": row.rank,
        "code": row.code,
        "name": row.name,
        "score": None if row.score is None else str(row.score),
        "mark": row.mark,
        "area_scores": row.area_scores,
        "figures": row.figures,
        "previous_rank": row.previous_rank,
        "change": row.change,
    }


def entry_payload(entry) -> dict:
    change = None if entry.previous_rank is None or entry.rank is None else entry.previous_rank - entry.rank
    return {
        "rank": entry.rank,
        "code": entry.unit_code,
        "name": entry.unit_name,
        "score": None if entry.score is None else str(entry.score),
        "mark": entry.mark,
        "area_scores": entry.area_scores,
        "figures": entry.figures,
        "previous_rank": entry.previous_rank,
        "change": change,
    }


def indicators_payload(weights: dict) -> list[dict]:
    return [
        {
            "code": indicator.code,
            "area": indicator.area,
            "area_label": str(Area(indicator.area).label),
            "label": str(indicator.label),
            "lower_is_better": indicator.lower_is_better,
            "weight": weights.get(indicator.code, 0),
        }
        for indicator in ranking.INDICATORS
    ]


def ranking_payload(center: Center, month: date) -> dict:
    """The published list of the month if there is one, else a preview computed now."""
    publication = RankingPublication.objects.filter(center=center, month=month).first()
    if publication is not None:
        return {
            "center": center.code,
            "month": f"{month:%Y-%m}",
            "published": True,
            "published_at": publication.published_at,
            "scheme": publication.scheme,
            "indicators": indicators_payload(publication.scheme["weights"]),
            "results": [entry_payload(e) for e in publication.entries.order_by("rank", "unit_code")],
        }
    scheme = ranking.scheme_for(center)
    rows = services.preview(center, month)
    return {
        "center": center.code,
        "month": f"{month:%Y-%m}",
        "published": False,
        "published_at": None,
        "scheme": scheme.as_json(),
        "indicators": indicators_payload(scheme.weights),
        "results": [row_payload(r) for r in rows],
    }


class PublishInput(serializers.Serializer):
    center = serializers.CharField(max_length=12)
    month = serializers.CharField(max_length=7)


class RankingsView(APIView):
    """`GET ?center=<code>&month=YYYY-MM` (last month by default): the red/black list of the units
    under that county or city: the published snapshot, or a preview. `POST {"center", "month"}`
    publishes it (a director's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("center", str, required=True), OpenApiParameter("month", str)],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        center = center_in_reach(request.user, request.query_params.get("center", ""))
        month = parse_month(request.query_params.get("month"))
        services.check_ranking_center(center)
        services.check_month(month, complete=False)
        return Response(ranking_payload(center, month))

    @extend_schema(request=PublishInput, responses={201: {"type": "object"}})
    def post(self, request):
        payload = PublishInput(data=request.data)
        payload.is_valid(raise_exception=True)
        center = center_in_reach(request.user, payload.validated_data["center"])
        month = parse_month(payload.validated_data["month"])
        services.publish(actor=request.user, center=center, month=month)
        return Response(ranking_payload(center, month), status=status.HTTP_201_CREATED)


class SchemeInput(serializers.Serializer):
    center = serializers.CharField(max_length=12)
    weights = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100))
    red_cutoff = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=100)
    black_cutoff = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=100)


class SchemeView(APIView):
    """`GET ?center=<code>`: the county's or city's indicators, weights and cut-offs; `PUT` sets them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("center", str, required=True)], responses={200: {"type": "object"}})
    def get(self, request):
        center = center_in_reach(request.user, request.query_params.get("center", ""))
        services.check_ranking_center(center)
        return Response(self._payload(center))

    @extend_schema(request=SchemeInput, responses={200: {"type": "object"}})
    def put(self, request):
        payload = SchemeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        center = center_in_reach(request.user, data["center"])
        services.scheme_set(
            actor=request.user,
            center=center,
            weights=dict(data["weights"]),
            red_cutoff=data["red_cutoff"],
            black_cutoff=data["black_cutoff"],
        )
        return Response(self._payload(center))

    @staticmethod
    def _payload(center: Center) -> dict:
        scheme = ranking.scheme_for(center)
        return {"center": center.code, **scheme.as_json(), "indicators": indicators_payload(scheme.weights)}

"""Who asks for what in `make bench`: the demo's logins at every level, and two bench users that
differ only in explicit grants (to price the grants branch of the scope)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

from bench.run import Request
from cases.models import Case, CaseUserObjectPermission, Channel
from govcenter import access
from govcenter.access import Action
from govcenter.demo import DEMO_COUNTY, DEMO_TOWNSHIP
from govcenter.divisions import subtree_q
from govcenter.models import Center, Membership, Role
from mediation.models import Agreement

# The two users of the grants comparison: the same seat (a county director), one of them also with
# grants on cases of another county (as an auditor has on the cases named to them).
GRANTS_COUNTY = "620103"
GRANTED_FROM = "620104"
GRANTS = 300
LIST_TARGET_MS = 10
LIST_MINIMAL_RATIO = 3


def clients() -> dict[str, Client]:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_demo_logins())}
    missing = set(_demo_logins()) - set(users)
    if missing:
        raise SystemExit(f"the benchmark database has no demo logins {sorted(missing)}: seed it with users")
    users |= _grants_users()
    out = {}
    for username, user in users.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        out[username] = client
    out["anonymous"] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    return out


def _demo_logins() -> list[str]:
    return ["clerk", "director", "city_director", "province_director", "mediator"]


@transaction.atomic
def _grants_users() -> dict:
    User = get_user_model()
    county = Center.objects.get(code=GRANTS_COUNTY)
    users = {}
    for username in ("bench_no_grants", "bench_grants"):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": username})
        Membership.objects.filter(user=user).exclude(
            center=county, role=Role.DIRECTOR, center_code=county.code
        ).delete()
        Membership.objects.get_or_create(user=user, center=county, role=Role.DIRECTOR, center_code=county.code)
        users[username] = user
    granted = users["bench_grants"]
    if not CaseUserObjectPermission.objects.filter(user=granted).exists():
        cases = Case.objects.filter(subtree_q("center_code", GRANTED_FROM), channel=Channel.COURT)
        for case in cases.order_by("-received_at")[:GRANTS]:
            access.grant(granted, Action.CASE_VIEW, case)
    return users


def background_work() -> list[dict]:
    """What the django-q2 worker keeps ready for the dashboards, done now as it would have been, and
    timed: the benchmark measures the pages people wait for, not a worker that never ran."""
    import time

    from reports import tasks

    out = []
    for name, task in (
        ("rollup: all months", tasks.refresh_all_rollups),
        ("rollup: the last two months", tasks.refresh_recent_rollups),
        ("snapshots: coverage, overdue", tasks.refresh_snapshots),
    ):
        started = time.perf_counter()
        task()
        out.append({"name": name, "ms": round((time.perf_counter() - started) * 1000)})
    return out


def requests() -> list[Request]:
    today = timezone.localdate()
    year_ago = (today - timedelta(days=364)).isoformat()
    last_month = f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"
    case = Case.objects.filter(center_code__startswith=DEMO_TOWNSHIP).order_by("-received_at").first()
    agreement = Agreement.objects.filter(case__center_code__startswith=DEMO_COUNTY).order_by("-id").first()
    token = Center.objects.get(code=DEMO_TOWNSHIP).public_token

    def case_list(name, user, query=""):
        return Request(name, user, f"/api/v1/cases/{query}", LIST_TARGET_MS, LIST_MINIMAL_RATIO)

    out = [
        case_list("township clerk: case list", "clerk"),
        Request("township clerk: case list page", "clerk", "/cases/", LIST_TARGET_MS, LIST_MINIMAL_RATIO),
        case_list("county: filtered list", "director", "?status=accepted&status=in_mediation&overdue=true"),
        case_list("county: hotline disputes", "director", "?channel=hotline&kind=dispute"),
        case_list("county: page 40", "director", "?page=40"),
        case_list("province: case list", "province_director"),
        case_list("province: page 40", "province_director", "?page=40"),
        case_list("province: page 400", "province_director", "?page=400"),
        case_list("province: rare status", "province_director", "?status=reopened"),
        case_list("scope without grants", "bench_no_grants"),
        case_list("scope with 300 grants", "bench_grants"),
        Request("case detail (API)", "director", f"/api/v1/cases/{case.pk}/"),
        Request("case page", "director", f"/cases/{case.pk}/"),
        Request("dashboard: county, 30 days", "director", "/api/v1/reports/dashboard/?center=620102", 150),
        Request("dashboard: province, 30 days", "province_director", "/api/v1/reports/dashboard/?center=62", 150),
        Request(
            "dashboard: province, one year",
            "province_director",
            f"/api/v1/reports/dashboard/?center=62&from={year_ago}",
            150,
        ),
        Request(
            "ranking: a city, one month",
            "city_director",
            f"/api/v1/reports/rankings/?center=6201&month={last_month}",
            1000,
        ),
        Request(
            "public intake POST",
            "anonymous",
            "/api/v1/public/reports/",
            method="post",
            body={
                "token": token,
                "name": "王小明",
                "phone": "13800138000",
                "kind": "request",
                "title": "小区路灯不亮",
                "facts": "三号楼前的路灯已经坏了两周，晚上出行不便，请尽快修理。",
                "place": "三号楼",
            },
        ),
    ]
    if agreement is not None:
        out.append(
            Request("agreement PDF", "director", f"/api/v1/agreements/{agreement.pk}/pdf/", 150, max_bytes=300_000)
        )
    return out


def grants_comparison(results) -> list[dict]:
    by_name = {r.name: r for r in results}
    without, with_grants = by_name.get("scope without grants"), by_name.get("scope with 300 grants")
    if not (without and with_grants):
        return []
    ratio = with_grants.median_ms / without.median_ms
    return [
        {
            "name": "grants vs no grants",
            "text": f"{ratio:.2f}× (target ≤ 1.2×)",
            "ratio": round(ratio, 3),
            "met": ratio <= 1.2,
            "medians_ms": [round(without.median_ms, 2), round(with_grants.median_ms, 2)],
        }
    ]

"""Demo hotspot: one morning, five people complain through four channels that the 18 route bus
comes too seldom, among a few unrelated cases of the same hours in the demo county; then one
detection pass, so the hotspot is on the list when the demo starts.

`cases.demo.seed` calls `seed(ctx)` after the other case seeders. The rows are those `case_create`
would write (case, applicant, deadlines, the "create" step), inserted with `bulk_create`. A second
run finds the planted cases and adds nothing.
"""

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from cases import deadlines as sla
from cases.hotspots.services import hotspots_detect
from cases.models import Case, CaseEvent, Channel, Deadline, Kind, Party, Stage, Status
from cases.services.intake import allocate_number
from govcenter.demo import DEMO_COUNTY
from govcenter.models import Center
from govcenter.workdays import WorkCalendar

MARK = "18路公交车"
FEMALE = {"李秀兰", "张海燕", "陈丽娟", "孙桂芝"}
SPAN_HOURS = 5
SPAN = timedelta(hours=SPAN_HOURS)
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# (hours ago, channel, name, phone, title, facts, place)
PLANTED = [
    (
        4.5,
        Channel.HOTLINE,
        "王建国",
        "13919001801",
        "18路公交车早高峰间隔太长",
        "来电反映：每天早上7点到8点半在幸福家园小区站等18路公交车，间隔超过40分钟，上班经常迟到。",
        "幸福家园小区站",
    ),
    (
        4.0,
        Channel.QR,
        "李秀兰",
        "13919001802",
        "18路公交车早上等不到车",
        "扫码反映：18路公交车早上班次太少，送孩子上学等了半个多小时，车来了也挤不上去。",
        "",
    ),
    (
        3.2,
        Channel.WALK_IN,
        "张海燕",
        "13919001803",
        "18路公交车发车间隔过长",
        "来访群众称18路公交车早上发车间隔过长，站台排队的人很多，希望公交公司增加早高峰班次。",
        "",
    ),
    (
        2.5,
        Channel.GRID,
        "赵志强",
        "13919001804",
        "居民反映18路公交车早高峰班次少",
        "网格员走访时，多名居民反映18路公交车早高峰班次少、间隔长，老人看病出行不便。",
        "幸福家园小区站",
    ),
    (
        1.5,
        Channel.PHONE,
        "陈丽娟",
        "13919001805",
        "18路公交车早上间隔40分钟",
        "电话反映：18路公交车早上7点以后40分钟才来一趟，请协调公交公司加密班次。",
        "",
    ),
]
UNRELATED = [
    (
        3.8,
        Channel.WALK_IN,
        "刘德明",
        "13919001811",
        "楼上漏水损坏天花板",
        "楼上住户卫生间漏水，天花板发霉，多次协商未果。",
        "",
    ),
    (2.8, Channel.HOTLINE, "孙桂芝", "13919001812", "小区路灯不亮", "东岗西路小区门口路灯坏了很久，晚上出行不便。", ""),
    (1.2, Channel.GRID, "周小军", "13919001813", "邻居占用楼道堆放杂物", "邻居在楼道堆放纸箱，存在消防隐患。", ""),
]


def seed(ctx) -> None:
    started = time.perf_counter()
    if Case.objects.filter(county_code=DEMO_COUNTY, title__contains=MARK).exists():
        ctx.say("  hotspots: the demo hotspot is already planted, skipped")
        return
    centers = list(Center.objects.filter(parent_id=DEMO_COUNTY, is_active=True).order_by("code")[:3])
    if not centers:
        ctx.say("  hotspots: no townships in the demo county, nothing to do")
        return
    from cases import demo as case_demo  # the moment the demo's cases run up to

    now = case_demo._now()
    with transaction.atomic():
        cases = _plant(ctx, centers, now)
        found = hotspots_detect(now=now)
    ctx.timings["hotspots"] = time.perf_counter() - started
    ctx.say(f"  hotspots: {len(cases)} cases planted, {len(found)} hotspot(s) in {ctx.timings['hotspots']:.1f} s")


def _plant(ctx, centers: list[Center], now) -> list[Case]:
    calendar = WorkCalendar.around(timezone.localdate(now))
    rows = sorted(PLANTED + UNRELATED, key=lambda row: -row[0])  # serials follow the order of receipt
    # After the county's last case, so numbers stay in order of receipt; within the last hours.
    latest = Case.objects.filter(county_code=DEMO_COUNTY).order_by("-received_at").values_list("received_at", flat=True)
    start = max(latest.first() or now - SPAN, now - SPAN)
    receipts = _receipts(ctx, len(rows))
    cases, parties = [], []
    for index, (hours, channel, name, phone, title, facts, place) in enumerate(rows):
        center = centers[index % len(centers)]
        received_at = now - (now - start) * (hours / SPAN_HOURS)
        serial, number = allocate_number(DEMO_COUNTY, received_at.year)
        cases.append(
            Case(
                number=number,
                county_code=DEMO_COUNTY,
                year=received_at.year,
                serial=serial,
                kind=Kind.REQUEST,
                channel=channel,
                status=Status.RECEIVED,
                center=center,
                center_code=center.code,
                origin_center=center,
                origin_code=center.code,
                levels_passed=[center.code],
                title=title,
                facts=facts,
                place=place,
                receipt=receipts[index],
                received_at=received_at,
            )
        )
        parties.append(Party(role=Party.Role.APPLICANT, name=name, id_number=_id_number(index, name), phone=phone))
    Case.objects.bulk_create(cases)
    deadlines, events = [], []
    for case, party in zip(cases, parties, strict=True):
        party.case = case
        deadlines += sla.build_deadlines(case, case.received_at, list(Stage), calendar)
        events.append(
            CaseEvent(
                case=case,
                at=case.received_at,
                verb="create",
                to_status=case.status,
                center_code=case.center_code,
                data={"channel": case.channel, "kind": case.kind},
                version=case.version,
            )
        )
    Party.objects.bulk_create(parties)
    Deadline.objects.bulk_create(deadlines)
    CaseEvent.objects.bulk_create(events)
    for case in cases:
        if sla.refresh_summary(case, now):
            case.save(update_fields=["next_due_at", "next_stage", "is_overdue"])
    return cases


def _id_number(index: int, name: str) -> str:
    """A valid resident ID number of the demo county; the sequence digit says the sex."""
    female = name in FEMALE
    birth = f"{1962 + 5 * index}{index % 9 + 1:02d}{index + 10:02d}"
    body = f"620121{birth}{index % 10}{index % 7}{index % 5 * 2 + (0 if female else 1)}"
    return body + ric.calc_check_digit(body + "0")


def _receipts(ctx, count: int) -> list[str]:
    """Receipt codes from the seeded generator (the same seed gives the same demo), none in use."""
    rng = ctx.rng_for("hotspots")
    candidates = ["".join(rng.choice(RECEIPT_ALPHABET) for _ in range(10)) for _ in range(count * 2)]
    taken = set(Case.objects.filter(receipt__in=candidates).values_list("receipt", flat=True))
    free = list(dict.fromkeys(code for code in candidates if code not in taken))
    if len(free) < count:
        raise RuntimeError("receipt codes collided")  # 32^10 codes: practically never
    return free[:count]

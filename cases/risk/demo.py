"""Planted risky cases for the demo: a few open disputes in the demo county whose files hold the signs
the indicators look for (a threat, a weapon, a flagged party, a long-running quarrel), so the
early-warning pages have warnings to show; then every open case of the seeded counties is scored.

Idempotent: a planted case is marked by its note in the facts and not planted twice; scoring again
changes nothing it has not to.
"""

import time

from cases.models import OPEN_STATUSES, Case, Kind, Party
from cases.risk.scoring import active_indicators, score_case

DEMO_COUNTY = "620102"
MARK = "【走访核实】"
PLANTS = [
    ("被申请人多次扬言“要和他同归于尽”，并在门口放置汽油桶。", ["released"]),
    ("申请人情绪激动，称“再不解决就去跳楼”，家属担心其安全。", []),
    ("双方因宅基地边界多次冲突，一方手持菜刀威胁，已报警两次。", []),
    ("被申请人系严重精神障碍患者，近期停药，邻居反映其夜间砸门。", ["mental_illness"]),
    ("讨要工资未果，工友扬言“走着瞧”，准备集体上访。", []),
]
# Scoring every open case is quick at small and county scale; a province's would take the nightly pass.
SCORED_SCALES = ("small", "county")


def seed(ctx) -> None:
    started = time.perf_counter()
    planted = _plant()
    scored = 0
    if ctx.scale in SCORED_SCALES:
        indicators = active_indicators()
        for case in Case.objects.filter(status__in=OPEN_STATUSES).only("pk", "center_code").iterator(chunk_size=500):
            score_case(case, indicators)
            scored += 1
    ctx.timings["risk"] = time.perf_counter() - started
    ctx.say(f"  risk: {planted} risky cases planted, {scored:,} open cases scored in {ctx.timings['risk']:.1f} s")


def _plant() -> int:
    if Case.objects.filter(county_code=DEMO_COUNTY, facts__contains=MARK).exists():
        return 0
    candidates = list(
        # Not a grid report: its facts are the visit's notes, which stay as the worker wrote them.
        Case.objects.filter(
            county_code=DEMO_COUNTY, kind=Kind.DISPUTE, status__in=OPEN_STATUSES, visit__isnull=True
        ).order_by("-received_at", "pk")[: len(PLANTS)]
    )
    for case, (facts, flags) in zip(candidates, PLANTS, strict=False):
        Case.objects.filter(pk=case.pk).update(facts=f"{case.facts}\n{MARK}{facts}")
        if flags:
            Party.objects.filter(case=case, role=Party.Role.RESPONDENT).update(flags=flags)
    return len(candidates)

"""Grid rules and flags, assignment history, police-grid coverage, visits and their reports, the
assessment."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case, Channel, Deadline, Kind, Severity, Stage, Status
from govcenter.audit import AuditEvent
from govcenter.divisions import Level
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.models import Center, Department, Role
from grids import selectors, services
from grids.models import (
    AssessmentPolicy,
    Duty,
    Employment,
    Finding,
    Grid,
    GridAssignment,
    GridKind,
    SizeFlag,
    Visit,
)
from tests.conftest import make_member

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- Grids ----------------------------------------------------------------------------------------


def test_grid_code_is_the_village_code_and_a_serial(make_grid, village):
    first = make_grid(name="一网格")
    second = make_grid(name="二网格")
    assert (first.code, second.code) == (village.code + "001", village.code + "002")
    assert first.center_code == village.code
    assert AuditEvent.objects.filter(action="grid.create").count() == 2


@pytest.mark.parametrize(
    ("kind", "households", "flag"),
    [
        (GridKind.URBAN, 300, SizeFlag.NONE),
        (GridKind.URBAN, 500, SizeFlag.NONE),
        (GridKind.URBAN, 299, SizeFlag.SMALL),
        (GridKind.URBAN, 501, SizeFlag.LARGE),
        (GridKind.RURAL, 60, SizeFlag.NONE),  # the 300–500 rule is for urban community grids
        (GridKind.SCHOOL, 0, SizeFlag.NONE),
    ],
)
def test_urban_grid_outside_300_to_500_households_is_flagged_not_refused(make_grid, kind, households, flag):
    grid = make_grid(kind=kind, households=households, residents=households * 3)
    assert grid.size_flag == flag
    if flag:
        assert str(households) in grid.size_reason and "300" in grid.size_reason
    else:
        assert grid.size_reason == ""


def test_flag_follows_an_update_and_keeps_the_centers_explanation(make_grid, township_director):
    grid = make_grid(households=400)
    grid = services.grid_update(
        actor=township_director, grid=grid, households=620, residents=1800, size_note="高层住宅小区，楼栋集中"
    )
    assert (grid.size_flag, grid.size_note) == (SizeFlag.LARGE, "高层住宅小区，楼栋集中")
    assert "620" in grid.size_reason
    grid = services.grid_update(actor=township_director, grid=grid, kind=GridKind.RURAL)
    assert grid.size_flag == SizeFlag.NONE
    event = AuditEvent.objects.filter(action="grid.update").order_by("id").first()
    assert event.data["households"] == [400, 620]


def test_duties_are_recorded_per_grid_in_a_stable_order(make_grid):
    grid = make_grid(duties=[Duty.HEALTH, Duty.PARTY, Duty.HEALTH])
    assert grid.duties == [Duty.PARTY, Duty.HEALTH]
    with pytest.raises(DomainError) as error:
        make_grid(duties=["astrology"])
    assert error.value.field == "duties"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"households": -1}, "households"),
        ({"residents": -5}, "residents"),
        ({"households": 100, "residents": 50}, "residents"),
        ({"kind": "moon"}, "kind"),
        ({"name": "  "}, "name"),
    ],
)
def test_bad_grid_input_is_a_clear_error_and_saves_nothing(make_grid, fields, field):
    with pytest.raises(DomainError) as error:
        make_grid(**fields)
    assert error.value.field == field
    assert not Grid.objects.exists()


def test_grids_only_under_a_village_or_community(make_grid, tree):
    with pytest.raises(DomainError) as error:
        make_grid(center=tree["620102001"])
    assert error.value.field == "center"
    assert not Grid.objects.exists()


def test_the_database_refuses_what_the_service_would(grid):
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.filter(pk=grid.pk).update(households=10, residents=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.create(
            code="620102001999", center=grid.center, center_code="620102001", serial=9, name="x", kind="urban"
        )


def test_only_managers_above_the_grid_lay_it_out(make_grid, member_at):
    for relation, role in (("own", Role.CLERK), ("sibling", Role.DIRECTOR), ("child", Role.GRID_WORKER)):
        with pytest.raises(NotAllowed):
            make_grid(actor=member_at(relation, role))
    assert make_grid(actor=member_at("parent", Role.DIRECTOR)).pk


# --- Workers and their history --------------------------------------------------------------------


def test_reassigning_a_grid_keeps_its_history(walked_grid, worker, township_director, member_at):
    successor = member_at("child", Role.GRID_WORKER, first_name="钱多")
    services.grid_assign(
        actor=township_director, grid=walked_grid, worker=successor, employment=Employment.PART_TIME, replace=True
    )
    rows = list(GridAssignment.objects.filter(grid=walked_grid).order_by("started_at"))
    assert [r.worker for r in rows] == [worker, successor]
    assert rows[0].ended_at is not None and "钱多" in rows[0].end_reason and rows[0].ended_by == township_director
    assert rows[1].ended_at is None and rows[1].employment == Employment.PART_TIME
    assert list(selectors.my_assignments(user=worker)) == []
    assert [a.grid for a in selectors.my_assignments(user=successor)] == [walked_grid]


def test_a_worker_may_walk_several_grids_and_a_grid_have_a_part_time_helper(
    make_grid, walked_grid, worker, township_director, member_at
):
    second = make_grid(name="第二网格")
    services.grid_assign(actor=township_director, grid=second, worker=worker)
    helper = member_at("own", Role.GRID_WORKER)  # a township grid worker reaches the village's grids
    services.grid_assign(actor=township_director, grid=walked_grid, worker=helper, employment=Employment.PART_TIME)
    assert {a.grid for a in selectors.my_assignments(user=worker)} == {walked_grid, second}
    assert walked_grid.assignments.filter(ended_at__isnull=True).count() == 2


def test_assignment_rules(walked_grid, worker, township_director, member_at, tree):
    with pytest.raises(ConflictError):
        services.grid_assign(actor=township_director, grid=walked_grid, worker=worker)
    clerk = member_at("child", Role.CLERK)
    with pytest.raises(DomainError) as error:
        services.grid_assign(actor=township_director, grid=walked_grid, worker=clerk)
    assert error.value.field == "worker"
    elsewhere = member_at("sibling", Role.GRID_WORKER)
    with pytest.raises(DomainError):
        services.grid_assign(actor=township_director, grid=walked_grid, worker=elsewhere)
    with pytest.raises(DomainError) as error:
        services.grid_assign(
            actor=township_director,
            grid=walked_grid,
            worker=member_at("child", Role.GRID_WORKER),
            started_at=timezone.now() + timedelta(days=3),
        )
    assert error.value.field == "started_at"
    assert walked_grid.assignments.count() == 1


def test_ending_an_assignment_needs_a_reason_and_happens_once(walked_grid, township_director):
    assignment = walked_grid.assignments.get()
    with pytest.raises(DomainError):
        services.grid_unassign(actor=township_director, assignment=assignment, reason=" ")
    services.grid_unassign(actor=township_director, assignment=assignment, reason="辞职")
    with pytest.raises(ConflictError):
        services.grid_unassign(actor=township_director, assignment=assignment, reason="辞职")


def test_retiring_a_grid_ends_its_assignments(walked_grid, township_director):
    services.grid_retire(actor=township_director, grid=walked_grid, reason="并入第2网格")
    walked_grid.refresh_from_db()
    assert not walked_grid.is_active
    assert walked_grid.assignments.get().ended_at is not None


# --- Police grids and 一村一辅警 -------------------------------------------------------------------


@pytest.fixture
def villages(tree):
    """Five villages under the own township and three under the sibling township."""
    made = {}
    for township, count in (("620102001", 5), ("620102002", 3)):
        for n in range(2, count + 2):
            code = f"{township}{n:03d}"
            made[code] = Center.objects.create(
                code=code, level=Level.VILLAGE, name=f"村{code[-3:]}", parent_id=township
            )
    return made


def test_auxiliary_coverage_matches_a_hand_count(villages, tree, member_at):
    police = member_at("parent", Role.POLICE)
    station = Department.objects.create(
        center=tree["620102001"], center_code="620102001", name="东岗派出所", kind=Department.Kind.POLICE
    )
    own_cell = services.police_grid_create(
        actor=police, center=tree["620102001"], name="东岗第一警格", station=station, officer_name="李警官"
    )
    sibling_cell = services.police_grid_create(actor=police, center=tree["620102002"], name="雁南第一警格")
    # Own township: 6 villages (the fixture's 001 and 002–006); officers in 001, 002, 003 (two in 003).
    for code, name in (("620102001001", "甲"), ("620102001002", "乙"), ("620102001003", "丙"), ("620102001003", "丁")):
        services.auxiliary_add(actor=police, police_grid=own_cell, village=Center.objects.get(code=code), name=name)
    # Sibling township: 3 villages, one covered, and one officer who left.
    services.auxiliary_add(actor=police, police_grid=sibling_cell, village=villages["620102002002"], name="戊")
    gone = services.auxiliary_add(actor=police, police_grid=sibling_cell, village=villages["620102002003"], name="己")
    services.auxiliary_update(actor=police, officer=gone, is_active=False)

    county = selectors.coverage(tree["620102"])
    by_code = {row.code: row for row in county.rows}
    assert (by_code["620102001"].villages, by_code["620102001"].villages_with_auxiliary) == (6, 3)
    assert (by_code["620102002"].villages, by_code["620102002"].villages_with_auxiliary) == (3, 1)
    assert (county.total.villages, county.total.villages_with_auxiliary) == (9, 4)
    assert county.total.auxiliary_share == pytest.approx(4 / 9)
    city = selectors.coverage(tree["6201"])
    assert [(r.code, r.villages, r.villages_with_auxiliary) for r in city.rows] == [("620102", 9, 4)]
    township = selectors.coverage(tree["620102001"])
    assert [r.villages_with_auxiliary for r in township.rows] == [1, 1, 1, 0, 0, 0]


def test_police_grid_rules(tree, villages, member_at, make_grid):
    police = member_at("own", Role.POLICE)
    with pytest.raises(DomainError) as error:
        services.police_grid_create(actor=police, center=tree["620102001001"], name="x")
    assert error.value.field == "center"
    with pytest.raises(NotAllowed):
        services.police_grid_create(actor=police, center=tree["620102002"], name="x")
    justice = Department.objects.get(center_code="620102001")
    with pytest.raises(DomainError) as error:
        services.police_grid_create(actor=police, center=tree["620102001"], name="x", station=justice)
    assert error.value.field == "station"
    grid = make_grid()
    cell = services.police_grid_create(actor=police, center=tree["620102001"], name="第一警格", grids=[grid])
    grid.refresh_from_db()
    assert grid.police_grid == cell
    with pytest.raises(DomainError) as error:
        services.auxiliary_add(actor=police, police_grid=cell, village=villages["620102002002"], name="外村")
    assert error.value.field == "village"


# --- Visits ---------------------------------------------------------------------------------------


def _log(worker, grid, **fields):
    fields.setdefault("visited_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("place", "3号楼2单元501")
    return services.visit_log(actor=worker, grid=grid, **fields)


def test_a_worker_logs_a_visit_in_their_grid(walked_grid, worker):
    visit = _log(worker, walked_grid, person="王大爷", finding=Finding.NOTHING)
    assert (visit.center_code, visit.worker) == (walked_grid.center_code, worker)
    assert AuditEvent.objects.filter(action="visit.log", object_id=str(visit.pk)).exists()


def test_a_finding_becomes_a_grid_report_case_in_one_step(walked_grid, worker):
    visit = _log(
        worker,
        walked_grid,
        person="王大爷",
        finding=Finding.DISPUTE,
        notes="邻里因排水沟堵塞发生争执，双方情绪激动",
        report=services.FindingReport(),
    )
    case = Case.objects.get(visit=visit)
    assert (case.channel, case.kind, case.grid, case.center_code) == (
        Channel.GRID,
        Kind.DISPUTE,
        walked_grid,
        walked_grid.center_code,
    )
    assert case.title == "邻里因排水沟堵塞发生争执，双方情绪激动"
    assert case.place == "3号楼2单元501"
    assert case.parties.get().name == "王大爷"
    assert case.created_by == worker
    assert case.events.filter(verb="create").exists()
    assert AuditEvent.objects.filter(action="visit.report").exists()


def test_a_risk_without_a_person_names_the_worker_and_starts_high(walked_grid, worker):
    visit = _log(
        worker, walked_grid, finding=Finding.RISK, notes="某户男子酒后扬言报复", report=services.FindingReport()
    )
    case = visit.case
    assert (case.kind, case.severity) == (Kind.RISK, Severity.HIGH)
    assert case.parties.get().name == "赵磊"


def test_a_bad_report_saves_neither_visit_nor_case(walked_grid, worker):
    with pytest.raises(DomainError) as error:
        _log(worker, walked_grid, finding=Finding.DISPUTE, notes="争执", report=services.FindingReport(category="nope"))
    assert error.value.field == "category"
    bad_id = {"role": "applicant", "name": "王某", "id_number": "620102198001010000"}
    with pytest.raises(DomainError):
        _log(
            worker, walked_grid, finding=Finding.DISPUTE, notes="争执", report=services.FindingReport(parties=[bad_id])
        )
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_a_photo_is_sniffed_and_a_failed_visit_leaves_no_file(walked_grid, worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = _log(worker, walked_grid, photo=SimpleUploadedFile("p.png", PNG))
    assert visit.photo.name.endswith(".png")
    with pytest.raises(DomainError) as error:
        _log(worker, walked_grid, photo=SimpleUploadedFile("p.png", b"MZ\x90\x00 not an image"))
    assert error.value.field == "photo"
    with pytest.raises(DomainError):
        _log(
            worker,
            walked_grid,
            photo=SimpleUploadedFile("p.png", PNG),
            finding="dispute",
            notes="x",
            report=services.FindingReport(category="nope"),
        )
    assert len(list((tmp_path / "visits").rglob("*.png"))) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"visited_at": "future"}, "visited_at"),
        ({"visited_at": "before"}, "visited_at"),
        ({"place": ""}, "place"),
        ({"finding": Finding.DISPUTE, "notes": ""}, "notes"),
        ({"finding": "gossip"}, "finding"),
        ({"target": "moon"}, "target"),
        ({"finding": Finding.NOTHING, "report": services.FindingReport()}, "finding"),
    ],
)
def test_bad_visits_are_clear_errors_and_save_nothing(walked_grid, worker, fields, field):
    when = fields.get("visited_at")
    if when == "future":
        fields["visited_at"] = timezone.now() + timedelta(hours=2)
    elif when == "before":
        fields["visited_at"] = timezone.now() - timedelta(days=30)  # before the worker's assignment
    with pytest.raises(DomainError) as error:
        _log(worker, walked_grid, **fields)
    assert error.value.field == field
    assert not Visit.objects.exists()


def test_only_the_grids_current_worker_logs_visits(walked_grid, worker, township_director, member_at, make_grid):
    other_grid = make_grid(name="别的网格")
    with pytest.raises(NotAllowed):
        _log(worker, other_grid)
    with pytest.raises(NotAllowed):
        _log(township_director, walked_grid)
    services.grid_unassign(actor=township_director, assignment=walked_grid.assignments.get(), reason="调岗")
    with pytest.raises(NotAllowed):
        _log(worker, walked_grid)
    assert not Visit.objects.exists()


def test_an_earlier_finding_is_reported_once(walked_grid, worker, clerk, member_at):
    visit = _log(worker, walked_grid, finding=Finding.REQUEST, notes="独居老人反映取暖煤炭不足")
    with pytest.raises(NotAllowed):
        services.visit_report(actor=member_at("sibling", Role.CLERK), visit=visit, report=services.FindingReport())
    case = services.visit_report(actor=clerk, visit=visit, report=services.FindingReport(title="独居老人取暖困难"))
    assert (case.kind, case.title, case.visit_id) == (Kind.REQUEST, "独居老人取暖困难", visit.pk)
    with pytest.raises(ConflictError):
        services.visit_report(actor=worker, visit=visit, report=services.FindingReport())


# --- Assessment -----------------------------------------------------------------------------------


def _close_resolve(case, *, met_at, due_at):
    Deadline.objects.filter(case=case, stage=Stage.RESOLVE).update(met_at=met_at, due_at=due_at)
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED)


def test_assessment_figures_and_score(walked_grid, worker, township_director, tree, make_case, moment):
    now = moment
    month = timezone.localdate(moment)
    for hours in range(1, 6):  # five visits today, one with a finding
        _log(worker, walked_grid, visited_at=now - timedelta(minutes=hours))
    _log(worker, walked_grid, finding=Finding.DISPUTE, notes="争执", visited_at=now - timedelta(minutes=10))
    in_time, late, still_open = (make_case(center_code=walked_grid.center_code) for _n in range(3))
    Case.objects.filter(pk__in=[in_time.pk, late.pk, still_open.pk]).update(grid=walked_grid)
    _close_resolve(in_time, met_at=now - timedelta(minutes=20), due_at=now - timedelta(minutes=10))
    _close_resolve(late, met_at=now - timedelta(minutes=5), due_at=now - timedelta(minutes=10))
    # Open past its limit: late too, though nobody has resolved it.
    Deadline.objects.filter(case=still_open, stage=Stage.RESOLVE).update(due_at=now - timedelta(minutes=10))
    services.assessment_policy_set(
        actor=member_at_county(tree),
        center=tree["620102"],
        visits_target=12,
        findings_target=1,
        weight_visits=50,
        weight_findings=10,
        weight_on_time=40,
        weight_warnings=0,
    )
    [row] = selectors.assessment(tree["620102001"], month)
    assert (row.visits, row.findings, row.cases_due, row.cases_on_time) == (6, 1, 3, 1)
    assert row.grids == [walked_grid.code]
    # 50 × 6/12 + 10 × 1/1 + 40 × 1/3, the warnings measure weighs nothing: out of 100.
    assert row.score == pytest.approx(round(25 + 10 + 40 / 3, 1))
    assert {m.key: m.rate for m in row.measures}["warnings"] is None


def member_at_county(tree):
    return make_member(tree["620102"], Role.DIRECTOR).user


def test_assessment_uses_default_weights_and_drops_measures_with_nothing_to_count(walked_grid, worker, tree, moment):
    _log(worker, walked_grid, visited_at=moment - timedelta(hours=1))
    [row] = selectors.assessment(tree["620102"], timezone.localdate(moment))
    defaults = AssessmentPolicy(center_code="620102")
    visits_rate = 1 / defaults.visits_target
    expected = (defaults.weight_visits * visits_rate) / (defaults.weight_visits + defaults.weight_findings)
    assert row.score == pytest.approx(round(100 * expected, 1))


def test_assessment_counts_a_reassigned_grid_for_whoever_walked_it(
    walked_grid, worker, township_director, member_at, tree, moment
):
    _log(worker, walked_grid, visited_at=moment - timedelta(hours=1))
    successor = member_at("child", Role.GRID_WORKER)
    services.grid_assign(actor=township_director, grid=walked_grid, worker=successor, replace=True, started_at=moment)
    month = timezone.localdate(moment)
    rows = {r.username: r for r in selectors.assessment(tree["620102001"], month)}
    assert rows[worker.username].visits == 1 and rows[successor.username].visits == 0
    assert selectors.assessment(tree["620102002"], month) == []
    assert selectors.assessment(tree["620102001"], date(2020, 1, 1)) == []


def test_assessment_weights_are_checked(tree, member_at):
    director = member_at("parent", Role.DIRECTOR)
    with pytest.raises(DomainError):
        services.assessment_policy_set(actor=director, center=tree["620102001"], weight_visits=10)
    with pytest.raises(DomainError):
        services.assessment_policy_set(
            actor=director,
            center=tree["620102"],
            weight_visits=0,
            weight_findings=0,
            weight_on_time=0,
            weight_warnings=0,
        )
    with pytest.raises(DomainError):
        services.assessment_policy_set(actor=director, center=tree["620102"], visits_target=-3)
    with pytest.raises(NotAllowed):
        services.assessment_policy_set(actor=member_at("own", Role.DIRECTOR), center=tree["620102"], weight_visits=5)
    policy = services.assessment_policy_set(actor=director, center=tree["620102"], weight_visits=55)
    assert policy.weight_visits == 55 and AssessmentPolicy.objects.count() == 1


def test_assessment_ties_share_a_rank(walked_grid, worker, township_director, member_at, make_grid, tree, moment):
    second_grid = make_grid(name="第二网格")
    colleague = member_at("child", Role.GRID_WORKER)
    services.grid_assign(
        actor=township_director, grid=second_grid, worker=colleague, started_at=timezone.now() - timedelta(days=7)
    )
    _log(worker, walked_grid, visited_at=moment - timedelta(hours=1))
    _log(colleague, second_grid, visited_at=moment - timedelta(hours=1))
    rows = selectors.assessment(tree["620102001"], timezone.localdate(moment))
    assert [(r.visits, r.rank) for r in rows] == [(1, 1), (1, 1)]

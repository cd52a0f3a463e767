"""The table of every list and detail GET endpoint under /api/v1/: who reads it, how to make its rows
(or an object with more children), and the most queries it may take.

`test_api.py` checks that every GET route of the urlconf under /api/v1/ is in this table or in
`EXEMPT`, so an endpoint added without a query-count test fails the suite.

The ceilings are the counts in `MEASURED` (SQLite, PostgreSQL) plus a headroom of two: a list or a
detail that starts to take more queries fails, and the table is where to say why it may.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.hotspots.models import Hotspot, HotspotCase
from cases.models import Case, Category, Handoff, Notification, Party
from cases.risk.models import CaseRisk, RiskMeasure
from cases.risk.warnings import measure_add, raise_or_update
from govcenter import access
from govcenter.access import Action
from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership, Role
from grids import services as grid_services
from grids.models import Finding, GridKind
from mediation import services as mediation_services
from mediation.models import MediationOrg, Mediator
from onboarding.models import ImportRun
from reports.models import ExportJob
from tests.conftest import CHILD, OWN, PARENT, SIBLING, make_member
from tests.fixtures_cases import valid_id
from tests.query_counts.conftest import SIBLING_VILLAGE

HEADROOM = 2

CATEGORIES = ["d-neighbour--drainage", "d-contract--loan", "d-housing--lease", None, "d-labour--contract"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
THREAT = {"code": "t-threat", "name": "扬言同归于尽", "weight": 40, "why": "事实中有“同归于尽”"}


@dataclass(frozen=True)
class ListSpec:
    """A list: `add(world, n, reader)` makes n more rows the reader sees, spread over different
    related objects (centers, categories, people) so that a query per row shows."""

    name: str  # the URL name (govcenter/urls.py)
    reader: str  # who reads it: a World person
    add: Callable
    url: Callable | None = None  # url(world, reader) when the route needs an argument or a parameter
    rows: Callable | None = None  # rows(payload): how many rows the answer holds; default the list's
    few: int = 3
    more: int = 12

    @property
    def id(self) -> str:
        return f"{self.name}[{self.reader}]"

    @property
    def ceiling(self) -> int:
        return ceiling(MEASURED, self.id)


@dataclass(frozen=True)
class DetailSpec:
    """A detail: `make(world, k, reader)` makes an object with k children (parties, events, terms …)
    and returns its URL; `children(payload)` reads k back from the answer, proving they were there.
    Without children, two different objects are compared."""

    name: str
    reader: str | None  # None: the public, without a login
    make: Callable
    children: Callable | None = None
    # A printed document: WeasyPrint's layout is left out (it takes seconds and reads no rows), the
    # reads and the template that feed it are counted.
    pdf: bool = False

    @property
    def id(self) -> str:
        return f"{self.name}[{self.reader or 'public'}]"

    @property
    def ceiling(self) -> int:
        return ceiling(MEASURED, self.id)


def ceiling(measured: dict, spec_id: str) -> int:
    assert spec_id in measured, f"measure {spec_id} and add its counts to the table"
    return max(measured[spec_id]) + HEADROOM


# --- Builders -------------------------------------------------------------------------------------


def _category(index: int) -> Category | None:
    code = CATEGORIES[index % len(CATEGORIES)]
    return Category.objects.get(code=code) if code else None


def _case(w, where: str = OWN, **fields) -> Case:
    """A case at `where`, recorded by someone who may record it there."""
    i = w.next()
    actor = w.clerk if where.startswith(OWN) else w.director
    fields.setdefault("category", _category(i))
    return w.make_case(center_code=where, actor=actor, **fields)


_SPREAD = [OWN, SIBLING, CHILD]


def _case_with_parties(w, k: int, where: str = OWN, category="d-neighbour--drainage") -> Case:
    """A case with an applicant and k respondents, each with a checksummed identity number."""
    i = w.next()
    parties = [case_services.PartyInput(role=Party.Role.APPLICANT, name=f"申请人{i}", id_number=valid_id(i))]
    parties += [
        case_services.PartyInput(role=Party.Role.RESPONDENT, name=f"被申请人{i}-{j}", phone=f"1390000{j:04d}")
        for j in range(k)
    ]
    data = case_services.CaseInput(
        kind="dispute",
        channel="walk_in",
        title=f"纠纷{i}",
        facts="楼上漏水，多次协商未果。",
        category=Category.objects.get(code=category) if category else None,
        parties=parties,
    )
    actor = w.clerk if where.startswith(OWN) else w.director
    return case_services.case_create(actor=actor, center=w.center(where), data=data, force_new=True)


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _grant_case(w, reader: str, case: Case) -> None:
    if reader == "granted":
        access.grant(w.user("granted"), Action.CASE_VIEW, case)


# Centers, departments, members


def add_centers(w, n, reader):
    for _ in range(n):
        i = w.next()
        if w.turn("center") % 2:
            Center.objects.create(
                code=f"620102{100 + i:03d}", level=Level.TOWNSHIP, name=f"新街道{i}", parent_id=PARENT
            )
        else:
            Center.objects.create(code=f"{OWN}{100 + i:03d}", level=Level.VILLAGE, name=f"新社区{i}", parent_id=OWN)


def center_with_villages(w, k, reader):
    i = w.next()
    code = f"620102{100 + i:03d}"
    Center.objects.create(code=code, level=Level.TOWNSHIP, name=f"新街道{i}", parent_id=PARENT)
    for j in range(k):
        Center.objects.create(code=f"{code}{j + 1:03d}", level=Level.VILLAGE, name=f"新社区{j}", parent_id=code)
    return reverse("api-center-detail", args=[code])


_DEPARTMENT_PLACES = [PARENT, OWN, SIBLING, CHILD, SIBLING_VILLAGE]
_KINDS = list(Department.Kind.values)


def _department(w, where=None) -> Department:
    i, turn = w.next(), w.turn("department")
    code = where or _DEPARTMENT_PLACES[turn % len(_DEPARTMENT_PLACES)]
    return Department.objects.create(
        center=w.center(code), center_code=code, name=f"部门{i}", kind=_KINDS[turn % len(_KINDS)]
    )


def add_departments(w, n, reader):
    for _ in range(n):
        _department(w)


def a_department(w, k, reader):
    return reverse("api-department-detail", args=[_department(w).pk])


_MEMBER_ROLES = [Role.CLERK, Role.MEDIATOR, Role.DEPARTMENT, Role.GRID_WORKER, Role.AUDITOR]


def _membership(w) -> Membership:
    turn = w.turn("member")
    code = _DEPARTMENT_PLACES[turn % len(_DEPARTMENT_PLACES)]
    role = _MEMBER_ROLES[turn % len(_MEMBER_ROLES)]
    member = make_member(w.center(code), role)
    if role == Role.DEPARTMENT:
        member.department = _department(w, code)
        member.save(update_fields=["department"])
    return member


def add_members(w, n, reader):
    for _ in range(n):
        _membership(w)


def a_member(w, k, reader):
    return reverse("api-member-detail", args=[_membership(w).pk])


# Cases, categories, notifications


def add_cases(w, n, reader):
    for _ in range(n):
        where = _SPREAD[w.turn("case") % len(_SPREAD)] if reader != "granted" else OWN
        _grant_case(w, reader, _case(w, where))


def case_with_children(w, k, reader):
    """A case with k respondents, k corrections on its timeline, k dispatches and k evidence files."""
    case = _case_with_parties(w, k)
    case = case_services.case_classify(actor=w.clerk, case=case, category=_category(0))
    for j in range(k):
        case = case_services.case_update(
            actor=w.clerk, case=case, changes={"place": f"地点{j}"}, expected_version=_fresh(case).version
        )
        upload = SimpleUploadedFile(f"现场照片{j}.png", PNG, content_type="image/png")
        case_services.attachment_add(actor=w.clerk, case=_fresh(case), upload=upload)
    departments = [_department(w, OWN if j % 2 else PARENT) for j in range(k)]
    case_services.case_dispatch(actor=w.clerk, case=_fresh(case), departments=departments)
    _grant_case(w, reader, case)
    return reverse("api-case-detail", args=[case.pk])


def case_children(payload) -> int:
    k = len(payload["dispatches"])
    assert len(payload["parties"]) == k + 1 and len(payload["attachments"]) == k
    assert len(payload["timeline"]) >= 2 * k
    return k


def add_categories(w, n, reader):
    parents = list(Category.objects.filter(parent__isnull=True).order_by("code")[:4])
    for _ in range(n):
        i = w.next()
        parent = parents[w.turn("category") % len(parents)]
        Category.objects.create(code=f"q-{i}", name=f"类别{i}", group=parent.group, parent=parent, sort_order=i)


def a_category(w, k, reader):
    return reverse("api-category-detail", args=[_category(w.turn("category detail")).code])


def add_notifications(w, n, reader):
    user = w.user(reader)
    cases = w.once("notified_cases", lambda: [_case(w, where) for where in _SPREAD])
    for _ in range(n):
        i, turn = w.next(), w.turn("notification") % 4
        Notification.objects.create(
            recipient=user, case=cases[turn] if turn < 3 else None, kind="test", text=f"提醒{i}", dedupe_key=f"q{i}"
        )


# Hand-offs, hotspots, risk warnings


def _handoff(w, where: str) -> Handoff:
    i = w.next()
    data = case_services.HandoffInput(
        source="court",
        external_ref=f"(2026)甘0102民诉前调{i}号",
        center=w.center(where),
        case=case_services.CaseInput(
            kind="dispute",
            channel="court",
            title=f"民间借贷纠纷{i}",
            facts="借款五万元逾期未还。",
            category=_category(i),
            parties=[case_services.PartyInput(role=Party.Role.APPLICANT, name=f"王{i}", id_number=valid_id(i))],
        ),
        claim="判令被告归还借款",
    )
    return case_services.handoff_send(actor=w.user("court"), data=data)


def add_handoffs(w, n, reader):
    for _ in range(n):
        _handoff(w, [OWN, SIBLING, PARENT][w.turn("handoff") % 3])


def handoff_with_events(w, k, reader):
    """A hand-off received and accepted (when k > 1) whose case has k corrections on its timeline."""
    handoff = _handoff(w, OWN)
    if k > 1:
        handoff = case_services.handoff_receive(actor=w.clerk, handoff=handoff)
        handoff = case_services.handoff_accept(actor=w.clerk, handoff=handoff, note="受理")
    for j in range(k):
        case_services.case_update(
            actor=w.clerk,
            case=handoff.case,
            changes={"place": f"地点{j}"},
            expected_version=_fresh(handoff.case).version,
        )
    return reverse("api-handoff-detail", args=[handoff.pk])


def _hotspot(w, cases: list[Case]) -> Hotspot:
    i = w.next()
    merged = w.turn("hotspot") % 2
    now = timezone.now()
    hotspot = Hotspot.objects.create(
        county_code=PARENT,
        terms=["18路", f"公交车{i}"],
        key=f"18路|公交车{i}",
        window_start=now - timedelta(hours=3),
        window_end=now - timedelta(minutes=i),
        channels=["hotline", "walk_in"],
        reporter_count=len(cases),
        case_count=len(cases),
        detected_at=now,
        status="merged" if merged else "open",
        merged_into=cases[0] if merged else None,
        handled_by=w.director if merged else None,
    )
    HotspotCase.objects.bulk_create(HotspotCase(hotspot=hotspot, case=case) for case in cases)
    return hotspot


def add_hotspots(w, n, reader):
    pool = w.once("hotspot_cases", lambda: [_case(w, where) for where in [OWN, SIBLING, OWN, CHILD]])
    for _ in range(n):
        i = w.turn("hotspot cases")
        _hotspot(w, [pool[i % 4], pool[(i + 1) % 4]])


def hotspot_with_cases(w, k, reader):
    return reverse("api-hotspot-detail", args=[_hotspot(w, [_case(w) for _ in range(k)]).pk])


def _warning(w, where: str):
    return raise_or_update(_case(w, where), CaseRisk(level="orange", score=40, fired=[THREAT]))


def add_warnings(w, n, reader):
    for _ in range(n):
        _warning(w, [OWN, SIBLING][w.turn("warning") % 2])


def warning_with_measures(w, k, reader):
    warning = _warning(w, OWN)
    kinds = list(RiskMeasure.Kind.values)
    for j in range(k):
        measure_add(actor=w.director, warning=warning, kind=kinds[j % len(kinds)], note=f"措施{j}")
    return reverse("api-risk-warning-detail", args=[warning.pk])


# Mediation


def _org(w, where: str | None = None) -> MediationOrg:
    i = w.next()
    code = where or [OWN, PARENT, SIBLING][w.turn("org") % 3]
    return MediationOrg.objects.create(
        center=w.center(code), center_code=code, name=f"调解委员会{i}", kind="committee", short_name=f"调{i}"
    )


def add_orgs(w, n, reader):
    for _ in range(n):
        _org(w)


def an_org(w, k, reader):
    return reverse("api-mediation-org-detail", args=[_org(w).pk])


def _mediator(w, org: MediationOrg, specialties: int = 2, with_user: bool = True) -> Mediator:
    i = w.next()
    user = make_member(org.center, Role.MEDIATOR).user if with_user else None
    mediator = Mediator.objects.create(org=org, center_code=org.center_code, name=f"调解员{i}", user=user)
    codes = [c for c in CATEGORIES if c]
    mediator.specialties.set(
        Category.objects.filter(code__in=[codes[(i + j) % len(codes)] for j in range(specialties)])
    )
    return mediator


def add_mediators(w, n, reader):
    orgs = w.once("orgs", lambda: [_org(w, OWN), _org(w, PARENT), _org(w, SIBLING)])
    for _ in range(n):
        i = w.turn("mediator")
        _mediator(w, orgs[i % 3], with_user=bool(i % 2))


def mediator_with_specialties(w, k, reader):
    specialties = [c for c in Category.objects.filter(parent__isnull=False).order_by("code")[:k]]
    mediator = _mediator(w, _org(w, OWN), specialties=0)
    mediator.specialties.set(specialties)
    return reverse("api-mediator-detail", args=[mediator.pk])


def _own_mediator(w) -> Mediator:
    return Mediator.objects.get(user=w.user("mediator"))


def _in_mediation(w, mediators: list[Mediator] | None = None, parties: int = 1) -> Case:
    case = _case_with_parties(w, parties)
    mediation_services.assign(actor=w.clerk, case=case, mediators=mediators or [_own_mediator(w)])
    return _fresh(case)


def add_assignments(w, n, reader):
    for _ in range(n):
        _in_mediation(w)


def an_assignment(w, k, reader):
    case = _in_mediation(w)
    return reverse("api-assignment-detail", args=[case.mediator_assignments.get().pk])


def _session(w, mediators: list[Mediator] | None = None):
    case = _in_mediation(w, mediators)
    i = w.next()
    return mediation_services.session_log(
        actor=w.clerk,
        case=case,
        held_at=timezone.now() - timedelta(hours=1, minutes=i),
        place="调解室",
        mediators=mediators or [_own_mediator(w)],
        attendees="双方当事人",
        notes=f"第{i}次调解",
        outcome="continue",
    )


def add_sessions(w, n, reader):
    for _ in range(n):
        _session(w)


def _own_committee(w, k: int) -> list[Mediator]:
    """The own mediator and k - 1 more of the same committee."""
    own = _own_mediator(w)
    return [own] + [_mediator(w, own.org) for _ in range(k - 1)]


def session_with_mediators(w, k, reader):
    return reverse("api-session-detail", args=[_session(w, _own_committee(w, k)).pk])


def _agreement(w, terms: int, parties: int = 1):
    case = _in_mediation(w, parties=parties)
    org = _own_mediator(w).org
    data = mediation_services.AgreementInput(
        facts="事实",
        disputed_matters="争议",
        terms=[
            mediation_services.TermInput(text=f"赔偿{j}", due_date=date.today(), amount=Decimal(1000 * (j + 1)))
            for j in range(terms)
        ],
        mediators=[_own_mediator(w)],
    )
    return mediation_services.agreement_draft(actor=w.clerk, case=case, org=org, data=data)


def add_agreements(w, n, reader):
    for _ in range(n):
        _agreement(w, terms=2)


def agreement_with_terms(w, k, reader):
    return reverse("api-agreement-detail", args=[_agreement(w, terms=k, parties=k).pk])


def agreement_pdf(w, k, reader):
    return reverse("api-agreement-pdf", args=[_agreement(w, terms=k, parties=k).pk])


def signed_agreement_application(w, k, reader):
    agreement = _agreement(w, terms=k, parties=k)
    scan = SimpleUploadedFile("签字.png", PNG, content_type="image/png")
    mediation_services.agreement_sign(actor=w.clerk, agreement=agreement, signed_on=date.today(), scan=scan)
    return reverse("api-agreement-confirmation-application", args=[agreement.pk])


def session_pdf(w, k, reader):
    return reverse("api-session-pdf", args=[_session(w, _own_committee(w, k)).pk])


def suggest_url(w, reader):
    case = w.once("suggest_case", lambda: _case(w, OWN, category=_category(0)))
    return reverse("api-mediator-suggest") + f"?case={case.pk}"


# Grids


def _worker(w, village: str):
    return w.member_at(village, Role.GRID_WORKER)


def _grid(w, village: str | None = None, workers: int = 1):
    i = w.next()
    village = village or [CHILD, SIBLING_VILLAGE][w.turn("grid") % 2]
    grid = grid_services.grid_create(
        actor=w.director, center=w.center(village), name=f"网格{i}", kind=GridKind.URBAN, households=400, residents=900
    )
    for _ in range(workers):
        grid_services.grid_assign(
            actor=w.director, grid=grid, worker=_worker(w, village), started_at=timezone.now() - timedelta(days=7)
        )
    return grid


def add_grids(w, n, reader):
    for _ in range(n):
        _grid(w)


def grid_with_workers(w, k, reader):
    return reverse("api-grid-detail", args=[_grid(w, CHILD, workers=k).code])


def _grid_pool(w):
    return w.once("grids", lambda: [_grid(w, CHILD, workers=0), _grid(w, SIBLING_VILLAGE, workers=0)])


def add_grid_assignments(w, n, reader):
    """Workers put on two grids in turn, every other one replacing the grid's worker (whose
    assignment then ends, by the director)."""
    pool = _grid_pool(w)
    for _ in range(n):
        turn = w.turn("grid assignment")
        grid = pool[turn % 2]
        worker = _worker(w, grid.center_code)
        grid_services.grid_assign(actor=w.director, grid=grid, worker=worker, replace=turn % 4 >= 2)


def a_grid_assignment(w, k, reader):
    grid = _grid(w, CHILD)
    return reverse("api-grid-assignment-detail", args=[grid.assignments.get().pk])


def grid_history_url(w, reader):
    return reverse("api-grid-assignments", args=[_grid_pool(w)[0].code])


def add_history(w, n, reader):
    grid = _grid_pool(w)[0]
    for _ in range(n):
        grid_services.grid_assign(actor=w.director, grid=grid, worker=_worker(w, CHILD))


def _station(w) -> Department:
    return w.once(
        "station",
        lambda: Department.objects.create(
            center=w.center(OWN), center_code=OWN, name="东岗派出所", kind=Department.Kind.POLICE
        ),
    )


def _police_grid(w, grids=()):
    i = w.next()
    return grid_services.police_grid_create(
        actor=w.user("police"),
        center=w.center(OWN),
        name=f"警格{i}",
        station=_station(w) if w.turn("police grid") % 2 else None,
        officer_name=f"李警官{i}",
        grids=grids,
    )


def add_police_grids(w, n, reader):
    for _ in range(n):
        _police_grid(w, grids=[_grid(w, CHILD, workers=0)])


def police_grid_with_grids(w, k, reader):
    return reverse("api-police-grid-detail", args=[_police_grid(w, [_grid(w, CHILD, workers=0) for _ in range(k)]).pk])


def _auxiliary(w):
    police_grids = w.once("police_grids", lambda: [_police_grid(w), _police_grid(w)])
    i = w.next()
    return grid_services.auxiliary_add(
        actor=w.user("police"),
        police_grid=police_grids[w.turn("auxiliary") % 2],
        village=w.center(CHILD),
        name=f"辅警{i}",
    )


def add_auxiliaries(w, n, reader):
    for _ in range(n):
        _auxiliary(w)


def an_auxiliary(w, k, reader):
    return reverse("api-auxiliary-officer-detail", args=[_auxiliary(w).pk])


def _walked(w):
    """Two grids, each with its worker since a week ago."""

    def build():
        grids = [_grid(w, CHILD), _grid(w, SIBLING_VILLAGE)]
        return [(grid, grid.assignments.get().worker) for grid in grids]

    return w.once("walked", build)


def _visit(w, pair=None):
    """A visit in one of the walked grids, in turn; every third finds a dispute reported as a case."""
    i, turn = w.next(), w.turn("visit")
    grid, worker = pair or _walked(w)[turn % 2]
    found = turn % 3 == 2
    return grid_services.visit_log(
        actor=worker,
        grid=grid,
        visited_at=timezone.now() - timedelta(minutes=i),
        place=f"{i}号楼",
        person=f"住户{i}",
        finding=Finding.DISPUTE if found else Finding.NOTHING,
        notes=f"邻里纠纷{i}" if found else "",
        report=grid_services.FindingReport(title=f"邻里纠纷{i}", force_new=True) if found else None,
    )


def add_visits(w, n, reader):
    for _ in range(n):
        _visit(w)


def a_visit(w, k, reader):
    return reverse("api-visit-detail", args=[_visit(w).pk])


def add_assessed_workers(w, n, reader):
    """n more grid workers in the county, each on a grid of their own with a visit this month."""
    for _ in range(n):
        grid = _grid(w, [CHILD, SIBLING_VILLAGE][w.turn("assessed") % 2])
        _visit(w, (grid, grid.assignments.get().worker))


def assessment_url(w, reader):
    return reverse("api-grid-assessment") + f"?center={PARENT}&month={timezone.localdate():%Y-%m}"


# Exports


def _export(w, reader):
    i, turn = w.next(), w.turn("export")
    done = turn % 2 == 0
    return ExportJob.objects.create(
        owner=w.user(reader),
        kind=["dashboard_pdf", "ranking_xlsx", "case_dossiers"][turn % 3],
        params={"center": PARENT},
        center_code=PARENT,
        status=ExportJob.Status.DONE if done else ExportJob.Status.QUEUED,
        progress=100 if done else 0,
        filename=f"导出{i}.pdf" if done else "",
        file=f"exports/{i}.pdf" if done else "",
        finished_at=timezone.now() if done else None,
        expires_at=timezone.now() + timedelta(days=1) if done else None,
    )


def add_exports(w, n, reader):
    for _ in range(n):
        _export(w, reader)


def an_export(w, k, reader):
    return reverse("api-export-detail", args=[_export(w, reader).pk])


# Imports


def _import_run(w, reader):
    i, turn = w.next(), w.turn("import")
    return ImportRun.objects.create(
        kind=["divisions", "staff", "grid_workers"][turn % 3],
        actor=w.user(reader),
        center_code=[PARENT, OWN, SIBLING][turn % 3],
        status=ImportRun.Status.APPLIED,
        file=f"imports/{i}.csv",
        filename=f"名册{i}.csv",
        rows=i,
        counts={"created": i, "updated": 0, "unchanged": 0, "retired": 0},
    )


def add_imports(w, n, reader):
    for _ in range(n):
        _import_run(w, reader)


def an_import(w, k, reader):
    return reverse("api-import-detail", args=[_import_run(w, reader).pk])


# Reports


def add_units_with_cases(w, n, reader):
    """n more townships in the county, each with a case received last month."""
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=10)
    received = timezone.make_aware(timezone.datetime(last_month.year, last_month.month, 10, 10))
    for _ in range(n):
        i = w.next()
        code = f"620102{100 + i:03d}"
        w.tree[code] = Center.objects.create(code=code, level=Level.TOWNSHIP, name=f"新街道{i}", parent_id=PARENT)
        w.make_case(center_code=code, actor=w.director, category=_category(i), received_at=received)


def rankings_url(w, reader):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return reverse("api-report-rankings") + f"?center={PARENT}&month={last_month:%Y-%m}"


def public_status(w, k, reader):
    return reverse("public-report-status", args=[_case_with_parties(w, k).receipt])


# --- The table ------------------------------------------------------------------------------------


def _center_param(name: str, code: str = PARENT) -> Callable:
    return lambda w, reader: reverse(name) + f"?center={code}"


def _same(url: Callable) -> Callable:
    """A detail without an object of its own (the ranking scheme of the county): the same URL twice."""
    return lambda w, k, reader: url(w, reader)


LISTS: list[ListSpec] = [
    ListSpec("api-center-list", "director", add_centers),
    ListSpec("api-department-list", "director", add_departments),
    ListSpec("api-member-list", "director", add_members),
    ListSpec("api-case-list", "director", add_cases),
    ListSpec("api-case-list", "granted", add_cases),
    ListSpec("api-category-list", "clerk", add_categories),
    ListSpec("api-notification-list", "clerk", add_notifications),
    ListSpec("api-handoff-list", "director", add_handoffs),
    ListSpec("api-handoff-list", "court", add_handoffs),
    ListSpec(
        "api-handoff-figures",
        "director",
        add_handoffs,
        url=lambda w, reader: reverse("api-handoff-figures"),
        rows=lambda payload: payload["court"]["sent"],
    ),
    ListSpec("api-hotspot-list", "director", add_hotspots),
    ListSpec("api-risk-warning-list", "director", add_warnings),
    ListSpec("api-mediation-org-list", "director", add_orgs),
    ListSpec("api-mediator-list", "director", add_mediators),
    ListSpec(
        "api-mediator-suggest",
        "clerk",
        add_mediators,
        url=suggest_url,
        few=3,
        more=6,  # a suggestion names ten at most
    ),
    ListSpec("api-assignment-list", "director", add_assignments),
    ListSpec("api-assignment-list", "mediator", add_assignments),
    ListSpec("api-session-list", "director", add_sessions),
    ListSpec("api-session-list", "mediator", add_sessions),
    ListSpec("api-agreement-list", "director", add_agreements),
    ListSpec("api-agreement-list", "mediator", add_agreements),
    ListSpec("api-grid-list", "director", add_grids),
    ListSpec("api-grid-assignments", "director", add_history, url=grid_history_url, rows=len),
    ListSpec(
        "api-grid-coverage",
        "director",
        add_grids,
        url=_center_param("api-grid-coverage"),
        rows=lambda payload: payload["total"]["grids"],
    ),
    ListSpec(
        "api-grid-assessment",
        "director",
        add_assessed_workers,
        url=assessment_url,
        rows=lambda payload: len(payload["results"]),
    ),
    ListSpec("api-grid-assignment-list", "director", add_grid_assignments),
    ListSpec("api-police-grid-list", "director", add_police_grids),
    ListSpec("api-auxiliary-officer-list", "director", add_auxiliaries),
    ListSpec("api-visit-list", "director", add_visits),
    ListSpec("api-export-list", "director", add_exports),
    ListSpec("api-import-list", "director", add_imports),
    ListSpec(
        "api-report-dashboard",
        "director",
        lambda w, n, reader: [_case(w, _SPREAD[i % 3]) for i in range(n)],
        url=_center_param("api-report-dashboard"),
        rows=lambda payload: payload["total"]["value"],
    ),
    ListSpec(
        "api-report-rankings",
        "director",
        add_units_with_cases,
        url=rankings_url,
        rows=lambda payload: len(payload["results"]),
    ),
]

DETAILS: list[DetailSpec] = [
    DetailSpec("api-center-detail", "director", center_with_villages),
    DetailSpec("api-department-detail", "director", a_department),
    DetailSpec("api-member-detail", "director", a_member),
    DetailSpec("api-case-detail", "director", case_with_children, children=case_children),
    DetailSpec("api-case-detail", "granted", case_with_children, children=case_children),
    DetailSpec("api-category-detail", "clerk", a_category),
    DetailSpec("api-handoff-detail", "director", handoff_with_events),
    DetailSpec("api-handoff-detail", "court", handoff_with_events),
    DetailSpec(
        "api-hotspot-detail",
        "director",
        hotspot_with_cases,
        children=lambda payload: len(payload["cases"]),
    ),
    DetailSpec(
        "api-risk-warning-detail",
        "director",
        warning_with_measures,
        children=lambda payload: len(payload["measures"]),
    ),
    DetailSpec("api-mediation-org-detail", "director", an_org),
    DetailSpec(
        "api-mediator-detail",
        "director",
        mediator_with_specialties,
        children=lambda payload: len(payload["specialties"]),
    ),
    DetailSpec("api-assignment-detail", "director", an_assignment),
    DetailSpec(
        "api-session-detail",
        "director",
        session_with_mediators,
        children=lambda payload: len(payload["mediators"]),
    ),
    DetailSpec("api-session-pdf", "director", session_pdf, pdf=True),
    DetailSpec(
        "api-agreement-detail",
        "director",
        agreement_with_terms,
        children=lambda payload: len(payload["terms"]),
    ),
    DetailSpec(
        "api-agreement-detail",
        "mediator",
        agreement_with_terms,
        children=lambda payload: len(payload["terms"]),
    ),
    DetailSpec("api-agreement-pdf", "director", agreement_pdf, pdf=True),
    DetailSpec(
        "api-agreement-confirmation-application",
        "director",
        signed_agreement_application,
        pdf=True,
    ),
    DetailSpec(
        "api-grid-detail",
        "director",
        grid_with_workers,
        children=lambda payload: len(payload["workers"]),
    ),
    DetailSpec("api-grid-assignment-detail", "director", a_grid_assignment),
    DetailSpec(
        "api-police-grid-detail",
        "director",
        police_grid_with_grids,
        children=lambda payload: len(payload["grids"]),
    ),
    DetailSpec("api-auxiliary-officer-detail", "director", an_auxiliary),
    DetailSpec("api-visit-detail", "director", a_visit),
    DetailSpec("api-export-detail", "director", an_export),
    DetailSpec("api-import-detail", "director", an_import),
    DetailSpec(
        "api-report-ranking-scheme",
        "director",
        _same(_center_param("api-report-ranking-scheme")),
    ),
    DetailSpec("public-report-status", None, public_status),
]

# GET routes under /api/v1/ with no rows to count, each with the reason.
EXEMPT: dict[str, str] = {
    # DRF's browsable root: a fixed map of links, no database.
    "api-root": "a fixed map of links",
    # Streams one stored evidence file of one case: the case and the file, nothing that grows.
    "api-case-attachment": "streams one stored file",
    # Builds the empty spreadsheet template of a court's import file: no database.
    "api-handoff-import-template": "a fixed spreadsheet template",
    # Streams the file of one finished export job.
    "api-export-file": "streams one stored file",
    # Builds the error report of one import from its kept file and its stored errors.
    "api-import-errors": "one import's kept file and errors",
    # Builds the empty spreadsheet template of an import kind: no rows read.
    "api-import-template": "a fixed spreadsheet template",
}

# Queries of one request as measured on (SQLite, PostgreSQL) when the tests were written: with the few
# rows and with many more they are the same. Where a request writes the audit log (a full view of a
# case's parties, a printed document), PostgreSQL takes the log's advisory lock: one query more each.
MEASURED: dict[str, tuple[int, int]] = {
    "api-agreement-confirmation-application[director]": (16, 18),
    "api-agreement-detail[director]": (6, 6),
    "api-agreement-detail[mediator]": (8, 8),
    "api-agreement-list[director]": (7, 7),
    "api-agreement-list[mediator]": (9, 9),
    "api-agreement-pdf[director]": (16, 18),
    "api-assignment-detail[director]": (3, 3),
    "api-assignment-list[director]": (4, 4),
    "api-assignment-list[mediator]": (4, 4),
    "api-auxiliary-officer-detail[director]": (2, 2),
    "api-auxiliary-officer-list[director]": (3, 3),
    "api-case-detail[director]": (11, 12),
    "api-case-detail[granted]": (10, 10),
    "api-case-list[director]": (4, 4),
    "api-case-list[granted]": (9, 9),
    "api-category-detail[clerk]": (1, 1),
    "api-category-list[clerk]": (1, 1),
    "api-center-detail[director]": (3, 3),
    "api-center-list[director]": (4, 4),
    "api-department-detail[director]": (2, 2),
    "api-department-list[director]": (3, 3),
    "api-export-detail[director]": (1, 1),
    "api-export-list[director]": (2, 2),
    "api-import-detail[director]": (2, 2),
    "api-import-list[director]": (3, 3),
    "api-grid-assessment[director]": (7, 7),
    "api-grid-assignment-detail[director]": (2, 2),
    "api-grid-assignment-list[director]": (3, 3),
    "api-grid-assignments[director]": (4, 4),
    "api-grid-coverage[director]": (5, 5),
    "api-grid-detail[director]": (3, 3),
    "api-grid-list[director]": (4, 4),
    "api-handoff-detail[court]": (5, 5),
    "api-handoff-detail[director]": (5, 5),
    "api-handoff-figures[director]": (9, 9),
    "api-handoff-list[court]": (4, 4),
    "api-handoff-list[director]": (4, 4),
    "api-hotspot-detail[director]": (3, 3),
    "api-hotspot-list[director]": (4, 4),
    "api-mediation-org-detail[director]": (2, 2),
    "api-mediation-org-list[director]": (3, 3),
    "api-mediator-detail[director]": (3, 3),
    "api-mediator-list[director]": (4, 4),
    "api-mediator-suggest[clerk]": (5, 5),
    "api-member-detail[director]": (2, 2),
    "api-member-list[director]": (3, 3),
    "api-notification-list[clerk]": (2, 2),
    "api-police-grid-detail[director]": (3, 3),
    "api-police-grid-list[director]": (3, 3),
    "api-report-dashboard[director]": (16, 16),
    "api-report-ranking-scheme[director]": (3, 3),
    "api-report-rankings[director]": (17, 17),
    "api-risk-warning-detail[director]": (4, 4),
    "api-risk-warning-list[director]": (3, 3),
    "api-session-detail[director]": (4, 4),
    "api-session-list[director]": (5, 5),
    "api-session-list[mediator]": (5, 5),
    "api-session-pdf[director]": (13, 15),
    "api-visit-detail[director]": (2, 2),
    "api-visit-list[director]": (3, 3),
    "public-report-status[public]": (1, 1),
}

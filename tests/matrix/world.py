"""The world the permission matrix reads: one actor per role seated at the own township, a
superuser and the anonymous public, and at every relation to that seat one object of each kind.

Everything is built once per test by a superuser through the services (so the rows are what the
portal itself makes), and every request of the matrix runs in a transaction rolled back afterwards,
so a write in one cell never changes what the next cell sees.

Where an object lives depends on its kind: cases, hand-offs and mediation at every relation;
grids, visits and auxiliary officers under villages (the child village, a village of the sibling
township, one of the unrelated township); police grids at townships; hotspots at counties.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services as case_services
from cases.hotspots.models import Hotspot, HotspotCase
from cases.models import Category, Notification, Party
from cases.risk.models import CaseRisk
from cases.risk.warnings import raise_or_update
from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership, Role
from grids import services as grid_services
from grids.models import GridKind
from mediation import services as mediation_services
from mediation.models import MediationOrg, Mediator
from reports.models import ExportJob
from tests.conftest import CHILD, OWN, PARENT, SIBLING, UNRELATED
from tests.factories import UserFactory
from tests.fixtures_cases import valid_id

SIBLING_VILLAGE = "620102002001"
UNRELATED_COUNTY = "620201"
UNRELATED_VILLAGE = "620201001001"

ANONYMOUS = "anonymous"
SUPERUSER = "superuser"
ACTORS = [*Role.values, SUPERUSER, ANONYMOUS]

# Where each kind of object lives, per relation to the own township.
CASE_PLACES = {"own": OWN, "parent": PARENT, "child": CHILD, "sibling": SIBLING, "unrelated": UNRELATED}
VILLAGE_PLACES = {"child": CHILD, "sibling": SIBLING_VILLAGE, "unrelated": UNRELATED_VILLAGE}
TOWNSHIP_PLACES = {"own": OWN, "sibling": SIBLING, "unrelated": UNRELATED}
COUNTY_PLACES = {"parent": PARENT, "unrelated": UNRELATED_COUNTY}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
THREAT = {"code": "t-threat", "name": "扬言同归于尽", "weight": 40, "why": "事实中有“同归于尽”"}

# Personal data of every party the world records: the public receipt pages must show none of it.
PARTY_NAME = "测试当事人{n}"
PARTY_PHONE = "1390931{n:04d}"
PARTY_ADDRESS = "城关区测试路{n}号"


@dataclass
class World:
    centers: dict
    root: object
    actors: dict = field(default_factory=dict)  # role → user seated at the own township
    at: dict = field(default_factory=dict)  # relation → SimpleNamespace of objects there
    personal: list = field(default_factory=list)  # (name, id number, phone, address) of every party
    serial: int = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def user(self, actor: str):
        if actor == ANONYMOUS:
            return None
        if actor == SUPERUSER:
            return self.root
        return self.actors[actor]

    def obj(self, relation: str, kind: str):
        return getattr(self.at.get(relation, SimpleNamespace()), kind, None)


def _center(code, level, name, parent):
    return Center.objects.create(code=code, level=level, name=name, parent_id=parent)


def _extra_centers(tree) -> dict:
    centers = dict(tree)
    centers[SIBLING_VILLAGE] = _center(SIBLING_VILLAGE, Level.VILLAGE, "雁南社区", SIBLING)
    centers[UNRELATED_VILLAGE] = _center(UNRELATED_VILLAGE, Level.VILLAGE, "新城村", UNRELATED)
    return centers


def _seat_actors(w: World) -> None:
    """One user per role at the own township. The department officer's department is one nothing is
    dispatched to, so only memberships give rights in the matrix (grants and relations are tested
    beside their features)."""
    own = w.centers[OWN]
    desk = Department.objects.create(center=own, center_code=OWN, name="东岗住建办", kind=Department.Kind.HOUSING)
    for role in Role.values:
        user = UserFactory(username=f"matrix_{role}")
        Membership.objects.create(
            user=user,
            center=own,
            center_code=OWN,
            role=role,
            department=desk if role == Role.DEPARTMENT else None,
        )
        w.actors[role] = user


def _case(w: World, code: str, **fields):
    n = w.next()
    name, id_number, phone, address = PARTY_NAME.format(n=n), valid_id(n), PARTY_PHONE.format(n=n), ""
    address = PARTY_ADDRESS.format(n=n)
    w.personal.append((name, id_number, phone, address))
    data = case_services.CaseInput(
        kind="dispute",
        channel=fields.pop("channel", "walk_in"),
        title=f"矩阵纠纷{n}",
        facts="楼上漏水，多次协商未果。",
        category=Category.objects.get(code="d-neighbour--drainage"),
        parties=[
            case_services.PartyInput(
                role=Party.Role.APPLICANT, name=name, id_number=id_number, phone=phone, address=address
            ),
            case_services.PartyInput(role=Party.Role.RESPONDENT, name=f"被申请人{n}"),
        ],
    )
    return case_services.case_create(actor=w.root, center=w.centers[code], data=data, force_new=True)


def _attachment(w: World, case):
    upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    return case_services.attachment_add(actor=w.root, case=case, upload=upload)


def _handoff(w: World, code: str):
    n = w.next()
    data = case_services.HandoffInput(
        source="court",
        external_ref=f"(2026)甘0102民诉前调{900 + n}号",
        center=w.centers[code],
        case=case_services.CaseInput(
            kind="dispute",
            channel="court",
            title=f"民间借贷纠纷{n}",
            facts="借款五万元逾期未还。",
            category=Category.objects.get(code="d-contract--loan"),
            parties=[case_services.PartyInput(role=Party.Role.APPLICANT, name=f"王{n}", id_number=valid_id(n))],
        ),
        claim="判令被告归还借款",
    )
    return case_services.handoff_send(actor=w.root, data=data)


def _mediation(w: World, code: str) -> SimpleNamespace:
    """A case in mediation at `code`, with its mediator, a session and a signed agreement."""
    center = w.centers[code]
    org = MediationOrg.objects.create(
        center=center, center_code=code, name=f"{center.name}调委会", kind="committee", short_name=code
    )
    person = UserFactory()
    Membership.objects.create(user=person, center=center, center_code=code, role=Role.MEDIATOR)
    mediator = Mediator.objects.create(org=org, center_code=code, name=f"调解员{code}", user=person)
    case = _case(w, code)
    mediation_services.assign(actor=w.root, case=case, mediators=[mediator])
    session = mediation_services.session_log(
        actor=w.root,
        case=case,
        held_at=timezone.now() - timedelta(hours=1),
        place="调解室",
        mediators=[mediator],
        attendees="双方当事人",
        notes="第一次调解",
        outcome="continue",
    )
    agreement = mediation_services.agreement_draft(
        actor=w.root,
        case=case,
        org=org,
        data=mediation_services.AgreementInput(
            facts="事实",
            disputed_matters="争议",
            terms=[mediation_services.TermInput(text="赔偿", due_date=date.today(), amount=Decimal(1000))],
            mediators=[mediator],
        ),
    )
    scan = SimpleUploadedFile("签字.png", PNG, content_type="image/png")
    agreement = mediation_services.agreement_sign(actor=w.root, agreement=agreement, signed_on=date.today(), scan=scan)
    return SimpleNamespace(
        org=org,
        mediator=mediator,
        mediated_case=case,
        assignment=case.mediator_assignments.get(),
        session=session,
        agreement=agreement,
    )


def _warning(w: World, code: str):
    case = _case(w, code)
    warning = raise_or_update(case, CaseRisk(level="orange", score=40, fired=[THREAT]))
    return SimpleNamespace(warning=warning, task=warning.tasks.order_by("pk").first())


def _export(w: World, owner, code: str):
    """A finished export of `owner`'s, with its file."""
    n = w.next()
    job = ExportJob.objects.create(
        owner=owner,
        kind="dashboard_pdf",
        params={"center": code},
        center_code=code,
        status=ExportJob.Status.DONE,
        progress=100,
        filename=f"导出{n}.pdf",
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=1),
    )
    job.file.save(f"matrix-{n}.pdf", ContentFile(b"%PDF-1.7 matrix"), save=True)
    return job


def _at_case_place(w: World, relation: str, code: str) -> SimpleNamespace:
    center = w.centers[code]
    case = _case(w, code)
    member = Membership.objects.create(user=UserFactory(), center=center, center_code=code, role=Role.CLERK)
    owner = Membership.objects.create(user=UserFactory(), center=center, center_code=code, role=Role.DIRECTOR).user
    objects = SimpleNamespace(
        code=code,
        center=center,
        department=Department.objects.filter(center_code=code).first(),
        member=member,
        case=case,
        attachment=_attachment(w, case),
        handoff=_handoff(w, code) if center.level in (Level.COUNTY, Level.TOWNSHIP) else None,
        export=_export(w, owner, code),
        notification=Notification.objects.create(
            recipient=member.user, case=case, kind="test", text="提醒", dedupe_key=f"matrix-{code}"
        ),
        **vars(_mediation(w, code)),
        **vars(_warning(w, code)),
    )
    objects.receipt = case.receipt
    objects.import_run = _import_run(owner, code)
    return objects


def _import_run(owner, code: str):
    """A refused dry run of a staff roster at `code`, with a row error (so it has an error report)."""
    from onboarding.models import ImportRun

    run = ImportRun(
        kind="staff",
        actor=owner,
        center_code=code,
        root=code,
        status=ImportRun.Status.REFUSED,
        filename="花名册.csv",
        rows=1,
        errors=[{"row": 2, "column": "身份证号", "value": "1", "message": "身份证号有误"}],
    )
    run.file.save(f"matrix-{code}.csv", ContentFile("姓名,身份证号\n张三,1\n".encode()), save=False)
    run.save()
    return run


def _at_village(w: World, objects: SimpleNamespace, code: str) -> None:
    center = w.centers[code]
    grid = grid_services.grid_create(
        actor=w.root, center=center, name=f"网格{code}", kind=GridKind.URBAN, households=400, residents=900
    )
    worker = Membership.objects.create(user=UserFactory(), center=center, center_code=code, role=Role.GRID_WORKER)
    grid_services.grid_assign(
        actor=w.root, grid=grid, worker=worker.user, started_at=timezone.now() - timedelta(days=7)
    )
    objects.grid = grid
    objects.grid_assignment = grid.assignments.get()
    objects.visit = grid_services.visit_log(
        actor=worker.user,
        grid=grid,
        visited_at=timezone.now() - timedelta(hours=2),
        place="1号楼",
        person="住户",
        photo=SimpleUploadedFile("走访.png", PNG, content_type="image/png"),
    )


def _at_township(w: World, objects: SimpleNamespace, code: str) -> None:
    center = w.centers[code]
    objects.police_grid = grid_services.police_grid_create(
        actor=w.root, center=center, name=f"警格{code}", officer_name="李警官"
    )
    village = {OWN: CHILD, SIBLING: SIBLING_VILLAGE, UNRELATED: UNRELATED_VILLAGE}[code]
    objects.auxiliary = grid_services.auxiliary_add(
        actor=w.root, police_grid=objects.police_grid, village=w.centers[village], name=f"辅警{code}"
    )


def _at_county(w: World, objects: SimpleNamespace, code: str) -> None:
    townships = {PARENT: [OWN, SIBLING], UNRELATED_COUNTY: [UNRELATED, UNRELATED]}[code]
    cases = [_case(w, township, channel="hotline") for township in townships]
    now = timezone.now()
    hotspot = Hotspot.objects.create(
        county_code=code,
        terms=["18路", f"公交车{code}"],
        key=f"18路|公交车{code}",
        window_start=now - timedelta(hours=3),
        window_end=now - timedelta(minutes=5),
        channels=["hotline"],
        reporter_count=len(cases),
        case_count=len(cases),
        detected_at=now,
        status="open",
    )
    HotspotCase.objects.bulk_create(HotspotCase(hotspot=hotspot, case=case) for case in cases)
    objects.hotspot = hotspot


def build_world(tree) -> World:
    w = World(centers=_extra_centers(tree), root=UserFactory(is_superuser=True, is_staff=True, username="matrix_root"))
    _seat_actors(w)
    for relation, code in CASE_PLACES.items():
        w.at[relation] = _at_case_place(w, relation, code)
    for relation, code in VILLAGE_PLACES.items():
        _at_village(w, w.at[relation], code)
    for relation, code in TOWNSHIP_PLACES.items():
        _at_township(w, w.at[relation], code)
    for relation, code in COUNTY_PLACES.items():
        _at_county(w, w.at[relation], code)
    return w

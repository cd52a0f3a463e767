"""One full scenario through the services, shared by the audit test and the restore test: a walk-in
case from intake to closing, a court hand-off mediated to a signed agreement and confirmed, another
handed back to the court and filed, a dossier exported and fetched, the month's ranking published and a
stage swept as overdue. Returns the people and objects the assertions need."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Category, Deadline, Handoff, Stage
from govcenter.models import Center, Department, Membership, Role
from mediation import services as mediation
from mediation.models import Agreement, MediationOrg, Mediator
from reports import exports
from reports import services as report_services
from reports.models import ExportJob, RankingPublication
from tests.conftest import OWN, PARENT, make_member
from tests.fixtures_cases import valid_id

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LAST_MONTH = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass
class Scenario:
    walk_in: Case
    mediated: Case
    handed_back: Case
    handoffs: list[Handoff]
    agreement: Agreement
    export: ExportJob
    publication: RankingPublication


def _category() -> Category:
    # Transactional tests empty the tables, the seeded taxonomy too: bring our own when it is gone.
    found, _ = Category.objects.get_or_create(
        code="d-neighbour--drainage", defaults={"name": "排水纠纷", "group": Category.Group.DISPUTE}
    )
    return found


def _people(tree):
    officer = make_member(tree[PARENT], Role.DEPARTMENT)
    department = Department.objects.get(center_code=PARENT)
    Membership.objects.filter(pk=officer.pk).update(department=department)
    org = MediationOrg.objects.create(
        center=tree[OWN],
        center_code=OWN,
        name="东岗街道人民调解委员会",
        kind=MediationOrg.Kind.COMMITTEE,
        short_name="东岗",
    )
    mediator_user = make_member(tree[OWN], Role.MEDIATOR).user
    mediator = Mediator.objects.create(org=org, center_code=OWN, name="杨秀英", user=mediator_user)
    return {
        "clerk": make_member(tree[OWN], Role.CLERK).user,
        "director": make_member(tree[PARENT], Role.DIRECTOR).user,
        "court": make_member(tree[PARENT], Role.COURT).user,
        "officer": officer.user,
        "department": department,
        "org": org,
        "mediator": mediator,
    }


def _case_input(n: int, category: Category | None) -> case_services.CaseInput:
    return case_services.CaseInput(
        kind="dispute",
        channel="walk_in",
        title=f"楼上漏水纠纷{n}",
        facts="楼上漏水，多次协商未果。",
        category=category,
        parties=[
            case_services.PartyInput(
                role="applicant", name=f"申请人{n}", id_number=valid_id(n), phone=f"1380000{n:04d}"
            ),
            case_services.PartyInput(role="respondent", name=f"被申请人{n}"),
        ],
    )


def _walk_in_life(people, category) -> Case:
    """Intake → classify → dispatch → accept → report → resolve → feedback → follow-up → close."""
    clerk, officer = people["clerk"], people["officer"]
    case = case_services.case_create(actor=clerk, center=Center.objects.get(code=OWN), data=_case_input(1, None))
    case = case_services.case_classify(actor=clerk, case=case, category=category)
    case = case_services.case_dispatch(
        actor=clerk, case=case, departments=[people["department"]], instructions="请核查"
    )
    case = case_services.dispatch_accept(actor=officer, case=case)
    case = case_services.dispatch_report(actor=officer, case=case, text="已维修管道", final=True)
    case = case_services.case_resolve(actor=clerk, case=case, outcome="resolved", note="问题已解决")
    case = case_services.case_feedback(actor=clerk, case=case, note="已电话告知处理结果")
    case = case_services.case_follow_up(actor=clerk, case=case, note="当事人满意", rating="satisfied")
    return case_services.case_close(actor=clerk, case=case)


def _court_handoff(people, category, n: int) -> Handoff:
    data = case_services.HandoffInput(
        source=Handoff.Source.COURT,
        external_ref=f"({timezone.localdate().year})甘0102民诉前调{n}号",
        center=Center.objects.get(code=OWN),
        case=_case_input(n, category),
        claim="判令被告赔偿维修费",
    )
    return case_services.handoff_send(actor=people["court"], data=data)


def _mediated_to_agreement(people, category) -> tuple[Handoff, Agreement]:
    """A court hand-off received and accepted, mediated in two sessions to a signed agreement, confirmed."""
    clerk, mediator = people["clerk"], people["mediator"]
    handoff = _court_handoff(people, category, 2)
    handoff = case_services.handoff_receive(actor=clerk, handoff=handoff)
    handoff = case_services.handoff_accept(actor=clerk, handoff=handoff, note="纳入诉前调解")
    case = mediation.assign(actor=clerk, case=handoff.case, mediators=[mediator])
    held = timezone.now() - timedelta(hours=3)
    session = {"place": "东岗街道调解室", "mediators": [mediator], "attendees": "申请人、被申请人"}
    mediation.session_log(actor=mediator.user, case=case, held_at=held, notes="双方陈述", outcome="continue", **session)
    data = mediation.AgreementInput(
        facts="楼上漏水致楼下受损。",
        disputed_matters="维修费用的承担。",
        terms=[mediation.TermInput(text="被申请人赔偿维修费", due_date=date.today() + timedelta(days=10))],
    )
    agreement = mediation.agreement_draft(actor=mediator.user, case=case, org=people["org"], data=data)
    agreement = mediation.agreement_sign(
        actor=mediator.user, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
    )
    case.refresh_from_db()
    held = timezone.now() - timedelta(hours=1)
    mediation.session_log(actor=mediator.user, case=case, held_at=held, notes="达成协议", outcome="agreed", **session)
    for status in ("requested", "confirmed"):
        handoff = case_services.handoff_confirmation(actor=people["court"], handoff=handoff, status=status)
    return handoff, agreement


def _handed_back_and_filed(people, category) -> Handoff:
    handoff = _court_handoff(people, category, 3)
    case_services.case_hand_back(actor=people["clerk"], case=handoff.case, reason="调解不成，退回法院")
    handoff.refresh_from_db()
    return case_services.handoff_file(
        actor=people["court"], handoff=handoff, filing_number=f"({timezone.localdate().year})甘0102民初456号"
    )


def _exported_and_fetched(people, case: Case, capture_on_commit) -> ExportJob:
    with capture_on_commit(execute=True):  # the export task runs inline once its job is committed
        job = exports.start(owner=people["director"], kind="case_dossier", params={"case": case.pk})
    job.refresh_from_db()
    exports.fetch(job, people["director"]).close()
    return job


def _published(people, tree) -> RankingPublication:
    director = people["director"]
    weights = {"grid_found": 50, "resolve_on_time": 50}
    report_services.scheme_set(actor=director, center=tree[PARENT], weights=weights, red_cutoff=60, black_cutoff=30)
    return report_services.publish(actor=director, center=tree[PARENT], month=LAST_MONTH)


def _swept_overdue(case: Case) -> None:
    """A case left unclassified past its limit: the sweep marks it (a state change without an actor)."""
    Deadline.objects.filter(case=case, stage=Stage.CLASSIFY).update(due_at=timezone.now() - timedelta(hours=1))
    assert case_services.sweep_overdue() == 1


def run(tree, capture_on_commit) -> Scenario:
    people = _people(tree)
    category = _category()
    walk_in = _walk_in_life(people, category)
    handoff, agreement = _mediated_to_agreement(people, category)
    returned = _handed_back_and_filed(people, category)
    export = _exported_and_fetched(people, walk_in, capture_on_commit)
    publication = _published(people, tree)
    late = case_services.case_create(
        actor=people["clerk"], center=Center.objects.get(code=OWN), data=_case_input(4, None)
    )
    _swept_overdue(late)
    return Scenario(
        walk_in=Case.objects.get(pk=walk_in.pk),
        mediated=Case.objects.get(pk=handoff.case_id),
        handed_back=Case.objects.get(pk=returned.case_id),
        handoffs=[Handoff.objects.get(pk=handoff.pk), Handoff.objects.get(pk=returned.pk)],
        agreement=Agreement.objects.get(pk=agreement.pk),
        export=ExportJob.objects.get(pk=export.pk),
        publication=publication,
    )

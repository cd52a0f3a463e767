"""Reads of mediation, starting from the access policy: the roster in reach, suggestions for a
case, sessions and agreements of the cases the user may see, a mediator's workspace."""

from django.db.models import Count, Prefetch, Q, QuerySet

from cases import selectors as case_selectors
from cases.models import OPEN_STATUSES, Case
from govcenter import access
from govcenter.access import Action
from govcenter.divisions import PREFIX_LENGTHS, lineage
from mediation.models import Agreement, AgreementTerm, Assignment, MediationOrg, MediationSession, Mediator


def org_list_visible(*, user) -> QuerySet[MediationOrg]:
    """The organisations of the user's subtrees and of the centers above them (the roster is what a
    center can call on, so it reaches up like the center tree does)."""
    return access.scope(user, MediationOrg.objects.all(), Action.CENTER_VIEW).select_related("center")


def mediator_list_visible(*, user) -> QuerySet[Mediator]:
    return (
        access.scope(user, Mediator.objects.all(), Action.CENTER_VIEW)
        .select_related("org", "user")
        .prefetch_related("specialties")
        .annotate(caseload=_caseload())
    )


def _caseload():
    return Count(
        "assignments", filter=Q(assignments__ended_at__isnull=True, assignments__case__status__in=OPEN_STATUSES)
    )


def public_roster(*, center) -> QuerySet[Mediator]:
    """What a citizen may see of a center's roster: names and organisations, no phone or certificate."""
    codes = lineage(center.code)
    return (
        Mediator.objects.filter(is_active=True, org__is_active=True, org__is_public=True, center_code__in=codes)
        .select_related("org")
        .order_by("org__name", "name")
    )


def suggest_mediators(*, case: Case, limit: int = 10) -> list[dict]:
    """Mediators ranked for a case: specialty first, then the lighter load, then the nearer center
    (own center first), each with the reasons, in the order a clerk would weigh them."""
    candidates = (
        Mediator.objects.filter(is_active=True, org__is_active=True)
        .filter(Q(center_code__in=lineage(case.center_code)) | Q(center_code__startswith=case.county_code))
        .select_related("org", "user")
        .prefetch_related("specialties")
        .annotate(caseload=_caseload())
    )
    ranked = []
    for mediator in candidates:
        specialties = {c.pk for c in mediator.specialties.all()}
        match = case.category_id is not None and (
            case.category_id in specialties or (case.category and case.category.parent_id in specialties)
        )
        distance = _distance(mediator.center_code, case.center_code)
        reasons = []
        if match:
            reasons.append("specialty")
        reasons.append(f"load:{mediator.caseload}")
        reasons.append(f"distance:{distance}")
        ranked.append(
            {
                "mediator": mediator,
                "specialty": match,
                "caseload": mediator.caseload,
                "distance": distance,
                "reasons": reasons,
            }
        )
    ranked.sort(key=lambda row: (not row["specialty"], row["caseload"], row["distance"], row["mediator"].name))
    return ranked[:limit]


def _distance(mediator_code: str, case_code: str) -> int:
    """Steps through the tree from the mediator's center to the case's: 0 at the same center, 1 for
    the center just above, 2 for a sibling township, and so on."""
    levels = [length for length in PREFIX_LENGTHS if length <= min(len(mediator_code), len(case_code))]
    common = max((i for i, length in enumerate(levels) if mediator_code[:length] == case_code[:length]), default=-1)
    return (PREFIX_LENGTHS.index(len(mediator_code)) - common) + (PREFIX_LENGTHS.index(len(case_code)) - common)


def session_list_visible(*, user) -> QuerySet[MediationSession]:
    cases = case_selectors.case_list_visible(user=user)
    return (
        MediationSession.objects.filter(case__in=cases.values("pk"))
        .select_related("case", "recorded_by")
        .prefetch_related("mediators")
    )


def agreement_list_visible(*, user) -> QuerySet[Agreement]:
    cases = case_selectors.case_list_visible(user=user)
    return (
        Agreement.objects.filter(case__in=cases.values("pk"))
        .select_related("case", "org")
        .prefetch_related(
            "parties", Prefetch("terms", queryset=AgreementTerm.objects.order_by("position")), "mediators"
        )
    )


def cases_shown_in_full(*, user, cases) -> set[int]:
    """The ids of the cases whose parties the user may see in full (`Action.CASE_PII_VIEW`): what
    `access.can` answers one case at a time, for a whole page in at most two queries. The
    memberships decide without a query; only the cases they leave open are asked of the grants."""
    code_field = access.policy_for(Case).code_fields[0]
    shown = {case.pk for case in cases if access.can_at(user, Action.CASE_PII_VIEW, getattr(case, code_field))}
    undecided = [case.pk for case in cases if case.pk not in shown]
    if undecided:
        rows = access.scope(user, Case.objects.filter(pk__in=undecided), Action.CASE_PII_VIEW)
        shown.update(rows.values_list("pk", flat=True))
    return shown


def my_assignments(*, user) -> QuerySet[Assignment]:
    """The mediator's workspace: the cases on their desk, by what is due next."""
    return (
        Assignment.objects.filter(mediator__user=user, ended_at__isnull=True, case__status__in=OPEN_STATUSES)
        .select_related("case", "case__category__parent", "case__center")
        .order_by("case__next_due_at")
    )


def fulfilment_checks_due(*, user, today) -> QuerySet[AgreementTerm]:
    """Terms of signed agreements on the user's cases whose date has come and that nobody checked."""
    cases = case_selectors.case_list_visible(user=user)
    return (
        AgreementTerm.objects.filter(
            agreement__case__in=cases.values("pk"),
            agreement__status=Agreement.State.SIGNED,
            fulfilment=AgreementTerm.Fulfilment.PENDING,
            due_date__lte=today,
        )
        .select_related("agreement", "agreement__case")
        .order_by("due_date")
    )

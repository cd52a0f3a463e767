"""The world a journey starts in, built through the services (never through the pages under test):
cases with named parties, a mediation committee with a mediator on its roster."""

from cases import services
from cases.models import Party
from govcenter.models import Center, Role
from mediation.models import MediationOrg, Mediator
from tests.conftest import make_member
from tests.fixtures_cases import valid_id


def case_with_parties(*, actor, center_code="620102001", title, applicant, respondent, category=None, serial=1):
    """A walk-in dispute between two named people, recorded by `actor`."""
    data = services.CaseInput(
        kind="dispute",
        channel="walk_in",
        title=title,
        facts=f"{applicant}与{respondent}因{title}发生争执，多次协商未果。",
        category=category,
        parties=[
            services.PartyInput(
                role=Party.Role.APPLICANT, name=applicant, id_number=valid_id(serial), phone=f"1390000{serial:04d}"
            ),
            services.PartyInput(role=Party.Role.RESPONDENT, name=respondent),
        ],
    )
    center = Center.objects.get(code=center_code)
    return services.case_create(actor=actor, center=center, data=data, force_new=True)


def committee_with_mediator(center: Center, *, username: str, name: str):
    """The center's people's mediation committee and one mediator on its roster with an account."""
    org, _created = MediationOrg.objects.get_or_create(
        center=center,
        name=f"{center.name}人民调解委员会",
        defaults={"center_code": center.code, "kind": MediationOrg.Kind.COMMITTEE, "short_name": center.name[:2]},
    )
    user = make_member(center, Role.MEDIATOR, username=username, first_name=name).user
    mediator = Mediator.objects.create(org=org, center_code=center.code, name=name, user=user)
    return org, mediator

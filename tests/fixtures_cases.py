"""Case fixtures: a clerk at the own township and a helper that records cases through the service."""

import pytest

from cases import services
from cases.models import Category, Party
from govcenter.models import Center, Role

ID_APPLICANT = "11010519491231002X"
ID_RESPONDENT = "620121198001010016"


def valid_id(serial: int) -> str:
    """A checksummed resident ID number (Yongdeng county, born 1980-01-01)."""
    from stdnum.cn import ric

    body = f"62012119800101{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check digit


@pytest.fixture
def clerk(member_at):
    return member_at("own", Role.CLERK, username="clerk_own")


@pytest.fixture
def director(member_at):
    return member_at("parent", Role.DIRECTOR, username="director_county")


@pytest.fixture
def category(db):
    return Category.objects.get(code="d-neighbour--drainage")


@pytest.fixture
def make_case(tree, clerk):
    counter = iter(range(1, 100000))

    def build(
        center_code="620102001", actor=None, category=None, applicant_id=None, phone=None, received_at=None, **fields
    ):
        n = next(counter)
        data = services.CaseInput(
            kind=fields.pop("kind", "dispute"),
            channel=fields.pop("channel", "walk_in"),
            title=fields.pop("title", f"纠纷{n}"),
            facts=fields.pop("facts", "楼上漏水，多次协商未果。"),
            category=category,
            parties=[
                services.PartyInput(
                    role=Party.Role.APPLICANT,
                    name=f"申请人{n}",
                    id_number=applicant_id or valid_id(n),
                    phone=phone or f"1380000{n:04d}",
                ),
                services.PartyInput(role=Party.Role.RESPONDENT, name=f"被申请人{n}"),
            ],
            **fields,
        )
        superuser_or_clerk = actor or clerk
        return services.case_create(
            actor=superuser_or_clerk,
            center=Center.objects.get(code=center_code),
            data=data,
            force_new=True,
            received_at=received_at,
        )

    return build


def roster_mediator(center: Center):
    """A user with the mediator role at a center and an entry on that center's roster."""
    from mediation.models import MediationOrg, Mediator
    from tests.conftest import make_member

    org, _ = MediationOrg.objects.get_or_create(
        center=center,
        name=f"{center.name}人民调解委员会",
        defaults={"center_code": center.code, "kind": "committee", "short_name": center.code},
    )
    user = make_member(center, Role.MEDIATOR).user
    Mediator.objects.create(org=org, center_code=center.code, name=user.first_name, user=user)
    return user

import pytest

from cases.models import Case, Category
from govcenter.models import Role
from mediation.models import MediationOrg, Mediator
from tests.conftest import make_member


@pytest.fixture
def committee(tree):
    return MediationOrg.objects.create(
        center=tree["620102001"],
        center_code="620102001",
        name="东岗街道人民调解委员会",
        kind=MediationOrg.Kind.COMMITTEE,
        short_name="东岗",
    )


@pytest.fixture
def county_org(tree):
    return MediationOrg.objects.create(
        center=tree["620102"],
        center_code="620102",
        name="城关区婚姻家庭调解委员会",
        kind=MediationOrg.Kind.INDUSTRY,
        short_name="城关",
    )


@pytest.fixture
def mediator(committee, tree):
    user = make_member(tree["620102001"], Role.MEDIATOR).user
    return Mediator.objects.create(org=committee, center_code="620102001", name="杨秀英", user=user)


@pytest.fixture
def case_in_mediation(make_case, category, clerk, mediator):
    from mediation import services

    case = make_case(category=category)
    services.assign(actor=clerk, case=case, mediators=[mediator])
    return Case.objects.get(pk=case.pk)


def specialty(code: str) -> Category:
    return Category.objects.get(code=code)

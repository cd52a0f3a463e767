"""`make load`'s request mix (bench/load_mix.py) run once through Django's test client, with CSRF
checks on as in a browser: every request kind gets the status it expects, so the load run cannot rot
into a run of 403s and 404s that only its error count would notice."""

import json
import random
from datetime import date

import pytest
from django.test import Client

from bench import load_mix
from cases.models import Case, Status
from govcenter.models import Department, Role
from mediation import services as mediation_services
from mediation.models import MediationOrg, MediationSession, Mediator
from tests.conftest import OWN, PARENT, SIBLING

PASSWORD = "Load@2026"

pytestmark = pytest.mark.django_db


class DjangoReply:
    def __init__(self, response):
        self.status = response.status_code
        self.location = response.get("Location", "")
        self.text = response.content.decode() if not response.streaming else ""
        self._response = response

    def json(self):
        return self._response.json()


class DjangoBrowser:
    """load_mix's Browser over the test client; remembers every kind it sent and what came back."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)
        self.replies: list[tuple[str, int, tuple]] = []

    def request(self, kind, method, path, *, form=None, json=None, headers=None, expect=load_mix.OK):
        call = getattr(self.client, method.lower())
        if json is not None:
            response = call(path, data=_dumps(json), content_type="application/json", headers=headers)
        elif form is not None:
            response = call(path, data=form, headers=headers)
        else:
            response = call(path, headers=headers)
        self.replies.append((kind, response.status_code, expect))
        return DjangoReply(response)

    def cookie(self, name):
        morsel = self.client.cookies.get(name)
        return morsel.value if morsel else ""

    def unexpected(self) -> list[tuple[str, int, tuple]]:
        return [reply for reply in self.replies if reply[1] not in reply[2]]


def _dumps(body) -> str:
    return json.dumps(body, ensure_ascii=False)


def with_password(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def plan(tree, member_at, make_case, category, clerk, director):
    for user in (clerk, director):
        with_password(user)
    city = with_password(member_at("6201", Role.DIRECTOR, username="city_director"))
    province = with_password(member_at("62", Role.DIRECTOR, username="province_director"))
    mediator_user = with_password(member_at("own", Role.MEDIATOR, username="mediator"))
    committee = MediationOrg.objects.create(
        center=tree[OWN], center_code=OWN, name="东岗街道人民调解委员会", kind=MediationOrg.Kind.COMMITTEE
    )
    mediator = Mediator.objects.create(org=committee, center_code=OWN, name="杨秀英", user=mediator_user)
    in_mediation = make_case(category=category)
    mediation_services.assign(actor=clerk, case=in_mediation, mediators=[mediator])
    housing = Department.objects.create(
        center=tree[PARENT], center_code=PARENT, name="城关区住建局", kind=Department.Kind.HOUSING
    )
    sibling_clerk = member_at("sibling", Role.CLERK, username="clerk_sibling")
    foreign = make_case(SIBLING, sibling_clerk)
    for n in range(3):
        make_case(title=f"邻里纠纷{n}")
    today = date.today()
    last_month = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    return load_mix.Plan(
        password=PASSWORD,
        clerks=[clerk.username],
        mediators={mediator_user.username: mediator.pk},
        directors=[(director.username, PARENT), (city.username, "6201"), (province.username, "62")],
        township=OWN,
        county=PARENT,
        category=category.code,
        departments=[housing.pk],
        public_tokens=[tree[OWN].public_token],
        mediation_cases={mediator_user.username: [in_mediation.pk]},
        foreign_case=foreign.pk,
        ranking_month=last_month,
    )


def assert_all_expected(browser: DjangoBrowser, kinds: set[str]):
    assert browser.unexpected() == []
    assert kinds <= {kind for kind, _status, _expect in browser.replies}


def test_the_plan_survives_its_trip_through_json(plan):
    assert load_mix.Plan.from_dict(json.loads(_dumps(plan.to_dict()))) == plan


def test_a_clerk_lists_opens_records_classifies_and_dispatches(plan):
    browser = DjangoBrowser()
    clerk = load_mix.Clerk(browser, plan, random.Random(1))
    assert clerk.log_in(clerk.username)
    for query in clerk.page_filters():
        clerk.case_list_page(query)
    for query in clerk.api_filters():
        clerk.case_list_api(query)
    clerk.case_page()
    clerk.walk_in()
    clerk.foreign_case()
    assert_all_expected(
        browser,
        {
            "clerk: case list page",
            "clerk: case list API",
            "clerk: case page",
            "clerk: intake form",
            "clerk: record a walk-in",
            "clerk: classify (API)",
            "clerk: dispatch (API)",
            "clerk: another township's case (404)",
        },
    )
    walk_in = Case.objects.get(pk=clerk.mine[0])
    assert walk_in.status == Status.DISPATCHED and walk_in.category.code == plan.category


def test_a_mediator_opens_the_desk_and_logs_a_session(plan):
    browser = DjangoBrowser()
    mediator = load_mix.Mediator(browser, plan, random.Random(2))
    assert mediator.log_in(mediator.username)
    for task, _weight in mediator.tasks():
        task()
    assert_all_expected(
        browser, {"mediator: desk", "mediator: case page", "mediator: sessions (API)", "mediator: log a session (API)"}
    )
    assert MediationSession.objects.filter(case_id=plan.mediation_cases["mediator"][0]).count() == 1


@pytest.mark.parametrize(
    "username, level", [("director_county", "county"), ("city_director", "city"), ("province_director", "province")]
)
def test_a_director_sees_dashboards_rankings_and_the_overdue_list(plan, username, level):
    browser = DjangoBrowser()
    director = load_mix.Director(browser, plan, random.Random(3), username=username)
    assert director.log_in(username)
    for task, _weight in director.tasks():
        task()
    expected = {f"director: dashboard page ({level})", f"director: dashboard API ({level})"}
    expected |= {f"director: overdue cases ({level})"}
    if level != "province":
        expected |= {f"director: ranking preview ({level})"}
    assert_all_expected(browser, expected)


def test_a_citizen_reports_and_follows_the_report(plan):
    browser = DjangoBrowser()
    citizen = load_mix.Citizen(browser, plan, random.Random(4))
    for task, _weight in citizen.tasks():
        task()
    assert_all_expected(
        browser,
        {
            "citizen: QR form page",
            "citizen: report (public API)",
            "citizen: report status",
            "citizen: unknown receipt (404)",
        },
    )


def test_an_unexpected_status_is_counted(plan):
    browser = DjangoBrowser()
    clerk = load_mix.Clerk(browser, plan, random.Random(5))
    clerk.case_list_page("")  # not logged in: the login page's redirect, not the list
    assert browser.unexpected() == [("clerk: case list page", 302, load_mix.OK)]

"""Races on PostgreSQL: many people press the same button on the same case at the same moment, or
record cases in the same county at once. Real threads, each with its own connection, released
together by a barrier; the row locks in the services decide who wins.

Each race asserts what a user would notice: one winner, a 409 with a message for everyone else, one
version step and one timeline row, and case numbers that stay unique and gapless.
"""

import threading
import time

import pytest
from django.db import DatabaseError, connection
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseEvent, CaseNumberCounter, Category, Party, Status
from govcenter import audit
from govcenter.errors import ConflictError, NotAllowed
from govcenter.models import AuditEvent, Department, Membership, Role
from tests.conftest import OWN, PARENT, make_member
from tests.fixtures_cases import valid_id

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks between threads)"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
VERBS = ["escalate", "dispatch", "accept", "resolve"]


def race(count, work):
    """Run work(index) in `count` threads released together; return each thread's result or exception."""
    barrier = threading.Barrier(count, timeout=20)
    outcomes: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except BaseException as error:  # noqa: BLE001 - every outcome is asserted by the caller
            outcomes[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a deadlock?)"
    return outcomes


@pytest.fixture
def category(db):
    # Transactional tests empty the tables afterwards, the seeded taxonomy too: bring our own.
    found, _ = Category.objects.get_or_create(
        code="race-neighbour", defaults={"name": "邻里纠纷", "group": Category.Group.DISPUTE}
    )
    return found


@pytest.fixture
def clerks(tree):
    return [make_member(tree[OWN], Role.CLERK).user for _ in range(THREADS)]


@pytest.fixture
def department(tree):
    return Department.objects.get(center_code=PARENT)


@pytest.fixture
def officers(tree, department):
    """Officers of the county's justice bureau: the department the case is dispatched to."""
    users = []
    for _ in range(THREADS):
        seat = make_member(tree[PARENT], Role.DEPARTMENT)
        Membership.objects.filter(pk=seat.pk).update(department=department)
        users.append(seat.user)
    return users


def _call(verb, *, actor, case, department, expected_version):
    """The service behind a verb, as the API calls it."""
    if verb == "escalate":
        return services.case_escalate(actor=actor, case=case, reason="跨乡镇", expected_version=expected_version)
    if verb == "dispatch":
        return services.case_dispatch(
            actor=actor, case=case, departments=[department], expected_version=expected_version
        )
    if verb == "accept":
        return services.dispatch_accept(actor=actor, case=case, expected_version=expected_version)
    return services.case_resolve(
        actor=actor, case=case, outcome="resolved", note="当场化解", expected_version=expected_version
    )


def _payload(verb, department):
    return {
        "escalate": {"reason": "跨乡镇"},
        "dispatch": {"departments": [department.pk]},
        "accept": {},
        "resolve": {"outcome": "resolved", "note": "当场化解"},
    }[verb]


def _assert_one_step(case, verb, version_before):
    """The case moved once: version up by one, one new timeline row for the verb, one audit row,
    timeline versions 1..n without gaps or repeats, and the audit chain whole."""
    case.refresh_from_db()
    assert case.version == version_before + 1
    events = list(CaseEvent.objects.filter(case=case).order_by("version", "pk"))
    assert [event.version for event in events] == list(range(1, case.version + 1))
    newest = events[-1]
    assert (newest.verb, newest.version) == (verb, case.version)
    assert [event.verb for event in events].count(verb) == 1
    audited = AuditEvent.objects.filter(action=f"case.{verb}", object_id=str(case.pk))
    assert audited.count() == 1
    assert audit.verify_chain()[1] is None


# --- One case, one verb, many hands ------------------------------------------------------------------
#
# Two cases per test (a transactional test costs seconds to clean up, so each walks several races):
# one is escalated, the other dispatched, accepted and resolved, every step pressed by eight people.


def _race_service(verb, case, actors, department, *, with_version):
    before = Case.objects.get(pk=case.pk).version

    def work(index):
        mine = Case.objects.get(pk=case.pk)  # each person's page read the case itself
        expected = before if with_version else None
        return _call(verb, actor=actors[index], case=mine, department=department, expected_version=expected)

    outcomes = race(THREADS, work)
    refused = (ConflictError,)
    if verb == "escalate" and not with_version:
        # Without a version the losers find the case already at the county, where a township
        # clerk has no right to escalate: 403 there, before the level check could say 409.
        refused = (ConflictError, NotAllowed)
    winners = [o for o in outcomes if isinstance(o, Case)]
    losers = [o for o in outcomes if isinstance(o, refused)]
    assert len(winners) == 1, (verb, outcomes)
    assert len(losers) == THREADS - 1, (verb, outcomes)  # nothing else: no deadlock, no integrity error
    assert all(str(error.message) for error in losers)
    _assert_one_step(case, verb, before)


@pytest.mark.parametrize("with_version", [True, False], ids=["same-version", "no-version"])
def test_each_verb_pressed_at_once_by_many_has_one_winner_and_conflicts(
    with_version, make_case, category, clerks, officers, department
):
    moving = make_case(category=category, actor=clerks[0])
    _race_service("escalate", moving, clerks, department, with_version=with_version)
    assert Case.objects.get(pk=moving.pk).center_code == PARENT
    assert Case.objects.get(pk=moving.pk).levels_passed == [OWN, PARENT]

    case = make_case(category=category, actor=clerks[0])
    _race_service("dispatch", case, clerks, department, with_version=with_version)
    assert case.dispatches.count() == 1
    _race_service("accept", case, officers, department, with_version=with_version)
    assert list(case.dispatches.values_list("status", flat=True)) == ["accepted"]
    _race_service("resolve", case, clerks, department, with_version=with_version)
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def _race_api(verb, case, actors, department):
    before = Case.objects.get(pk=case.pk).version
    clients = []
    for actor in actors:
        client = APIClient()
        client.force_authenticate(actor)
        clients.append(client)
    body = {**_payload(verb, department), "version": before}

    def work(index):
        return clients[index].post(f"/api/v1/cases/{case.pk}/{verb}/", body, format="json")

    responses = race(THREADS, work)
    assert not [r for r in responses if isinstance(r, BaseException)], (verb, responses)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (THREADS - 1), [(verb, r.status_code, r.content) for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.json()["detail"], response.content
            assert response.json()["version"] == before + 1  # the stale-version answer says what is current
    winner = next(r for r in responses if r.status_code == 200)
    assert winner.json()["version"] == before + 1
    _assert_one_step(case, verb, before)


def test_simultaneous_api_posts_with_the_same_version_give_one_200_and_409s(
    make_case, category, clerks, officers, department
):
    moving = make_case(category=category, actor=clerks[0])
    _race_api("escalate", moving, clerks, department)
    case = make_case(category=category, actor=clerks[0])
    _race_api("dispatch", case, clerks, department)
    _race_api("accept", case, officers, department)
    _race_api("resolve", case, clerks, department)
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


# --- Many intakes in one county and year ---------------------------------------------------------------


def _case_input(index, *, name=None):
    return services.CaseInput(
        kind="dispute",
        channel="walk_in",
        title=f"并发受理{index}",
        parties=[
            services.PartyInput(role=Party.Role.APPLICANT, name=name or f"申请人{index}", id_number=valid_id(index))
        ],
    )


def _assert_gapless(count):
    numbers = list(Case.objects.order_by("serial").values_list("serial", "number"))
    assert [serial for serial, _ in numbers] == list(range(1, count + 1))
    assert len({number for _, number in numbers}) == count
    assert CaseNumberCounter.objects.get().last == count


def _public_report(token, index):
    return APIClient().post(
        "/api/v1/public/reports/",
        {
            "token": token,
            "name": f"市民{index}",
            "phone": f"1370000{index:04d}",
            "title": "路灯不亮",
            "facts": "小区门口路灯坏了一周。",
            "kind": "request",
        },
        format="json",
    )


def test_simultaneous_intakes_by_clerks_and_citizens_get_unique_gapless_numbers(tree, clerks):
    """Half the threads are clerks recording three cases each through the service, half are citizens
    reporting through the public QR form (the API); all draw on the county's one counter."""
    per_clerk = 3
    township = tree[OWN]
    token = township.public_token

    def work(index):
        if index % 2:
            response = _public_report(token, index)
            assert response.status_code == 201, response.content
            return [response.json()["receipt"]]
        return [
            services.case_create(
                actor=clerks[index], center=township, data=_case_input(index * 10 + n), force_new=True
            ).receipt
            for n in range(per_clerk)
        ]

    outcomes = race(THREADS, work)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    total = THREADS // 2 * per_clerk + THREADS // 2
    assert len({receipt for receipts in outcomes for receipt in receipts}) == total
    _assert_gapless(total)
    assert Case.objects.filter(channel="qr").count() == THREADS // 2
    assert audit.verify_chain()[1] is None


def test_an_intake_that_fails_after_taking_its_number_gives_it_back(tree, clerks, monkeypatch):
    """One intake takes the county's next number, then fails on its party (a name longer than the
    column: the database refuses it inside the service's transaction). The other intakes wait on the
    counter meanwhile; when the failed one rolls back they go on, and no number is lost."""
    township = tree[OWN]
    too_long = "名" * 101  # Party.name holds 100
    holding = threading.Event()
    original = Party.objects.bulk_create

    def slow_bulk_create(objs, *args, **kwargs):
        if any(party.name == too_long for party in objs):
            holding.set()
            time.sleep(0.3)  # hold the counter's lock while the others queue behind it
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(Party.objects, "bulk_create", slow_bulk_create)

    def work(index):
        if index == 0:
            return services.case_create(
                actor=clerks[index], center=township, data=_case_input(index, name=too_long), force_new=True
            )
        assert holding.wait(timeout=10)
        return services.case_create(actor=clerks[index], center=township, data=_case_input(index), force_new=True)

    outcomes = race(THREADS, work)
    assert isinstance(outcomes[0], DatabaseError), outcomes[0]
    assert all(isinstance(o, Case) for o in outcomes[1:]), outcomes
    _assert_gapless(THREADS - 1)
    assert not Party.objects.filter(name=too_long).exists()
    assert Case.objects.filter(status=Status.RECEIVED).count() == THREADS - 1

"""The world the query-count tests read: the shared tree with a second village, the people who read
each list, and a counter that measures one request."""

import os
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from govcenter import access
from govcenter.divisions import Level
from govcenter.models import Center, Role
from tests.conftest import CHILD, OWN, PARENT, SIBLING, UNRELATED

SIBLING_VILLAGE = "620102002001"


def report_counts(spec_id: str, *counts: int) -> None:
    """With QUERY_COUNT_REPORT=<file>, append the measured counts there: how the table of
    `endpoints.MEASURED` is filled in again after a change (run on SQLite and on PostgreSQL)."""
    path = os.environ.get("QUERY_COUNT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{spec_id}\t{' '.join(map(str, counts))}\n")


@dataclass
class Measured:
    queries: int
    response: object
    sql: list[str]

    def json(self):
        return self.response.json()


@dataclass
class World:
    """The places and people of a scenario, and what builders made so far (`made`), so that a
    builder called a second time adds to the same objects instead of starting over."""

    tree: dict
    make_case: object
    member_at: object
    director: object  # county director at 620102: sees the whole county
    clerk: object  # intake clerk at the own township 620102001
    made: dict = field(default_factory=dict)
    serial: int = 0

    def next(self) -> int:
        """A number no other object of the scenario has (codes, names, references)."""
        self.serial += 1
        return self.serial

    def turn(self, key: str) -> int:
        """How many times `key` was asked for before: to spread rows of one kind over several places
        or variants in turn, whatever else the builders numbered in between."""
        turns = self.made.setdefault("turns", {})
        turns[key] = turns.get(key, -1) + 1
        return turns[key]

    def center(self, code: str) -> Center:
        return self.tree[code]

    def user(self, key: str):
        """A reader by name; people other than the director and the clerk are made on first use."""
        if key in ("director", "clerk"):
            return getattr(self, key)
        if key not in self.made.setdefault("users", {}):
            self.made["users"][key] = _PEOPLE[key](self)
        return self.made["users"][key]

    def once(self, key: str, build):
        """An object builders share, made the first time it is asked for."""
        if key not in self.made:
            self.made[key] = build()
        return self.made[key]

    def measure(self, user, url: str, *, api: bool = True) -> Measured:
        """The queries of one GET, after a first unmeasured one that warms the process-wide caches
        as a running server has them (the content types django-guardian looks up once)."""
        if api:
            client = APIClient()
            if user is not None:
                client.force_authenticate(user)
        else:
            from django.test import Client

            client = Client()
            client.force_login(user)
        self._forget(user)
        client.get(url)
        self._forget(user)  # the memberships are loaded once per user object: count them each time
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        return Measured(len(captured), response, [q["sql"] for q in captured.captured_queries])

    @staticmethod
    def _forget(user) -> None:
        if user is not None:
            access.forget(user)


def _auditor_with_grants(world):
    """An auditor of the unrelated township: sees our county's cases only through explicit grants."""
    return world.member_at("unrelated", Role.AUDITOR, username="granted_auditor")


def _court(world):
    return world.member_at("parent", Role.COURT, username="court_clerk")


def _police(world):
    return world.member_at("own", Role.POLICE, username="police_liaison")


def _mediator(world):
    """A mediator of the own township, on the roster: sees the cases assigned to them (object grants)."""
    from tests.fixtures_cases import roster_mediator

    return roster_mediator(world.center(OWN))


_PEOPLE = {
    "granted": _auditor_with_grants,
    "court": _court,
    "police": _police,
    "mediator": _mediator,
}


@pytest.fixture
def world(tree, make_case, member_at, director, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tree[SIBLING_VILLAGE] = Center.objects.create(
        code=SIBLING_VILLAGE, level=Level.VILLAGE, name="雁南社区", parent_id=SIBLING
    )
    assert {OWN, PARENT, CHILD, SIBLING, UNRELATED} <= set(tree)
    return World(
        tree=tree,
        make_case=make_case,
        member_at=member_at,
        director=director,
        clerk=clerk,
    )

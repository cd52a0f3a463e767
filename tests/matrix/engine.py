"""Runs the cells of the matrix: one request per (actor, relation, route, verb), each in a
transaction rolled back afterwards, read as an outcome and compared with the row's rule."""

import os
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.matrix.rules import LOGIN
from tests.matrix.table import Row
from tests.matrix.world import ACTORS, ANONYMOUS, World

REDIRECTS = {301, 302, 303}
INVALID = {400, 409, 410}


def _queued_levels(response) -> set[int]:
    storage = getattr(response.wsgi_request, "_messages", None)
    return {message.level for message in getattr(storage, "_queued_messages", [])}


def outcome(response, *, page: bool, method: str) -> str:
    code = response.status_code
    if code == 401:
        return "login"
    if code in REDIRECTS:
        if response.headers.get("Location", "").startswith(reverse("login")):
            return "login"
        levels = _queued_levels(response)
        failed = levels and messages.SUCCESS not in levels and max(levels) >= messages.WARNING
        return "redirect" if failed else "ok"
    if 200 <= code < 300:
        return "shown" if page and method != "GET" else "ok"
    if code in INVALID:
        return "invalid"
    return str(code)


def share() -> int:
    """`make test` checks one cell in MATRIX_SHARE (default 5), chosen so that every (actor,
    relation) pair is checked on every fifth row and every row at a fifth of its cells;
    MATRIX_SHARE=1 checks them all (about 10,000 cells, a few minutes on two cores)."""
    return max(1, int(os.environ.get("MATRIX_SHARE", "5")))


@dataclass
class Runner:
    world: World
    share: int = field(default_factory=share)
    cells: int = 0
    mismatches: list = field(default_factory=list)
    _clients: dict = field(default_factory=dict)

    def client(self, actor: str, api: bool):
        key = (actor, api)
        if key not in self._clients:
            user = self.world.user(actor)
            client = APIClient() if api else Client()
            if user is not None:
                client.force_authenticate(user) if api else client.force_login(user)
            self._clients[key] = client
        return self._clients[key]

    def request(self, row: Row, actor: str, url: str, data) -> str:
        client = self.client(actor, row.api)
        method = row.verb.lower()
        if row.public:
            cache.clear()  # the public endpoints' rate limits count per address
        options = {"format": "multipart" if row.multipart else "json"} if row.api and data is not None else {}
        try:
            with transaction.atomic():
                response = (
                    getattr(client, method)(url, data, **options) if data is not None else getattr(client, method)(url)
                )
                transaction.set_rollback(True)
            if response.streaming:  # read to the end: the test client then closes the file itself
                b"".join(response.streaming_content)
        except Exception as error:  # a 500: reported as a mismatch with its cause
            return f"500 {type(error).__name__}: {error}"[:200]
        return outcome(response, page=not row.api, method=row.verb)

    def run(self, rows: list[Row]) -> None:
        for index, row in enumerate(rows):
            self._run_row(index, row)

    def _run_row(self, index: int, row: Row) -> None:
        for place, relation in enumerate(row.relations):
            url = row.url(self.world, relation)
            if url is None:
                continue
            for seat, actor in enumerate(ACTORS):
                if (index + place + seat) % self.share == 0:
                    self.check(row, actor, relation, url)

    def check(self, row: Row, actor: str, relation: str, url: str) -> None:
        data = row.body(self.world, relation) if row.body else None
        expected = LOGIN if actor == ANONYMOUS and not row.public else row.rule(actor, relation)
        got = self.request(row, actor, url, data)
        self.cells += 1
        if got not in expected:
            self.mismatches.append(
                f"{actor} × {relation} × {row.name} × {row.verb}: expected {'/'.join(sorted(expected))} got {got}"
                f"  ({url})"
            )

    def report(self) -> str:
        return f"{len(self.mismatches)} of {self.cells} cells differ:\n" + "\n".join(self.mismatches)

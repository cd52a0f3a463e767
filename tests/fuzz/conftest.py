"""The world the API fuzzing runs in: the shared tree with rows of every resource (built by the
query-count builders), two people with broad rights and their API tokens, and the OpenAPI schema the
portal publishes at /api/schema/, loaded through the WSGI application in this process.

How hard it fuzzes comes from the environment, so `make test` and `make fuzz` run the same code:
FUZZ_EXAMPLES (generated examples per operation) and FUZZ_SECONDS (the time all operations share for
sending them; an operation past its share still generates its examples but sends none), FUZZ_PATHS
(a regular expression: only the operations whose path matches, to chase one bug).
"""

import os
import re
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.core.result import Ok

from cases.hotspots.models import Hotspot
from cases.models import Attachment, Case, Category, Handoff, Notification
from cases.risk.models import RiskWarning, WarningTask
from govcenter.models import Center, Department, Membership
from grids.models import AuxiliaryOfficer, Grid, GridAssignment, PoliceGrid, Visit
from mediation.models import Agreement, Assignment, MediationOrg, MediationSession, Mediator
from reports.models import ExportJob
from tests.fuzz.stats import STATS
from tests.query_counts.conftest import world  # noqa: F401 (a fixture this one builds on)
from tests.query_counts.endpoints import DETAILS, LISTS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "40"))

# The rows a path parameter may name, by the resource its path starts with (`/api/v1/<resource>/…`)
# and the parameter's name. Known values lead the fuzzer past "not found" into the actions.
KNOWN = {
    ("agreements", "id"): lambda: Agreement.objects.values_list("pk", flat=True),
    ("assignments", "id"): lambda: Assignment.objects.values_list("pk", flat=True),
    ("auxiliary-officers", "id"): lambda: AuxiliaryOfficer.objects.values_list("pk", flat=True),
    ("cases", "id"): lambda: Case.objects.values_list("pk", flat=True),
    ("cases", "attachment_id"): lambda: Attachment.objects.values_list("pk", flat=True),
    ("categories", "code"): lambda: Category.objects.values_list("code", flat=True),
    ("centers", "code"): lambda: Center.objects.values_list("code", flat=True),
    ("departments", "id"): lambda: Department.objects.values_list("pk", flat=True),
    ("exports", "id"): lambda: ExportJob.objects.values_list("pk", flat=True),
    ("grid-assignments", "id"): lambda: GridAssignment.objects.values_list("pk", flat=True),
    ("grids", "code"): lambda: Grid.objects.values_list("code", flat=True),
    ("handoffs", "id"): lambda: Handoff.objects.values_list("pk", flat=True),
    ("hotspots", "id"): lambda: Hotspot.objects.values_list("pk", flat=True),
    ("mediation-orgs", "id"): lambda: MediationOrg.objects.values_list("pk", flat=True),
    ("mediators", "id"): lambda: Mediator.objects.values_list("pk", flat=True),
    ("members", "id"): lambda: Membership.objects.values_list("pk", flat=True),
    ("notifications", "id"): lambda: Notification.objects.values_list("pk", flat=True),
    ("police-grids", "id"): lambda: PoliceGrid.objects.values_list("pk", flat=True),
    ("public", "receipt"): lambda: Case.objects.exclude(receipt="").values_list("receipt", flat=True),
    ("risk-warnings", "id"): lambda: RiskWarning.objects.values_list("pk", flat=True),
    ("risk-warnings", "task_id"): lambda: WarningTask.objects.values_list("pk", flat=True),
    ("sessions", "id"): lambda: MediationSession.objects.values_list("pk", flat=True),
    ("visits", "id"): lambda: Visit.objects.values_list("pk", flat=True),
}
# Query and body fields that name a center, a case … get a real one now and then, for the same reason.
KNOWN_FIELDS = {
    "center": lambda: Center.objects.values_list("code", flat=True),
    "under": lambda: Center.objects.values_list("code", flat=True),
    "case": lambda: Case.objects.values_list("pk", flat=True),
    "category": lambda: Category.objects.values_list("code", flat=True)[:20],
}


@dataclass
class FuzzWorld:
    tokens: dict[str, str]  # who → API token: the people the fuzzer acts as
    known: dict[tuple[str, str], list] = field(default_factory=dict)
    known_fields: dict[str, list] = field(default_factory=dict)


def _seed(scenario) -> None:
    """Two rows of every listed resource and one object of every detail, as the director reads them."""
    done = set()
    for spec in LISTS:
        if spec.add not in done:
            done.add(spec.add)
            spec.add(scenario, 2, spec.reader)
    for spec in DETAILS:
        if spec.make not in done and not spec.pdf:
            done.add(spec.make)
            spec.make(scenario, 1, spec.reader)


@pytest.fixture
def fuzz_world(world, superuser, settings, tmp_path) -> FuzzWorld:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    _seed(world)
    people = {"director": world.director, "superuser": superuser}
    tokens = {name: Token.objects.create(user=user).key for name, user in people.items()}
    known = {key: list(values()) for key, values in KNOWN.items()}
    known_fields = {name: list(values()) for name, values in KNOWN_FIELDS.items()}
    return FuzzWorld(tokens=tokens, known=known, known_fields=known_fields)


@pytest.fixture
def in_process_requests():
    """Requests through the WSGI handler inside the test's transaction: Django's test client does the
    same, since closing "old" connections at a request's end would close the test's own."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/", 1)[0]


def _maybe_known(values: list, original):
    return st.one_of(st.just(original), st.sampled_from(values)) if values else st.just(original)


def _swap_known(values_for, container: dict) -> st.SearchStrategy:
    """The generated values, each one for which real rows exist replaced by one of those or not."""
    if not isinstance(container, dict) or not container:
        return st.just(container)
    drawn = {key: _maybe_known(values_for(key), value) for key, value in container.items()}
    return st.fixed_dictionaries(drawn)


def _hooks(schema, fuzz: FuzzWorld) -> None:
    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        resource = _resource(context.operation.path)
        return _swap_known(lambda name: fuzz.known.get((resource, name), []), path_parameters)

    @schema.hook
    def flatmap_query(context, query):
        return _swap_known(lambda name: fuzz.known_fields.get(name, []), query)

    @schema.hook
    def flatmap_body(context, body):
        return _swap_known(lambda name: fuzz.known_fields.get(name, []), body)


@pytest.fixture
def api_schema(fuzz_world, in_process_requests):
    # Only the fuzzing phase, whose examples FUZZ_EXAMPLES counts: the coverage phase sends a fixed set of
    # boundary cases per operation whatever the bound, and the stateful one needs links the schema lacks.
    # Hypothesis's health checks (slow generation of big bodies) would fail a run that is bounded anyway.
    config = schemathesis.Config.from_dict(
        {
            "suppress-health-check": ["all"],
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )
    headers = {"Authorization": f"Token {fuzz_world.tokens['superuser']}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=config, headers=headers)
    _hooks(schema, fuzz_world)
    STATS.start(seconds=SECONDS, operations=len(_fuzzed_paths(schema)))
    return schema


def _fuzzed_paths(schema) -> list[str]:
    """The operations the run fuzzes (FUZZ_PATHS narrows them, in test_api_fuzz.py), which share its time."""
    paths = [result.ok().path for result in schema.get_all_operations() if isinstance(result, Ok)]
    only = os.environ.get("FUZZ_PATHS")
    return [path for path in paths if not only or re.search(only, path)]


def pytest_terminal_summary(terminalreporter):
    if STATS.statuses:
        for line in STATS.summary().splitlines():
            terminalreporter.write_line(line)

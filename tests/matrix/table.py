"""The matrix: every (route, verb) of the urlconf with how to reach its object at each relation and
the rule that says what every actor gets there. `EXEMPT` holds the routes that are not the access
policy's business, each with its reason; `test_matrix.py` fails on any route in neither.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.services.core import VERB_ACTIONS
from govcenter.access import Action
from govcenter.models import Role
from tests.matrix import rules
from tests.matrix.rules import act, act_denied, create, everyone, owner_only, page_for, read, sender
from tests.matrix.world import CASE_PLACES, COUNTY_PLACES, PNG, TOWNSHIP_PLACES, VILLAGE_PLACES

A = Action
ALL = tuple(CASE_PLACES)  # own, parent, child, sibling, unrelated
VILLAGES = tuple(VILLAGE_PLACES)  # child, sibling, unrelated
TOWNSHIPS = tuple(TOWNSHIP_PLACES)  # own, sibling, unrelated
COUNTIES = tuple(COUNTY_PLACES)  # parent, unrelated
HANDOFF_PLACES = ("own", "parent", "sibling", "unrelated")  # hand-offs go to townships and counties
NOWHERE = ("own",)  # a route without an object: one cell per actor

NOTE = {"note": "矩阵检查", "reason": "矩阵检查"}

# A printed document carries the parties in full: those who see the case but not full identities
# (a grid worker, an auditor) may not print it.
PRINT = act_denied(A.CASE_VIEW, A.CASE_PII_VIEW)


@dataclass(frozen=True)
class Row:
    name: str
    verb: str
    url: Callable  # (world, relation) → the URL, or None when nothing of the kind lives there
    rule: Callable  # (actor, relation) → allowed outcomes
    relations: tuple = NOWHERE
    body: Callable | None = None  # (world, relation) → the request's data, made for each request
    public: bool = False  # no login needed: the rule holds for the anonymous too
    multipart: bool = False  # the API route takes a form with a file, not JSON

    @property
    def api(self) -> bool:
        return self.name.startswith(("api-", "public-report"))

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.verb)


def plain(name: str, query: str = "") -> Callable:
    return lambda w, r: reverse(name) + query


def of(name: str, kind: str, attr: str = "pk", *more: Callable) -> Callable:
    """The URL of the `kind` object at the relation, by `attr`, then further arguments."""

    def url(w, r):
        target = w.obj(r, kind)
        if target is None:
            return None
        return reverse(name, args=[getattr(target, attr), *(extra(w, r) for extra in more)])

    return url


def center_query(name: str) -> Callable:
    return lambda w, r: reverse(name) + f"?center={CASE_PLACES.get(r, r)}"


def with_query(url: Callable, query: Callable) -> Callable:
    def build(w, r):
        base = url(w, r)
        return None if base is None else base + query(w, r)

    return build


def case_query(w, r):
    return f"?case={w.obj(r, 'case').pk}"


def read_or_conflict(view):
    seen = read(view)
    return lambda actor, relation: seen(actor, relation) | ({"invalid"} if seen(actor, relation) == rules.OK else set())


def county_code(w, r):
    return COUNTY_PLACES[r]


def county_query(name: str) -> Callable:
    return lambda w, r: reverse(name) + f"?center={COUNTY_PLACES[r]}"


def constant(value) -> Callable:
    return lambda w, r: value


def obj_pk(kind: str) -> Callable:
    return lambda w, r: w.obj(r, kind).pk


def body(**fields) -> Callable:
    """A request body; callables in it are given (world, relation)."""
    return lambda w, r: {k: (v(w, r) if callable(v) else v) for k, v in fields.items()}


def center_code(w, r):
    return CASE_PLACES[r]


def rows(name, verbs, url, rule, relations=NOWHERE, data=None, public=False, multipart=False) -> list[Row]:
    return [Row(name, verb, url, rule, relations, data, public, multipart) for verb in verbs]


def scan(w, r):
    return SimpleUploadedFile("签字.png", PNG, content_type="image/png")


AGREEMENT = {"facts": "事实", "disputed_matters": "争议", "terms": [{"text": "赔偿", "due_date": "2026-12-31"}]}


CASE_VERB_ACTIONS = {
    **VERB_ACTIONS,
    "pause": A.CASE_EDIT,
    "resume": A.CASE_EDIT,
    "confirm-outcome": A.CASE_REOPEN,
    "link-report": A.CASE_CREATE,
}

# --- API ------------------------------------------------------------------------------------------

API: list[Row] = [
    *rows("api-center-list", ("GET",), plain("api-center-list"), everyone),
    *rows("api-center-detail", ("GET",), of("api-center-detail", "center", "code"), read(A.CENTER_VIEW), ALL),
    *rows("api-department-list", ("GET",), plain("api-department-list"), everyone),
    *rows("api-department-detail", ("GET",), of("api-department-detail", "department"), read(A.DEPARTMENT_VIEW), ALL),
    *rows("api-member-list", ("GET",), plain("api-member-list"), everyone),
    *rows(
        "api-member-list",
        ("POST",),
        plain("api-member-list"),
        create(A.MEMBER_CREATE),
        ALL,
        body(
            username=lambda w, r: f"matrix_new_{r}",
            password="Gansu-2026-ok",
            name="新成员",
            center=center_code,
            role="mediator",
        ),
    ),
    *rows("api-member-detail", ("GET",), of("api-member-detail", "member"), read(A.MEMBER_VIEW), ALL),
    # Cases
    *rows("api-case-list", ("GET",), plain("api-case-list"), everyone),
    *rows(
        "api-case-list",
        ("POST",),
        plain("api-case-list"),
        create(A.CASE_CREATE),
        ALL,
        body(
            center=center_code,
            kind="dispute",
            channel="walk_in",
            title="矩阵新案",
            facts="事实",
            parties=[{"role": "applicant", "name": "张三"}],
        ),
    ),
    *rows("api-case-detail", ("GET",), of("api-case-detail", "case"), read(A.CASE_VIEW), ALL),
    *rows(
        "api-case-detail",
        ("PATCH",),
        of("api-case-detail", "case"),
        act(A.CASE_VIEW, A.CASE_EDIT),
        ALL,
        body(place="矩阵地点"),
    ),
    *rows(
        "api-case-attachment",
        ("GET",),
        of("api-case-attachment", "case", "pk", obj_pk("attachment")),
        read(A.CASE_VIEW),
        ALL,
    ),
    *rows("api-case-attachments", ("POST",), of("api-case-attachments", "case"), act(A.CASE_VIEW, A.CASE_ATTACH), ALL),
    *[
        row
        for verb, action in CASE_VERB_ACTIONS.items()
        if verb != "fail"
        for row in rows(
            f"api-case-{verb}", ("POST",), of(f"api-case-{verb}", "case"), act(A.CASE_VIEW, action), ALL, body(**NOTE)
        )
    ],
    *rows("api-category-list", ("GET",), plain("api-category-list"), everyone),
    *rows(
        "api-category-detail",
        ("GET",),
        lambda w, r: reverse("api-category-detail", args=["d-neighbour--drainage"]),
        everyone,
    ),
    *rows("api-notification-list", ("GET",), plain("api-notification-list"), everyone),
    *rows("api-notification-read", ("POST",), of("api-notification-read", "notification"), owner_only, ALL),
    # Hand-offs
    *rows("api-handoff-list", ("GET",), plain("api-handoff-list"), everyone),
    *rows(
        "api-handoff-list",
        ("POST",),
        plain("api-handoff-list"),
        sender("court", write=True),
        HANDOFF_PLACES,
        body(
            source="court",
            external_ref="(2026)甘0102民诉前调7001号",
            center=center_code,
            kind="dispute",
            title="借款纠纷",
            facts="借款未还",
            parties=[{"role": "applicant", "name": "王五"}],
        ),
    ),
    *rows("api-handoff-figures", ("GET",), plain("api-handoff-figures"), everyone),
    *rows("api-handoff-import-file", ("POST",), plain("api-handoff-import-file"), create(A.HANDOFF_SEND)),
    # The blank spreadsheet of the import: no data, so the API hands it to anyone signed in (the
    # page shows it to senders only, beside their import form).
    *rows("api-handoff-import-template", ("GET",), plain("api-handoff-import-template"), everyone),
    *rows("api-handoff-detail", ("GET",), of("api-handoff-detail", "handoff"), read(A.HANDOFF_VIEW), HANDOFF_PLACES),
    *[
        row
        for verb, action in {
            "receive": A.HANDOFF_RECEIVE,
            "accept": A.HANDOFF_RECEIVE,
            "hand-back": A.HANDOFF_RECEIVE,
            "extend": A.HANDOFF_SENDER,
            "confirmation": A.HANDOFF_SENDER,
            "file": A.HANDOFF_SENDER,
        }.items()
        for row in rows(
            f"api-handoff-{verb}",
            ("POST",),
            of(f"api-handoff-{verb}", "handoff"),
            act(A.HANDOFF_VIEW, action),
            HANDOFF_PLACES,
            body(**NOTE),
        )
    ],
    # Hotspots and risk warnings
    *rows("api-hotspot-list", ("GET",), plain("api-hotspot-list"), everyone),
    *rows("api-hotspot-detail", ("GET",), of("api-hotspot-detail", "hotspot"), read(A.CASE_VIEW), COUNTIES),
    *rows(
        "api-hotspot-dismiss",
        ("POST",),
        of("api-hotspot-dismiss", "hotspot"),
        act(A.CASE_VIEW, A.CASE_DISPATCH),
        COUNTIES,
        body(**NOTE),
    ),
    *rows(
        "api-hotspot-merge",
        ("POST",),
        of("api-hotspot-merge", "hotspot"),
        act(A.CASE_VIEW, A.CASE_DISPATCH),
        COUNTIES,
        body(**NOTE),
    ),
    *rows("api-risk-warning-list", ("GET",), plain("api-risk-warning-list"), everyone),
    *rows("api-risk-warning-detail", ("GET",), of("api-risk-warning-detail", "warning"), read(A.WARNING_VIEW), ALL),
    *rows(
        "api-risk-warning-close",
        ("POST",),
        of("api-risk-warning-close", "warning"),
        act(A.WARNING_VIEW, A.WARNING_HANDLE),
        ALL,
        body(**NOTE),
    ),
    *rows(
        "api-risk-warning-measure",
        ("POST",),
        of("api-risk-warning-measure", "warning"),
        act(A.WARNING_VIEW, A.WARNING_HANDLE),
        ALL,
        body(kind="visit", **NOTE),
    ),
    *rows(
        "api-risk-warning-task-done",
        ("POST",),
        of("api-risk-warning-task-done", "warning", "pk", obj_pk("task")),
        rules.grid_task,
        ALL,
        body(**NOTE),
    ),
    # Mediation
    *rows("api-mediation-org-list", ("GET",), plain("api-mediation-org-list"), everyone),
    *rows(
        "api-mediation-org-list",
        ("POST",),
        plain("api-mediation-org-list"),
        create(A.ROSTER_MANAGE),
        ALL,
        body(center=center_code, name="矩阵调委会", kind="committee", short_name="矩阵"),
    ),
    *rows("api-mediation-org-detail", ("GET",), of("api-mediation-org-detail", "org"), read(A.CENTER_VIEW), ALL),
    *rows(
        "api-mediation-org-detail",
        ("PATCH",),
        of("api-mediation-org-detail", "org"),
        act(A.CENTER_VIEW, A.ROSTER_MANAGE),
        ALL,
        body(phone="0931-1234567"),
    ),
    *rows("api-mediator-list", ("GET",), plain("api-mediator-list"), everyone),
    *rows(
        "api-mediator-list",
        ("POST",),
        plain("api-mediator-list"),
        create(A.ROSTER_MANAGE),
        ALL,
        body(org=obj_pk("org"), name="矩阵调解员"),
    ),
    *rows(
        "api-mediator-suggest", ("GET",), with_query(plain("api-mediator-suggest"), case_query), read(A.CASE_VIEW), ALL
    ),
    *rows("api-mediator-detail", ("GET",), of("api-mediator-detail", "mediator"), read(A.CENTER_VIEW), ALL),
    *rows(
        "api-mediator-detail",
        ("PATCH",),
        of("api-mediator-detail", "mediator"),
        act(A.CENTER_VIEW, A.ROSTER_MANAGE),
        ALL,
        body(phone="13800000000"),
    ),
    *rows("api-assignment-list", ("GET",), plain("api-assignment-list"), everyone),
    *rows(
        "api-assignment-list",
        ("POST",),
        plain("api-assignment-list"),
        create(A.CASE_ASSIGN_MEDIATOR),
        ALL,
        body(case=obj_pk("case"), mediators=lambda w, r: [w.obj(r, "mediator").pk]),
    ),
    *rows("api-assignment-detail", ("GET",), of("api-assignment-detail", "assignment"), read(A.CASE_VIEW), ALL),
    *rows(
        "api-assignment-end",
        ("POST",),
        of("api-assignment-end", "assignment"),
        act(A.CASE_VIEW, A.CASE_ASSIGN_MEDIATOR),
        ALL,
        body(**NOTE),
    ),
    *rows("api-session-list", ("GET",), plain("api-session-list"), everyone),
    *rows(
        "api-session-list",
        ("POST",),
        plain("api-session-list"),
        create(A.CASE_RESOLVE),
        ALL,
        body(
            case=obj_pk("mediated_case"),
            place="调解室",
            attendees="双方",
            notes="矩阵",
            outcome="continue",
            mediators=lambda w, r: [w.obj(r, "mediator").pk],
        ),
    ),
    *rows("api-session-detail", ("GET",), of("api-session-detail", "session"), read(A.CASE_VIEW), ALL),
    *rows("api-session-pdf", ("GET",), of("api-session-pdf", "session"), PRINT, ALL),
    *rows("api-agreement-list", ("GET",), plain("api-agreement-list"), everyone),
    *rows(
        "api-agreement-list",
        ("POST",),
        plain("api-agreement-list"),
        create(A.CASE_RESOLVE),
        ALL,
        body(
            case=obj_pk("mediated_case"),
            org=obj_pk("org"),
            facts="事实",
            disputed_matters="争议",
            terms=[{"text": "赔偿"}],
        ),
    ),
    *rows("api-agreement-detail", ("GET",), of("api-agreement-detail", "agreement"), read(A.CASE_VIEW), ALL),
    *rows(
        "api-agreement-detail",
        ("PATCH",),
        of("api-agreement-detail", "agreement"),
        act(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
        body(**AGREEMENT),
    ),
    *rows("api-agreement-pdf", ("GET",), of("api-agreement-pdf", "agreement"), PRINT, ALL),
    *rows(
        "api-agreement-confirmation-application",
        ("GET",),
        of("api-agreement-confirmation-application", "agreement"),
        PRINT,
        ALL,
    ),
    *rows(
        "api-agreement-check-term",
        ("POST",),
        of("api-agreement-check-term", "agreement", "pk", constant(1)),
        act(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
        body(result="done", **NOTE),
    ),
    *rows(
        "api-agreement-sign",
        ("POST",),
        of("api-agreement-sign", "agreement"),
        act(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
        body(signed_on="2026-11-30", scan=scan),
        multipart=True,
    ),
    *rows(
        "api-agreement-supersede",
        ("POST",),
        of("api-agreement-supersede", "agreement"),
        act(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
        body(reason="更正", **AGREEMENT),
    ),
    # Grids
    *rows("api-grid-list", ("GET",), plain("api-grid-list"), everyone),
    *rows(
        "api-grid-list",
        ("POST",),
        plain("api-grid-list"),
        create(A.GRID_MANAGE),
        VILLAGES,
        body(center=lambda w, r: VILLAGE_PLACES[r], name="矩阵网格", kind="urban", households=400),
    ),
    *rows("api-grid-assessment", ("GET",), center_query("api-grid-assessment"), read(A.VISIT_VIEW), ALL),
    *rows("api-grid-coverage", ("GET",), center_query("api-grid-coverage"), read(A.GRID_VIEW), ALL),
    *rows("api-grid-detail", ("GET",), of("api-grid-detail", "grid", "code"), read(A.GRID_VIEW), VILLAGES),
    *rows(
        "api-grid-detail",
        ("PATCH",),
        of("api-grid-detail", "grid", "code"),
        act(A.GRID_VIEW, A.GRID_MANAGE),
        VILLAGES,
        body(households=420),
    ),
    *rows(
        "api-grid-assign",
        ("POST",),
        of("api-grid-assign", "grid", "code"),
        act(A.GRID_VIEW, A.GRID_MANAGE),
        VILLAGES,
        body(**NOTE),
    ),
    *rows(
        "api-grid-retire",
        ("POST",),
        of("api-grid-retire", "grid", "code"),
        act(A.GRID_VIEW, A.GRID_MANAGE),
        VILLAGES,
        body(**NOTE),
    ),
    *rows("api-grid-assignments", ("GET",), of("api-grid-assignments", "grid", "code"), read(A.GRID_VIEW), VILLAGES),
    *rows("api-grid-assignment-list", ("GET",), plain("api-grid-assignment-list"), everyone),
    *rows(
        "api-grid-assignment-detail",
        ("GET",),
        of("api-grid-assignment-detail", "grid_assignment"),
        read(A.VISIT_VIEW),
        VILLAGES,
    ),
    *rows(
        "api-grid-assignment-end",
        ("POST",),
        of("api-grid-assignment-end", "grid_assignment"),
        act(A.VISIT_VIEW, A.GRID_MANAGE),
        VILLAGES,
        body(**NOTE),
    ),
    *rows("api-police-grid-list", ("GET",), plain("api-police-grid-list"), everyone),
    *rows(
        "api-police-grid-list",
        ("POST",),
        plain("api-police-grid-list"),
        create(A.POLICE_GRID_MANAGE),
        TOWNSHIPS,
        body(center=lambda w, r: TOWNSHIP_PLACES[r], name="矩阵警格"),
    ),
    *rows(
        "api-police-grid-detail", ("GET",), of("api-police-grid-detail", "police_grid"), read(A.GRID_VIEW), TOWNSHIPS
    ),
    *rows(
        "api-police-grid-detail",
        ("PATCH",),
        of("api-police-grid-detail", "police_grid"),
        act(A.GRID_VIEW, A.POLICE_GRID_MANAGE),
        TOWNSHIPS,
        body(officer_name="王警官"),
    ),
    *rows("api-auxiliary-officer-list", ("GET",), plain("api-auxiliary-officer-list"), everyone),
    *rows(
        "api-auxiliary-officer-list",
        ("POST",),
        plain("api-auxiliary-officer-list"),
        create(A.POLICE_GRID_MANAGE),
        TOWNSHIPS,
        body(
            police_grid=obj_pk("police_grid"), village=lambda w, r: w.obj(r, "auxiliary").village_code, name="矩阵辅警"
        ),
    ),
    *rows(
        "api-auxiliary-officer-detail",
        ("GET",),
        of("api-auxiliary-officer-detail", "auxiliary"),
        read(A.GRID_VIEW),
        VILLAGES,
    ),
    *rows(
        "api-auxiliary-officer-detail",
        ("PATCH",),
        of("api-auxiliary-officer-detail", "auxiliary"),
        act(A.GRID_VIEW, A.POLICE_GRID_MANAGE),
        VILLAGES,
        body(phone="13800000001"),
    ),
    *rows("api-visit-list", ("GET",), plain("api-visit-list"), everyone),
    *rows(
        "api-visit-list",
        ("POST",),
        plain("api-visit-list"),
        create(A.VISIT_LOG, rules.NOT_DONE),
        VILLAGES,
        body(grid=lambda w, r: w.obj(r, "grid").code, place="2号楼"),
    ),
    *rows("api-visit-detail", ("GET",), of("api-visit-detail", "visit"), read(A.VISIT_VIEW), VILLAGES),
    *rows(
        "api-visit-report",
        ("POST",),
        of("api-visit-report", "visit"),
        act(A.VISIT_VIEW, A.CASE_CREATE),
        VILLAGES,
        body(title="走访发现"),
    ),
    # Exports and reports
    *rows("api-export-list", ("GET",), plain("api-export-list"), everyone),
    *rows(
        "api-export-list",
        ("POST",),
        plain("api-export-list"),
        create(A.REPORT_VIEW),
        ALL,
        body(kind="dashboard_pdf", params=lambda w, r: {"center": CASE_PLACES[r]}),
    ),
    *rows("api-export-detail", ("GET",), of("api-export-detail", "export"), owner_only, ALL),
    *rows("api-export-file", ("GET",), of("api-export-file", "export"), owner_only, ALL),
    *rows("api-report-dashboard", ("GET",), center_query("api-report-dashboard"), read(A.REPORT_VIEW), ALL),
    # The red/black list ranks the units under a county or a city.
    *rows("api-report-rankings", ("GET",), county_query("api-report-rankings"), read(A.REPORT_VIEW), COUNTIES),
    *rows(
        "api-report-rankings",
        ("POST",),
        plain("api-report-rankings"),
        create(A.RANKING_MANAGE),
        COUNTIES,
        body(center=county_code),
    ),
    *rows(
        "api-report-ranking-scheme", ("GET",), county_query("api-report-ranking-scheme"), read(A.REPORT_VIEW), COUNTIES
    ),
    *rows(
        "api-report-ranking-scheme",
        ("PUT",),
        plain("api-report-ranking-scheme"),
        create(A.RANKING_MANAGE),
        COUNTIES,
        body(center=county_code),
    ),
    # Onboarding imports: the runs of the importer's subtree (and their own)
    *rows("api-import-list", ("GET",), plain("api-import-list"), everyone),
    *rows(
        "api-import-list",
        ("POST",),
        plain("api-import-list"),
        create(A.ONBOARDING_IMPORT),
        ALL,
        body(kind="staff", center=center_code),
        multipart=True,
    ),
    *rows("api-import-template", ("GET",), plain("api-import-template", "?kind=staff"), page_for(A.ONBOARDING_IMPORT)),
    *rows("api-import-detail", ("GET",), of("api-import-detail", "import_run"), read(A.ONBOARDING_IMPORT), ALL),
    *rows(
        "api-import-errors", ("GET",), of("api-import-errors", "import_run"), read_or_conflict(A.ONBOARDING_IMPORT), ALL
    ),
    *rows(
        "api-import-apply",
        ("POST",),
        of("api-import-apply", "import_run"),
        act(A.ONBOARDING_IMPORT, A.ONBOARDING_IMPORT),
        ALL,
    ),
    # The public: no login, a receipt code instead
    *rows("public-report", ("POST",), plain("public-report"), rules.public_form, public=True),
    *rows(
        "public-report-status",
        ("GET",),
        lambda w, r: reverse("public-report-status", args=[w.obj(r, "receipt")]),
        rules.public,
        ALL,
        public=True,
    ),
    *rows(
        "public-report-rating",
        ("POST",),
        lambda w, r: reverse("public-report-rating", args=[w.obj(r, "receipt")]),
        rules.public_form,
        ALL,
        body(value="satisfied", phone_last4="0000"),
        public=True,
    ),
]

# --- Pages ----------------------------------------------------------------------------------------

GET_POST = ("GET", "POST")  # a page without a method decorator answers both; a POST reads like a GET


PAGES: list[Row] = [
    *rows("home", GET_POST, plain("home"), everyone),
    *rows("center-detail", GET_POST, of("center-detail", "center", "code"), read(A.CENTER_VIEW), ALL),
    *rows("center-qr", GET_POST, of("center-qr", "center", "code", constant("svg")), read(A.CENTER_VIEW), ALL),
    *rows("audit-log", ("GET",), plain("audit-log"), page_for(A.AUDIT_VIEW)),
    # Cases
    *rows("case-list", GET_POST, plain("case-list"), everyone),
    *rows("case-intake", ("GET",), plain("case-intake"), page_for(A.CASE_CREATE)),
    *rows(
        "case-intake",
        ("POST",),
        plain("case-intake"),
        create(A.CASE_CREATE),
        ALL,
        body(center=center_code, kind="dispute", channel="walk_in", title="矩阵新案", facts="事实"),
    ),
    *rows("case-detail", GET_POST, of("case-detail", "case"), read(A.CASE_VIEW), ALL),
    *rows(
        "case-verb",
        ("POST",),
        of("case-verb", "case", "pk", constant("classify")),
        act(A.CASE_VIEW, A.CASE_CLASSIFY),
        ALL,
        body(category="d-neighbour--drainage"),
    ),
    *rows(
        "case-attachment-upload", ("POST",), of("case-attachment-upload", "case"), act(A.CASE_VIEW, A.CASE_ATTACH), ALL
    ),
    *rows(
        "case-attachment", GET_POST, of("case-attachment", "case", "pk", obj_pk("attachment")), read(A.CASE_VIEW), ALL
    ),
    *rows("notifications", GET_POST, plain("notifications"), everyone),
    # The public
    *rows(
        "public-form",
        GET_POST,
        lambda w, r: reverse("public-form", args=[w.centers[CASE_PLACES[r]].public_token]),
        rules.public_form,
        ALL,
        public=True,
    ),
    *rows("receipt-lookup", GET_POST, plain("receipt-lookup"), rules.public, public=True),
    *rows(
        "receipt-status",
        GET_POST,
        lambda w, r: reverse("receipt-status", args=[w.obj(r, "receipt")]),
        rules.public_form,
        ALL,
        public=True,
    ),
    # Hand-offs
    *rows("handoff-list", GET_POST, plain("handoff-list"), everyone),
    *rows("handoff-diversion-hint", ("GET",), plain("handoff-diversion-hint"), sender("court")),
    *rows("handoff-departments", ("GET",), plain("handoff-departments"), sender("petition")),
    *rows("handoff-new", ("GET",), lambda w, r: reverse("handoff-new", args=["court"]), sender("court")),
    *rows(
        "handoff-new",
        ("POST",),
        lambda w, r: reverse("handoff-new", args=["court"]),
        sender("court", write=True),
        HANDOFF_PLACES,
        body(center=center_code, external_ref="(2026)甘0102民诉前调7002号", title="借款纠纷"),
    ),
    # The court's bulk import (a file of court cases).
    *rows("handoff-import", GET_POST, plain("handoff-import"), sender("court")),
    *rows("handoff-import-template", ("GET",), plain("handoff-import-template"), sender("court")),
    *rows("handoff-detail", GET_POST, of("handoff-detail", "handoff"), read(A.HANDOFF_VIEW), HANDOFF_PLACES),
    *rows(
        "handoff-verb",
        ("POST",),
        of("handoff-verb", "handoff", "pk", constant("receive")),
        act(A.HANDOFF_VIEW, A.HANDOFF_RECEIVE),
        HANDOFF_PLACES,
    ),
    # Risk warnings and hotspots
    # Department officers and grid workers get visit tasks of warnings: the list opens for them too.
    *rows(
        "warning-list",
        GET_POST,
        plain("warning-list"),
        page_for(A.WARNING_VIEW, also=frozenset({Role.DEPARTMENT, Role.GRID_WORKER})),
    ),
    *rows("warning-detail", GET_POST, of("warning-detail", "warning"), read(A.WARNING_VIEW), ALL),
    *rows(
        "warning-verb",
        ("POST",),
        of("warning-verb", "warning", "pk", constant("measure")),
        act(A.WARNING_VIEW, A.WARNING_HANDLE),
        ALL,
        body(kind="visit", **NOTE),
    ),
    *rows(
        "warning-task-done",
        ("POST",),
        of("warning-task-done", "warning", "pk", obj_pk("task")),
        rules.grid_task,
        ALL,
        body(**NOTE),
    ),
    *rows("hotspot-list", GET_POST, plain("hotspot-list"), everyone),
    *rows("hotspot-detail", GET_POST, of("hotspot-detail", "hotspot"), read(A.CASE_VIEW), COUNTIES),
    *rows(
        "hotspot-verb",
        ("POST",),
        of("hotspot-verb", "hotspot", "pk", constant("dismiss")),
        act(A.CASE_VIEW, A.CASE_DISPATCH),
        COUNTIES,
        body(**NOTE),
    ),
    # Mediation
    *rows("mediation-desk", GET_POST, plain("mediation-desk"), everyone),
    *rows(
        "mediation-assign",
        GET_POST,
        of("mediation-assign", "mediated_case"),
        act_denied(A.CASE_VIEW, A.CASE_ASSIGN_MEDIATOR),
        ALL,
    ),
    *rows(
        "mediation-unassign",
        ("POST",),
        of("mediation-unassign", "mediated_case", "pk", obj_pk("assignment")),
        act_denied(A.CASE_VIEW, A.CASE_ASSIGN_MEDIATOR),
        ALL,
        body(**NOTE),
    ),
    *rows("mediation-sessions", GET_POST, of("mediation-sessions", "mediated_case"), read(A.CASE_VIEW), ALL),
    *rows(
        "mediation-session-new",
        GET_POST,
        of("mediation-session-new", "mediated_case"),
        act_denied(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
    ),
    *rows(
        "mediation-agreement-new",
        GET_POST,
        of("mediation-agreement-new", "mediated_case"),
        act_denied(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
    ),
    *rows("mediation-agreement", GET_POST, of("mediation-agreement", "agreement"), read(A.CASE_VIEW), ALL),
    *rows(
        "mediation-agreement-edit",
        GET_POST,
        of("mediation-agreement-edit", "agreement"),
        act_denied(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
    ),
    *rows(
        "mediation-agreement-sign",
        ("POST",),
        of("mediation-agreement-sign", "agreement"),
        act_denied(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
    ),
    *rows("mediation-agreement-scan", GET_POST, of("mediation-agreement-scan", "agreement"), PRINT, ALL),
    *rows(
        "mediation-term-check",
        ("POST",),
        of("mediation-term-check", "agreement", "pk", constant(1)),
        act_denied(A.CASE_VIEW, A.CASE_RESOLVE),
        ALL,
        body(result="done", **NOTE),
    ),
    # Grids
    *rows("grids-home", GET_POST, plain("grids-home"), everyone),
    *rows("grids-mine", GET_POST, plain("grids-mine"), everyone),
    # The form opens at the user's own subtree: a superuser has none and lays out grids in the admin.
    *rows("grid-new", GET_POST, plain("grid-new"), page_for(A.GRID_MANAGE, superuser=rules.DENIED)),
    *rows("grids-visits", ("GET",), plain("grids-visits"), everyone),
    *rows("visit-photo", ("GET",), of("visit-photo", "visit"), read(A.VISIT_VIEW), VILLAGES),
    *rows(
        "grid-visit-report",
        GET_POST,
        of("grid-visit-report", "visit"),
        act_denied(A.VISIT_VIEW, A.CASE_CREATE),
        VILLAGES,
    ),
    *rows("grids-center", ("GET",), of("grids-center", "center", "code"), read(A.GRID_VIEW), ALL),
    *rows(
        "grids-weights",
        GET_POST,
        lambda w, r: reverse("grids-weights", args=[COUNTY_PLACES[r]]),
        act_denied(A.GRID_VIEW, A.GRID_MANAGE),
        COUNTIES,
    ),
    *rows(
        "police-grid-new",
        GET_POST,
        of("police-grid-new", "center", "code"),
        act_denied(A.GRID_VIEW, A.POLICE_GRID_MANAGE),
        TOWNSHIPS,
    ),
    *rows("police-grid-detail", ("GET",), of("police-grid-detail", "police_grid"), read(A.GRID_VIEW), TOWNSHIPS),
    *rows(
        "police-grid-edit",
        GET_POST,
        of("police-grid-edit", "police_grid"),
        act_denied(A.GRID_VIEW, A.POLICE_GRID_MANAGE),
        TOWNSHIPS,
    ),
    *[
        row
        for name in ("police-grid-retire", "police-grid-reactivate", "police-auxiliary-add")
        for row in rows(
            name,
            ("POST",),
            of(name, "police_grid"),
            act_denied(A.GRID_VIEW, A.POLICE_GRID_MANAGE),
            TOWNSHIPS,
            body(name="矩阵辅警", **NOTE),
        )
    ],
    *[
        row
        for name in ("police-auxiliary-move", "police-auxiliary-deactivate", "police-auxiliary-reactivate")
        for row in rows(
            name,
            ("POST",),
            of(name, "police_grid", "pk", obj_pk("auxiliary")),
            act_denied(A.GRID_VIEW, A.POLICE_GRID_MANAGE),
            TOWNSHIPS,
            body(**NOTE),
        )
    ],
    *rows("grid-detail", ("GET",), of("grid-detail", "grid", "code"), read(A.GRID_VIEW), VILLAGES),
    *rows(
        "grid-visit-new",
        GET_POST,
        of("grid-visit-new", "grid", "code"),
        rules.visit_log(act_denied(A.GRID_VIEW, A.VISIT_LOG)),
        VILLAGES,
    ),
    *rows("grid-edit", GET_POST, of("grid-edit", "grid", "code"), act_denied(A.GRID_VIEW, A.GRID_MANAGE), VILLAGES),
    *rows("grid-assign", ("POST",), of("grid-assign", "grid", "code"), act(A.GRID_VIEW, A.GRID_MANAGE), VILLAGES),
    *rows(
        "grid-unassign",
        ("POST",),
        of("grid-unassign", "grid", "code", obj_pk("grid_assignment")),
        act(A.GRID_VIEW, A.GRID_MANAGE),
        VILLAGES,
        body(**NOTE),
    ),
    *rows(
        "grid-retire",
        ("POST",),
        of("grid-retire", "grid", "code"),
        act(A.GRID_VIEW, A.GRID_MANAGE),
        VILLAGES,
        body(**NOTE),
    ),
    # Reports and exports
    *rows("report-dashboard", GET_POST, center_query("report-dashboard"), read(A.REPORT_VIEW), ALL),
    *rows(
        "report-ranking",
        GET_POST,
        lambda w, r: reverse("report-ranking") + f"?center={COUNTY_PLACES[r]}",
        read(A.REPORT_VIEW),
        COUNTIES,
    ),
    *rows(
        "report-ranking-publish",
        ("POST",),
        plain("report-ranking-publish"),
        create(A.RANKING_MANAGE),
        COUNTIES,
        body(center=lambda w, r: COUNTY_PLACES[r]),
    ),
    *rows(
        "report-ranking-scheme",
        ("GET",),
        lambda w, r: reverse("report-ranking-scheme") + f"?center={COUNTY_PLACES[r]}",
        read(A.REPORT_VIEW),
        COUNTIES,
    ),
    *rows(
        "report-ranking-scheme",
        ("POST",),
        lambda w, r: reverse("report-ranking-scheme") + f"?center={COUNTY_PLACES[r]}",
        create(A.RANKING_MANAGE),
        COUNTIES,
        body(center=lambda w, r: COUNTY_PLACES[r]),
    ),
    *rows("export-list", ("GET",), plain("export-list"), everyone),
    *rows(
        "export-start",
        ("POST",),
        plain("export-start"),
        create(A.REPORT_VIEW),
        ALL,
        body(kind="dashboard_pdf", center=center_code),
    ),
    *rows("export-download", ("GET",), of("export-download", "export"), owner_only, ALL),
    # Onboarding imports (division lists and rosters)
    *rows("imports-home", GET_POST, plain("imports-home"), rules.importer(everyone)),
    *rows(
        "import-template", ("GET",), lambda w, r: reverse("import-template", args=["staff"]), rules.importer(everyone)
    ),
    *rows("import-detail", ("GET",), of("import-detail", "import_run"), rules.importer(read(A.ONBOARDING_IMPORT)), ALL),
    # The error report re-reads the kept file: the world's made-up file may be refused (409).
    *rows(
        "import-error-report",
        ("GET",),
        of("import-error-report", "import_run"),
        rules.importer(read_or_conflict(A.ONBOARDING_IMPORT), superuser=rules.OK | {"invalid"}),
        ALL,
    ),
    *rows(
        "import-apply",
        ("POST",),
        of("import-apply", "import_run"),
        rules.importer(act(A.ONBOARDING_IMPORT, A.ONBOARDING_IMPORT), superuser=rules.PASSES),
        ALL,
    ),
]

MATRIX: list[Row] = API + PAGES

# Routes that are not the access policy's business, each with its reason. Keys are route names, or
# a namespace followed by ":" for every route in it.
EXEMPT: dict[str, str] = {
    "admin:": "Django's admin site: staff only, guarded by the admin's own permission checks",
    "login": "the login form itself (its lockout is tested in tests/security/test_lockout.py)",
    "logout": "signing out",
    "set_language": "switches the interface language, no data",
    "javascript-catalog": "the translated strings for scripts, no data",
    "schema": "the OpenAPI document: the API's shape, no data",
    "swagger-ui": "the offline Swagger UI over the schema, no data",
    "api-root": "DRF's fixed map of links, no data",
    "api-token": "exchanges a password for a token (throttled and locked out in tests/security)",
    "verify-form": "public by design: the form to check a printed document's code",
    "verify-document": "public by design: whether a code is genuine, no personal data (tests/govcenter/test_pdf.py)",
}


def exempt_reason(name: str) -> str | None:
    if name in EXEMPT:
        return EXEMPT[name]
    namespace = name.split(":", 1)[0] + ":" if ":" in name else None
    return EXEMPT.get(namespace) if namespace else None

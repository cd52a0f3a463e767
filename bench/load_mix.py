"""What the people of `make load` do: clerks, mediators, directors and citizens, each a list of request
kinds with weights, written against a small `Browser` interface so that the same code runs under
locust (bench/locustfile.py, over HTTP against gunicorn) and under Django's test client
(tests/bench/test_load_mix.py, which keeps this file from rotting).

Staff log in through the login page and send the CSRF token back as browsers do: in the form
(`csrfmiddlewaretoken`) for pages, in the X-CSRFToken header for the API (as htmx does). Every request
names the statuses it expects; anything else (a 5xx always) is an error of the run. A few kinds expect
a 4xx on purpose (a case outside the clerk's township answers 404), so a scoping slip shows up too.

This module imports nothing of Django's or locust's: the plan (who logs in, which centers, which
cases) comes in as data from bench/load.py or from the test.
"""

import itertools
import random
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

OK = (200,)
REDIRECT = (302, 303)
CREATED = (201,)
NOT_FOUND = (404,)

CASE_ID = re.compile(r"/cases/(\d+)/")


@dataclass
class Plan:
    """Who and what the run works with; bench/load.py reads it from the database, the test builds it."""

    password: str
    clerks: list[str]
    mediators: dict[str, int]  # username → their Mediator id
    directors: list[tuple[str, str]]  # (username, the center code of their dashboard)
    township: str  # where the clerks record walk-ins
    county: str
    category: str  # a category code to classify with
    departments: list[int]  # where the clerks dispatch to
    public_tokens: list[str]  # QR tokens of centers that take citizens' reports
    mediation_cases: dict[str, list[int]]  # mediator username → cases in mediation assigned to them
    foreign_case: int  # a case in another township: the clerks must get 404 for it
    ranking_month: str  # YYYY-MM
    seed: int = 2026
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Plan":
        data = dict(data)
        data["directors"] = [tuple(pair) for pair in data["directors"]]
        return cls(**data)


class Reply(Protocol):
    status: int
    location: str
    text: str

    def json(self): ...


class Browser(Protocol):
    """One person's browser: keeps cookies; `request` records the reply under `kind` and counts it as an
    error unless its status is in `expect`."""

    def request(self, kind: str, method: str, path: str, *, form=None, json=None, headers=None, expect=OK) -> Reply: ...

    def cookie(self, name: str) -> str: ...


# Citizens and walk-ins: varied, realistic words.
TITLES = ["邻居装修噪音扰民", "楼道堆放杂物", "拖欠工资", "物业费争议", "宅基地边界纠纷", "宠物伤人", "下水道堵塞"]
FACTS = [
    "楼上邻居每天晚上十一点以后还在装修，多次沟通无果，希望中心出面协调。",
    "在工地干了三个月，包工头一直拖欠工资共计一万二千元，联系不上。",
    "两家因宅基地边界发生争执，双方各执一词，担心矛盾升级。",
    "单元楼道里堆满了纸箱和旧家具，存在消防隐患，物业不管。",
]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]
_serial = itertools.count(1)


def unique_phone(rng: random.Random) -> str:
    # A phone no one else uses: the duplicate check (same person, open case) must not fire.
    return f"13{rng.randrange(10**8):08d}{next(_serial) % 10}"


class Person:
    """A member of staff or a citizen with a browser; `tasks()` are the weighted things they do."""

    def __init__(self, browser: Browser, plan: Plan, rng: random.Random | None = None):
        self.browser, self.plan = browser, plan
        self.rng = rng or random.Random()

    def get(self, kind, path, expect=OK):
        return self.browser.request(kind, "GET", path, expect=expect)

    def post_form(self, kind, path, data, expect=REDIRECT):
        form = {"csrfmiddlewaretoken": self.browser.cookie("csrftoken"), **data}
        return self.browser.request(kind, "POST", path, form=form, expect=expect)

    def post_json(self, kind, path, body, expect=OK):
        headers = {"X-CSRFToken": self.browser.cookie("csrftoken")}
        return self.browser.request(kind, "POST", path, json=body, headers=headers, expect=expect)

    def log_in(self, username: str) -> bool:
        self.get("login page", "/accounts/login/")
        reply = self.post_form("log in", "/accounts/login/", {"username": username, "password": self.plan.password})
        return reply.status in REDIRECT


class Clerk(Person):
    """An intake clerk at the township: lists and filters, opens cases, records walk-ins and classifies
    and dispatches them."""

    weight = 5

    def __init__(self, browser, plan, rng=None, username=None):
        super().__init__(browser, plan, rng)
        self.username = username or self.rng.choice(plan.clerks)
        self.seen: list[int] = []
        self.mine: list[int] = []

    def tasks(self):
        return [
            (self.case_list_page, 4),
            (self.case_list_api, 4),
            (self.case_page, 4),
            (self.walk_in, 2),
            (self.foreign_case, 1),
        ]

    def page_filters(self) -> list[str]:
        return ["", "?status=received", "?status=in_mediation", "?overdue=true", "?q=纠纷", "?page=2"]

    def api_filters(self) -> list[str]:
        since = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
        return [
            f"under={self.plan.township}",
            f"under={self.plan.township}&status=received&status=classified",
            "kind=dispute&overdue=true",
            f"channel=walk_in&created_after={since}",
            "q=纠纷",
        ]

    def case_list_page(self, query=None):
        query = self.rng.choice(self.page_filters()) if query is None else query
        self.get("clerk: case list page", f"/cases/{query}")

    def case_list_api(self, query=None):
        query = self.rng.choice(self.api_filters()) if query is None else query
        reply = self.get("clerk: case list API", f"/api/v1/cases/?{query}&page_size=25")
        if reply.status == 200:
            self.seen = [row["id"] for row in reply.json()["results"]] or self.seen

    def case_page(self):
        case_id = self.rng.choice(self.seen or self.mine or [None])
        if case_id is None:
            return self.case_list_api()
        self.get("clerk: case page", f"/cases/{case_id}/")

    def walk_in(self):
        """A citizen walks in: the intake form, then classify and dispatch through the API."""
        self.get("clerk: intake form", "/cases/new/")
        reply = self.post_form(
            "clerk: record a walk-in",
            "/cases/new/",
            {
                "center": self.plan.township,
                "kind": "dispute",
                "channel": "walk_in",
                "category": "",
                "title": self.rng.choice(TITLES),
                "facts": self.rng.choice(FACTS),
                "place": "东岗街道人民路12号",
                "people_count": "2",
                "severity": "medium",
                "applicant-party_kind": "person",
                "applicant-name": self.rng.choice(NAMES),
                "applicant-phone": unique_phone(self.rng),
                "respondent-party_kind": "person",
                "respondent-name": self.rng.choice(NAMES),
                "third_party-party_kind": "person",
            },
        )
        match = CASE_ID.search(reply.location or "")
        if not match:
            return
        case_id = int(match.group(1))
        self.mine.append(case_id)
        self.get("clerk: case page", f"/cases/{case_id}/")
        classified = self.post_json(
            "clerk: classify (API)", f"/api/v1/cases/{case_id}/classify/", {"category": self.plan.category}
        )
        if classified.status == 200:
            self.post_json(
                "clerk: dispatch (API)",
                f"/api/v1/cases/{case_id}/dispatch/",
                {"departments": [self.rng.choice(self.plan.departments)], "instructions": "请于五个工作日内办结。"},
            )

    def foreign_case(self):
        self.get("clerk: another township's case (404)", f"/api/v1/cases/{self.plan.foreign_case}/", NOT_FOUND)


class Mediator(Person):
    """A mediator: the desk, one of their cases, a session logged on it."""

    weight = 2

    def __init__(self, browser, plan, rng=None, username=None):
        super().__init__(browser, plan, rng)
        self.username = username or self.rng.choice(sorted(plan.mediators))

    def tasks(self):
        return [(self.desk, 3), (self.their_case, 3), (self.log_session, 1)]

    def _case(self) -> int:
        return self.rng.choice(self.plan.mediation_cases[self.username])

    def desk(self):
        self.get("mediator: desk", "/mediation/")

    def their_case(self):
        case_id = self._case()
        self.get("mediator: case page", f"/cases/{case_id}/")
        self.get("mediator: sessions (API)", f"/api/v1/sessions/?case={case_id}")

    def log_session(self):
        held_at = datetime.now(UTC) - timedelta(hours=1, minutes=self.rng.randrange(60))
        self.post_json(
            "mediator: log a session (API)",
            "/api/v1/sessions/",
            {
                "case": self._case(),
                "held_at": held_at.isoformat(),
                "place": "东岗街道调解室",
                "mediators": [self.plan.mediators[self.username]],
                "attendees": "申请人、被申请人",
                "notes": "双方陈述事实，初步同意分担维修费用，约定下次继续调解。",
                "next_steps": "下周再约双方",
                "outcome": "continue",
            },
            expect=CREATED,
        )


class Director(Person):
    """A director at county, city or province: the dashboard (the command post at county level), its
    API, the ranking preview, the overdue list."""

    weight = 2

    def __init__(self, browser, plan, rng=None, username=None):
        super().__init__(browser, plan, rng)
        directors = dict(plan.directors)
        self.username = username or self.rng.choice(sorted(directors))
        self.center = directors[self.username]
        self.level = {2: "province", 4: "city", 6: "county"}.get(len(self.center), "township")

    def tasks(self):
        tasks = [(self.dashboard, 3), (self.dashboard_api, 2), (self.overdue_cases, 2)]
        if self.level in ("city", "county"):  # where the red/black list is drawn up
            tasks.append((self.ranking_preview, 1))
        return tasks

    def dashboard(self):
        self.get(f"director: dashboard page ({self.level})", f"/reports/?center={self.center}")

    def dashboard_api(self):
        self.get(f"director: dashboard API ({self.level})", f"/api/v1/reports/dashboard/?center={self.center}")

    def overdue_cases(self):
        self.get(f"director: overdue cases ({self.level})", f"/api/v1/cases/?under={self.center}&overdue=true")

    def ranking_preview(self):
        month = self.plan.ranking_month
        self.get(f"director: ranking preview ({self.level})", f"/reports/ranking/?center={self.center}&month={month}")


class Citizen(Person):
    """A citizen with a center's QR code: the form, a report through the public API, its status."""

    weight = 1

    def __init__(self, browser, plan, rng=None, username=None):
        super().__init__(browser, plan, rng)
        self.address = None

    def tasks(self):
        return [(self.report, 3), (self.unknown_receipt, 1)]

    def new_address(self) -> dict:
        # Each citizen reports from their own address (the public throttle counts per address).
        n = next(_serial) + self.rng.randrange(1 << 22) * 64
        self.address = f"10.{(n >> 16) % 256}.{(n >> 8) % 256}.{n % 256}"
        return {"X-Forwarded-For": self.address}

    def report(self):
        token = self.rng.choice(self.plan.public_tokens)
        headers = self.new_address()
        self.browser.request("citizen: QR form page", "GET", f"/r/{token}/", headers=headers, expect=OK)
        body = {
            "token": token,
            "name": self.rng.choice(NAMES),
            "phone": unique_phone(self.rng),
            "kind": self.rng.choice(["request", "dispute", "risk"]),
            "title": self.rng.choice(TITLES),
            "facts": self.rng.choice(FACTS),
            "place": "柳寨村二组",
        }
        reply = self.browser.request(
            "citizen: report (public API)",
            "POST",
            "/api/v1/public/reports/",
            json=body,
            headers=headers,
            expect=CREATED,
        )
        if reply.status == 201:
            receipt = reply.json()["receipt"]
            self.browser.request(
                "citizen: report status", "GET", f"/api/v1/public/reports/{receipt}/", headers=headers, expect=OK
            )

    def unknown_receipt(self):
        self.browser.request(
            "citizen: unknown receipt (404)",
            "GET",
            "/api/v1/public/reports/NOSUCHRECEIPT1/",
            headers=self.new_address(),
            expect=NOT_FOUND,
        )


PEOPLE = [Clerk, Mediator, Director, Citizen]


def pick_task(person: Person):
    tasks = person.tasks()
    return person.rng.choices([task for task, _weight in tasks], weights=[weight for _task, weight in tasks])[0]

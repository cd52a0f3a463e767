"""Browser journeys: Playwright driving Debian's Chromium against the live server.

Skipped, with the reason, where /usr/bin/chromium is missing (`.ci/run` installs it; on a workstation
`apt-get install chromium`). Never `playwright install`: no browser is downloaded.

Each journey saves its key screens under tests/e2e/screenshots/ (ignored by git) with `shoot(page, name)`.
"""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
PASSWORD = "Journey@2026"

# The live server runs in a thread and Playwright's sync API keeps an event loop in this one: the
# test's own ORM calls (fixtures, checks) are then "in an async context" to Django, wrongly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


def _fontconfig_with_chinese(folder: Path) -> Path:
    """A fontconfig file that adds the Noto Sans SC the PDFs use (installed from PyPI) to the system's
    fonts: without a CJK font the screenshots show Chinese as empty boxes."""
    import pylopdf_fonts_zh_cn

    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(pylopdf_fonts_zh_cn.sans_path()).parent}</dir>"
        f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>"
    )
    return conf


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, tmp_path_factory):
    fonts = _fontconfig_with_chinese(tmp_path_factory.mktemp("fonts"))
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "env": env}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chinese first: the portal answers in zh-hans by default; the browser asks for it as a user would.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": settings.TIME_ZONE}


@pytest.fixture
def phone_page(browser, browser_context_args, live_server):
    """A phone-sized page (390 × 844, touch) for the grid worker and the citizen."""
    context = browser.new_context(**browser_context_args, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# The data migrations' rows every journey's world stands on (categories, the default time limits,
# the risk indicators).
SEEDING_MIGRATIONS = ("cases.migrations.0002_seed_taxonomy_and_default_policy", "cases.migrations.0009_risk_indicators")


@pytest.fixture(autouse=True)
def _seeded_rows(request):
    """A live-server test is transactional, and each such test empties every table after itself,
    the migrations' seeded rows included: put them back (idempotently) before the journey. Unlike
    serialized_rollback this holds in any order with the other transactional tests of the suite."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for name in SEEDING_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


@pytest.fixture(autouse=True)
def _page_defaults(request):
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(15_000)


def shoot(page, name: str) -> Path:
    """Save a full-page screenshot of the key screen `name` (test-scoped names: journey-step)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def sign_in(live_server):
    """Log `user` in through the login page, as a person would (user's password is PASSWORD)."""

    def login(page, user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("input[name=username]").fill(user.get_username())
        page.locator("input[name=password]").fill(password)
        page.locator("form [type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        return page

    return login


@pytest.fixture
def with_password():
    """Give a user the journeys' password (factories use an unusable or random one)."""

    def give(user):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    return give

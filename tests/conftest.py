"""Shared fixtures: a small tree with named people at known places in it.

The tree (relations are from the point of view of a member of township 620102001):

    62 甘肃省
    └── 6201 兰州市
        ├── 620102 城关区                 parent
        │   ├── 620102001 东岗街道         own
        │   │   └── 620102001001 东岗社区  child
        │   └── 620102002 雁南街道         sibling
    └── 6202 嘉峪关市
        └── 620201 市辖区
            └── 620201001 新城镇           unrelated
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership, Role
from tests.factories import UserFactory

# Fixtures of the cases app (a clerk, a director, make_case …), shared by the apps built on cases.
pytest_plugins = ["tests.fixtures_cases"]

# Hashing with PBKDF2 would make each created user cost a quarter of a second.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

OWN = "620102001"
PARENT = "620102"
CHILD = "620102001001"
SIBLING = "620102002"
UNRELATED = "620201001"

RELATIONS = {"own": OWN, "parent": PARENT, "child": CHILD, "sibling": SIBLING, "unrelated": UNRELATED}


@pytest.fixture(autouse=True)
def _tasks_run_inline(monkeypatch):
    # django-q2 tasks run synchronously in tests (the setting is read at import, so patch Conf).
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture(autouse=True)
def _portal_language_after_each_test():
    # A request leaves its language active in the thread (LocaleMiddleware does not reset it): an
    # English request must not make the next test's data English.
    yield
    translation.deactivate()


@pytest.fixture
def no_pdf_layout(monkeypatch):
    """PDFs are rendered up to their HTML (what they read and who may read it) without WeasyPrint's
    page layout, which takes a tenth of a second a page and decides nothing about access."""
    import weasyprint

    from govcenter import pdf

    class NoLayout:
        def __init__(self, string, **kwargs):
            assert string.strip()

        def write_pdf(self, **kwargs) -> bytes:
            return b"%PDF-1.7 (layout skipped)"

    monkeypatch.setattr(weasyprint, "HTML", NoLayout)
    monkeypatch.setattr(pdf, "_font_stylesheet", lambda: (None, None))


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def _center(code, level, name, parent=None):
    return Center.objects.create(code=code, level=level, name=name, parent_id=parent)


@pytest.fixture
def tree(db):
    centers = {
        "62": _center("62", Level.PROVINCE, "甘肃省"),
        "6201": _center("6201", Level.CITY, "兰州市", "62"),
        "6202": _center("6202", Level.CITY, "嘉峪关市", "62"),
        PARENT: _center(PARENT, Level.COUNTY, "城关区", "6201"),
        "620201": _center("620201", Level.COUNTY, "市辖区", "6202"),
    }
    centers[OWN] = _center(OWN, Level.TOWNSHIP, "东岗街道", PARENT)
    centers[SIBLING] = _center(SIBLING, Level.TOWNSHIP, "雁南街道", PARENT)
    centers[UNRELATED] = _center(UNRELATED, Level.TOWNSHIP, "新城镇", "620201")
    centers[CHILD] = _center(CHILD, Level.VILLAGE, "东岗社区", OWN)
    for code in (PARENT, OWN, SIBLING, CHILD, UNRELATED):
        Department.objects.create(
            center=centers[code], center_code=code, name=f"{centers[code].name}司法所", kind=Department.Kind.JUSTICE
        )
    return centers


def make_member(center: Center, role: str, **user_fields) -> Membership:
    user = UserFactory(**user_fields)
    return Membership.objects.create(user=user, center=center, center_code=center.code, role=role)


@pytest.fixture
def member_at(tree):
    """`member_at(relation_or_code, role)` → a new user holding that role there."""

    def build(where: str, role: str = Role.CLERK, **user_fields):
        code = RELATIONS.get(where, where)
        return make_member(tree[code], role, **user_fields).user

    return build


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(db):
    """A client of its own for each user, so several people can act in one test."""

    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, username="root")

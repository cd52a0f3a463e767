import pytest

from govcenter.models import Role
from tests.conftest import RELATIONS
from tests.factories import TEST_PASSWORD


def test_login_page_speaks_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_language_switch_to_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Log in" in client.get("/accounts/login/").content.decode()


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_login_then_home_shows_each_role_and_what_it_can_do(client, member_at, tree):
    from govcenter.models import Membership

    clerk = member_at("own", Role.CLERK)
    Membership.objects.create(
        user=clerk, center=tree[RELATIONS["child"]], center_code=RELATIONS["child"], role=Role.GRID_WORKER
    )
    response = client.post("/accounts/login/", {"username": clerk.username, "password": TEST_PASSWORD}, follow=True)
    html = response.content.decode()
    assert "受理员" in html and "网格员" in html
    assert "东岗街道" in html and "东岗社区" in html
    assert "分类" in html  # the clerk's duty: records, classifies and dispatches


def test_home_warns_when_next_years_holidays_are_not_configured(client, member_at):
    client.force_login(member_at("own", Role.CLERK))
    html = client.get("/").content.decode()
    assert "2027" in html and "周一至周五" in html


@pytest.mark.parametrize(
    ("relation", "status"), [("own", 200), ("parent", 200), ("child", 200), ("sibling", 404), ("unrelated", 404)]
)
def test_center_page_follows_the_policy(client, member_at, relation, status):
    client.force_login(member_at("own", Role.CLERK))
    assert client.get(f"/centers/{RELATIONS[relation]}/").status_code == status


def test_center_page_shows_staff_only_to_those_who_may_see_them(client, member_at):
    member_at("own", Role.MEDIATOR, first_name="调解员甲")
    client.force_login(member_at("own", Role.CLERK))
    assert "调解员甲" not in client.get(f"/centers/{RELATIONS['own']}/").content.decode()
    client.force_login(member_at("parent", Role.DIRECTOR))
    assert "调解员甲" in client.get(f"/centers/{RELATIONS['own']}/").content.decode()


def test_vendored_assets_are_served_locally(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/vendor/htmx-2.0.4.min.js" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html

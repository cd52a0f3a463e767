"""In a real browser, under the portal's Content-Security-Policy (no inline handler allowed), the
behaviours that used to be inline handlers still work: choosing a language sends the switcher's form,
and a destructive form asks first and is sent only when the user agrees. The browser reports no
policy violation on the way."""

import pytest

from govcenter.models import Role
from grids import services
from grids.models import AuxiliaryOfficer, GridKind
from tests.conftest import CHILD, OWN

pytestmark = pytest.mark.django_db(transaction=True)


def watch_for_violations(page) -> list[str]:
    """Chromium logs every refused script or handler to the console."""
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    return violations


def test_the_language_switcher_sends_its_form_without_an_inline_handler(page, live_server, tree):
    violations = watch_for_violations(page)
    page.goto(f"{live_server.url}/r/{tree[OWN].public_token}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []


@pytest.fixture
def officer(tree, member_at):
    director = member_at("own", Role.DIRECTOR, username="director_township")
    grid = services.grid_create(
        actor=director, center=tree[CHILD], name="东岗一网格", kind=GridKind.URBAN, households=400, residents=1000
    )
    police_grid = services.police_grid_create(actor=director, center=tree[OWN], name="东岗第一警格", grids=[grid])
    return services.auxiliary_add(
        actor=director, police_grid=police_grid, village=tree[CHILD], name="辅警张三", phone="13900000001"
    )


def test_taking_an_officer_off_duty_asks_first(page, live_server, member_at, officer, sign_in, with_password):
    liaison = with_password(member_at("own", Role.POLICE, username="police_liaison"))
    violations = watch_for_violations(page)
    sign_in(page, liaison)
    page.goto(f"{live_server.url}/grids/police/{officer.police_grid_id}/")
    questions: list[str] = []
    button = page.locator(f"form[action$='/auxiliaries/{officer.pk}/deactivate/'] button[type=submit]")

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    button.click()
    page.wait_for_timeout(300)  # a form sent anyway would be on its way by now
    assert questions and "辅警张三" in questions[0]
    assert AuxiliaryOfficer.objects.get(pk=officer.pk).is_active

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    assert not AuxiliaryOfficer.objects.get(pk=officer.pk).is_active
    assert violations == []

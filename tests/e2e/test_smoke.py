"""The browser can reach the live server and the login page speaks Chinese."""

from tests.e2e.conftest import shoot


def test_the_login_page_opens_in_chinese(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert "登录" in page.content()
    shoot(page, "smoke-login")

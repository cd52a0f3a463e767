"""Guessing passwords locks the username out at that address, on the login page and the API alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from govcenter.models import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def _fail_page(client, username, times):
    for i in range(times):
        response = client.post(LOGIN, {"username": username, "password": f"guess-{i}"})
    return response


def test_login_page_locks_out_after_the_failure_limit_in_chinese(member_at):
    clerk = member_at("own", Role.CLERK)
    client = Client()
    assert _fail_page(client, clerk.username, settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    locked = _fail_page(client, clerk.username, 1)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The right password no longer helps during the cool-off.
    right = client.post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD})
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_lockout_page_speaks_english_when_chosen(member_at):
    clerk = member_at("own", Role.CLERK)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    locked = _fail_page(client, clerk.username, settings.AXES_FAILURE_LIMIT)
    assert locked.status_code == 429
    assert "Too many failed log-in attempts. Try again in 15 minutes." in locked.content.decode()


def test_lockout_is_per_username_and_address(member_at):
    clerk = member_at("own", Role.CLERK)
    other = member_at("own", Role.CLERK)
    _fail_page(Client(REMOTE_ADDR="10.0.0.1"), clerk.username, settings.AXES_FAILURE_LIMIT)
    from_elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert from_elsewhere.post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD}).status_code == 302
    same_address = Client(REMOTE_ADDR="10.0.0.1")
    assert same_address.post(LOGIN, {"username": other.username, "password": TEST_PASSWORD}).status_code == 302


def test_lockout_ends_after_the_cool_off(member_at):
    clerk = member_at("own", Role.CLERK)
    client = Client()
    _fail_page(client, clerk.username, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert client.post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD}).status_code == 302


def test_a_successful_login_clears_the_failures(member_at):
    clerk = member_at("own", Role.CLERK)
    client = Client()
    _fail_page(client, clerk.username, settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD}).status_code == 302
    client.logout()
    assert _fail_page(client, clerk.username, settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    assert client.post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD}).status_code == 302


def test_token_endpoint_locks_out_with_429_and_a_chinese_detail(member_at):
    clerk = member_at("own", Role.CLERK)
    api = APIClient()
    codes = [
        api.post(TOKEN, {"username": clerk.username, "password": f"guess-{i}"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    assert codes == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = api.post(TOKEN, {"username": clerk.username, "password": "guess-last"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.json()["detail"]
    right = api.post(TOKEN, {"username": clerk.username, "password": TEST_PASSWORD})
    assert right.status_code == 429 and "token" not in right.json()


def test_failures_on_the_api_count_towards_the_login_page(member_at):
    clerk = member_at("own", Role.CLERK)
    api = APIClient()
    for i in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN, {"username": clerk.username, "password": f"guess-{i}"})
    assert Client().post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD}).status_code == 429

"""With production settings the portal passes `manage.py check --deploy` and sends its security
headers. Settings are read once at start, so each case runs in a fresh process."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_", "AXES_"))}
    env.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50)[:50], ALLOWED_HOSTS="example.gov.cn")
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def _run(args, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=_production_env(**extra), capture_output=True, text=True, timeout=300
    )


def test_check_deploy_reports_no_warning_with_production_settings():
    result = _run(["manage.py", "check", "--deploy"])
    ids = set(re.findall(r"\(([\w.]+\.[WE]\d{3})\)", result.stdout + result.stderr))
    assert ids == set(), result.stdout + result.stderr


SHOW = """
import json, django
django.setup()
from django.conf import settings as s
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
         "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS"]
print(json.dumps({n: getattr(s, n) for n in names} | {"proxy": getattr(s, "SECURE_PROXY_SSL_HEADER", None)}))
"""


def _settings(**extra) -> dict:
    result = _run(["-c", SHOW], DJANGO_SETTINGS_MODULE="govcenter.settings", **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_https_is_enforced():
    values = _settings()
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "proxy": None,
    }


def test_behind_a_tls_proxy_the_redirect_is_off_and_the_forwarded_scheme_trusted():
    values = _settings(SECURE_SSL_REDIRECT="false", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True

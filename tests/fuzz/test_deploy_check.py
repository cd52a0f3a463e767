"""With production settings `manage.py check --deploy` is silent, and the OpenAPI schema the API
publishes generates without a warning and validates. Settings are read once at start, so each check
runs in a fresh process with the production environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_", "AXES_"))}
    env.pop("DATABASE_URL", None)
    env.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.gov.cn")
    return env


def _manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_reports_no_warning_at_all_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_openapi_schema_generates_without_warning_and_validates(tmp_path):
    result = _manage("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "openapi: 3" in (tmp_path / "schema.yaml").read_text(encoding="utf-8")

"""Backup and restore as docs/operations.md tells the operator to do it: `pg_dump -Fc` of a database
holding a full scenario, `createdb` of a fresh one, `pg_restore` into it. Every case, agreement and
audit row is there with the same ids, the audit chain verifies there (`manage.py verify_audit` on the
restored database, as the operator runs it) and the audit table is still append-only."""

import os
import re
import shutil
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from cases.models import Case
from govcenter.models import AuditEvent
from govcenter.settings import BASE_DIR
from mediation.models import Agreement
from tests.data_safety import scenario

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore: PostgreSQL only"),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("createdb")),
        reason="the PostgreSQL client tools (pg_dump, pg_restore, createdb) are not on PATH",
    ),
    # The dump is taken by another connection: the scenario's rows must be committed.
    pytest.mark.django_db(transaction=True),
]

TABLES = {"cases_case": Case, "mediation_agreement": Agreement, "govcenter_auditevent": AuditEvent}


def pg_env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ, PGHOST=db["HOST"] or "127.0.0.1", PGPORT=str(db["PORT"] or 5432), PGUSER=db["USER"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def pg(*command: str) -> None:
    subprocess.run(command, env=pg_env(), check=True, capture_output=True, timeout=60)


def client_major(tool: str) -> int:
    """`pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` → 15."""
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"\(PostgreSQL\)\s+(\d+)", output).group(1))


def test_the_client_tools_are_not_older_than_the_server():
    # pg_dump refuses a newer server; an older pg_restore cannot read a newer dump's format.
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    for tool in ("pg_dump", "pg_restore"):
        assert client_major(tool) >= server, f"{tool} {client_major(tool)} is older than the server ({server})"


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    pg("createdb", name)
    yield name
    pg("dropdb", "--if-exists", "--force", name)


def rows_of(cursor, table: str) -> list:
    cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # the names come from TABLES above
    return [row[0] for row in cursor.fetchall()]


def test_a_dump_restored_into_a_fresh_database_has_every_row_and_an_intact_chain(
    tree, django_capture_on_commit_callbacks, settings, tmp_path, fresh_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    scenario.run(tree, django_capture_on_commit_callbacks)
    dump = tmp_path / "govcenter.dump"

    pg("pg_dump", "-Fc", "--no-owner", "-f", str(dump), connection.settings_dict["NAME"])
    pg("pg_restore", "--no-owner", "--exit-on-error", "-d", fresh_database, str(dump))

    db = connection.settings_dict
    address = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    with psycopg.connect(dbname=fresh_database, password=db.get("PASSWORD") or None, **address) as restored:
        with restored.cursor() as cursor:
            for table, model in TABLES.items():
                expected = list(model.objects.order_by("id").values_list("id", flat=True))
                assert expected, f"the scenario made no {table} rows"
                assert rows_of(cursor, table) == expected, table
            cursor.execute("SELECT hash FROM govcenter_auditevent ORDER BY id DESC LIMIT 1")
            assert cursor.fetchone()[0] == AuditEvent.objects.order_by("-id").values_list("hash", flat=True)[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"), restored.cursor() as cursor:
            cursor.execute("DELETE FROM govcenter_auditevent")

    url = f"postgres://{address['user']}@{address['host']}:{address['port']}/{fresh_database}"  # password: PGPASSWORD
    env = {k: v for k, v in pg_env().items() if k != "TEST_DATABASE_NAME"} | {"DATABASE_URL": url}
    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert verified.returncode == 0, verified.stderr
    assert f"Audit chain intact: {AuditEvent.objects.count()} events verified." in verified.stdout

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from govcenter import audit
from govcenter.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def _tamper(sql, params):
    """Change the table behind the portal's back, as an intruder with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only a superuser can switch triggers off like this: the point is that it shows.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def events(db):
    actor = UserFactory()
    return [audit.record(actor=actor, action="test.event", data={"n": index, "text": "调解"}) for index in range(5)]


def test_chain_links_each_row_to_the_previous(events):
    assert events[0].prev_hash == audit.GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit.verify_chain() == (5, None)


def test_login_through_the_page_is_audited_with_the_address(client, db):
    user = UserFactory()
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor, event.ip) == (user, "10.1.2.3")


def test_failed_login_is_audited_with_the_name_tried(client, db):
    client.post("/accounts/login/", {"username": "mallory", "password": "x"})
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_name="mallory").exists()


def test_altered_row_is_reported(events):
    with transaction.atomic():
        _tamper("UPDATE govcenter_auditevent SET action = %s WHERE id = %s", ["test.forged", events[2].id])
    checked, broken = audit.verify_chain()
    assert broken.event_id == events[2].id
    assert "altered" in broken.reason


def test_removed_row_is_reported_at_the_next_one(events):
    with transaction.atomic():
        _tamper("DELETE FROM govcenter_auditevent WHERE id = %s", [events[1].id])
    _checked, broken = audit.verify_chain()
    assert broken.event_id == events[2].id
    assert "removed" in broken.reason


def test_verify_audit_command_reports_the_first_broken_link(events):
    call_command("verify_audit")
    with transaction.atomic():
        _tamper("UPDATE govcenter_auditevent SET data = %s WHERE id = %s", ['{"n": 99}', events[3].id])
    with pytest.raises(CommandError, match=f"broken at event {events[3].id}"):
        call_command("verify_audit")


@on_postgresql
@pytest.mark.parametrize(
    "statement", ["UPDATE govcenter_auditevent SET action = 'x'", "DELETE FROM govcenter_auditevent"]
)
def test_postgresql_refuses_update_and_delete(events, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 5


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    actors = [UserFactory() for _ in range(6)]
    errors = []

    def write(actor):
        try:
            for index in range(15):
                with transaction.atomic():
                    audit.record(actor=actor, action="test.concurrent", data={"n": index})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 90
    assert audit.verify_chain() == (90, None)

"""Read replicas: which database a query goes to.

A second alias, "replica", is a TEST MIRROR of default (the same test database through its own
connection), as Django's test runner does for replicas configured in DATABASE_REPLICA_URLS. Reads
routed to it really run on its connection, so the tests count the queries each connection ran.
The alias is added for this module only; outside it no replica is configured.
"""

import importlib.util
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule
from rest_framework.authtoken.models import Token

from cases.models import Notification
from govcenter import db_router
from govcenter.middleware import ReadReplicaMiddleware
from govcenter.models import Center, Membership, Role
from tests.factories import TEST_PASSWORD

REPLICA = "replica"
BOTH = [DEFAULT_DB_ALIAS, REPLICA]
PIN = ReadReplicaMiddleware.COOKIE

on_both = pytest.mark.django_db(transaction=True, databases=BOTH)


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """The alias "replica": default's test database, marked as its test mirror."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS}}
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def replica_configured(settings):
    settings.DATABASE_REPLICAS = [REPLICA]


@contextmanager
def queries():
    """The SQL each connection ran inside the block: {"default": [...], "replica": [...]}."""
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default:
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            ran = {}
            yield ran
    ran[DEFAULT_DB_ALIAS] = [query["sql"] for query in on_default.captured_queries]
    ran[REPLICA] = [query["sql"] for query in on_replica.captured_queries]


def touches(sql_list, table):
    return any(f'"{table}"' in sql for sql in sql_list)


@pytest.fixture
def clerk(tree):
    user = get_user_model().objects.create_user("replica_clerk", password=TEST_PASSWORD)
    Membership.objects.create(user=user, center=tree["620102001"], center_code="620102001", role=Role.CLERK)
    return user


# --- Routing decisions ----------------------------------------------------------------------------------


def test_reads_go_to_the_primary_outside_a_read_only_context():
    assert Center.objects.all().db == DEFAULT_DB_ALIAS


def test_read_only_sends_reads_to_the_replica_and_writes_to_the_primary():
    with db_router.read_only():
        assert Center.objects.all().db == REPLICA
        assert router.db_for_write(Center) == DEFAULT_DB_ALIAS
    assert db_router.current_replica() is None


@pytest.mark.parametrize("model", [Session, get_user_model(), Token, Schedule])
def test_sessions_users_tokens_and_task_tables_are_always_read_on_the_primary(model):
    with db_router.read_only():
        assert model.objects.all().db == DEFAULT_DB_ALIAS


def test_primary_inside_read_only_reads_on_the_primary():
    with db_router.read_only():
        with db_router.primary():
            assert Center.objects.all().db == DEFAULT_DB_ALIAS
        assert Center.objects.all().db == REPLICA


def test_nothing_is_routed_when_no_replica_is_configured(settings):
    settings.DATABASE_REPLICAS = []
    with db_router.read_only():
        assert Center.objects.all().db == DEFAULT_DB_ALIAS
        assert router.db_for_write(Center) == DEFAULT_DB_ALIAS
    rules = db_router.ReplicaRouter()
    assert rules.db_for_read(Center) is None and rules.db_for_write(Center) is None
    assert rules.allow_migrate(DEFAULT_DB_ALIAS, "govcenter") is None


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "govcenter", model_name="center") is True
    assert router.allow_migrate(REPLICA, "govcenter", model_name="center") is False


def test_objects_of_the_primary_and_a_replica_may_be_related():
    on_primary, on_replica = Center(code="62"), Center(code="6201")
    on_primary._state.db, on_replica._state.db = DEFAULT_DB_ALIAS, REPLICA
    assert router.allow_relation(on_primary, on_replica) is True
    elsewhere = Center(code="6202")
    elsewhere._state.db = "archive"
    assert db_router.ReplicaRouter().allow_relation(on_primary, elsewhere) is None


def test_a_thread_started_in_a_read_only_context_reads_on_the_primary():
    seen = []
    with db_router.read_only():
        thread = threading.Thread(target=lambda: seen.append(Center.objects.all().db))
        thread.start()
        thread.join()
    assert seen == [DEFAULT_DB_ALIAS]


def test_a_read_only_function_runs_in_several_threads_at_once():
    start = threading.Barrier(4)

    @db_router.read_only()
    def report():
        start.wait(timeout=5)
        database = Center.objects.all().db
        time.sleep(0.01)
        return database

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: report(), range(4))) == [REPLICA] * 4
    assert report.__name__ == "report" and db_router.current_replica() is None


# --- On the database ------------------------------------------------------------------------------------


@on_both
def test_reads_inside_a_transaction_go_to_the_primary(tree):
    with db_router.read_only():
        with queries() as inside:
            with transaction.atomic():
                assert Center.objects.filter(code="62").exists()
        with queries() as outside:
            assert Center.objects.filter(code="62").exists()
    assert inside[REPLICA] == [] and touches(inside[DEFAULT_DB_ALIAS], "govcenter_center")
    assert touches(outside[REPLICA], "govcenter_center") and outside[DEFAULT_DB_ALIAS] == []


def test_a_test_transaction_keeps_every_read_on_the_primary(tree):
    # The rest of the suite runs inside a transaction per test: with replicas configured, it still
    # reads what it wrote.
    with db_router.read_only():
        assert Center.objects.all().db == DEFAULT_DB_ALIAS
        assert Center.objects.count() == len(tree)


@on_both
def test_an_object_read_on_the_replica_is_saved_on_the_primary(tree):
    with db_router.read_only():
        center = Center.objects.get(code="620102001")
        assert center._state.db == REPLICA
        center.phone = "0931-1234567"
        with queries() as ran:
            center.save(update_fields=["phone"])
    assert center._state.db == DEFAULT_DB_ALIAS
    assert touches(ran[DEFAULT_DB_ALIAS], "govcenter_center") and ran[REPLICA] == []


# --- Requests -----------------------------------------------------------------------------------------


@on_both
def test_a_page_is_read_on_the_replica_but_the_session_and_user_on_the_primary(client, clerk):
    client.force_login(clerk)
    with queries() as ran:
        response = client.get("/")
    assert response.status_code == 200
    assert touches(ran[REPLICA], "govcenter_membership")
    assert touches(ran[DEFAULT_DB_ALIAS], "django_session") and touches(ran[DEFAULT_DB_ALIAS], "auth_user")
    assert not touches(ran[REPLICA], "django_session") and not touches(ran[REPLICA], "auth_user")
    assert PIN not in response.cookies
    assert db_router.current_replica() is None


@on_both
def test_a_post_reads_and_writes_on_the_primary(client, clerk):
    with queries() as ran:
        response = client.post("/accounts/login/", {"username": clerk.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert ran[REPLICA] == [] and touches(ran[DEFAULT_DB_ALIAS], "auth_user")


@on_both
def test_the_page_after_a_post_is_read_on_the_primary_until_the_pin_expires(client, clerk, settings):
    settings.REPLICA_PIN_SECONDS = 5
    response = client.post("/accounts/login/", {"username": clerk.username, "password": TEST_PASSWORD})
    assert response.cookies[PIN]["max-age"] == 5
    with queries() as ran:
        assert client.get(response.url).status_code == 200
    assert ran[REPLICA] == []

    client.cookies[PIN] = str(int(time.time()) - 1)  # a cookie kept past its time
    with queries() as ran:
        assert client.get(response.url).status_code == 200
    assert touches(ran[REPLICA], "govcenter_membership")


@on_both
def test_an_api_client_without_cookies_is_pinned_by_its_token(api, clerk, member_at):
    token = api.post("/api/v1/auth/token/", {"username": clerk.username, "password": TEST_PASSWORD}).data["token"]
    other = Token.objects.create(user=member_at("sibling")).key
    notice = Notification.objects.create(recipient=clerk, kind="test", text="新案件", dedupe_key="n1")

    api.cookies.clear()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post(f"/api/v1/notifications/{notice.pk}/read/").status_code == 200
    api.cookies.clear()  # a client that keeps no cookies
    with queries() as ran:
        response = api.get("/api/v1/notifications/")
    assert response.data["results"][0]["read_at"] is not None
    assert ran[REPLICA] == [] and touches(ran[DEFAULT_DB_ALIAS], "cases_notification")

    api.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    with queries() as ran:
        assert api.get("/api/v1/centers/").status_code == 200
    assert touches(ran[REPLICA], "govcenter_center")


@on_both
def test_without_a_replica_requests_are_as_before(client, clerk, settings):
    settings.DATABASE_REPLICAS = []
    client.force_login(clerk)
    with queries() as ran:
        assert client.get("/").status_code == 200
        response = client.post("/accounts/logout/")
    assert ran[REPLICA] == [] and ran[DEFAULT_DB_ALIAS]
    assert PIN not in response.cookies


# --- Settings -------------------------------------------------------------------------------------------

SWITCHES = [
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "REDIS_URL",
    "Q_REDIS_URL",
    "Q_WORKERS",
    "Q_TIMEOUT",
    "Q_RETRY",
    "TEST_DATABASE_NAME",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "STORAGE_BACKEND",
    "STORAGE_OPTIONS",
]


def load_settings(monkeypatch, **env):
    """govcenter/settings.py read afresh under `env`, apart from the running settings."""
    for name in SWITCHES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = Path(django_settings.BASE_DIR) / "govcenter" / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_probe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PG = "postgres://app@db-primary:5432/govcenter"


def test_settings_without_switches_are_one_machine(monkeypatch):
    conf = load_settings(monkeypatch)
    assert list(conf.DATABASES) == ["default"] and conf.DATABASE_REPLICAS == []
    assert conf.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert conf.Q_CLUSTER["orm"] == "default" and "redis" not in conf.Q_CLUSTER
    assert conf.STORAGES["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_settings_of_a_province(monkeypatch):
    conf = load_settings(
        monkeypatch,
        DATABASE_URL=PG,
        DATABASE_REPLICA_URLS="postgres://app@db-replica-1/govcenter, postgres://app@db-replica-2/govcenter",
        REDIS_URL="redis://cache:6379/0",
        Q_REDIS_URL="redis://queue:6379/1",
        Q_WORKERS="8",
        MEDIA_ROOT="/srv/govcenter/media",
        STATIC_ROOT="/srv/govcenter/static",
    )
    assert conf.DATABASE_REPLICAS == ["replica1", "replica2"]
    assert [conf.DATABASES[alias]["HOST"] for alias in conf.DATABASE_REPLICAS] == ["db-replica-1", "db-replica-2"]
    assert conf.DATABASES["replica1"]["TEST"] == {"MIRROR": "default"}
    assert conf.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert conf.CACHES["default"]["LOCATION"] == "redis://cache:6379/0"
    assert conf.Q_CLUSTER["redis"] == "redis://queue:6379/1" and conf.Q_CLUSTER["workers"] == 8
    assert "orm" not in conf.Q_CLUSTER
    assert str(conf.MEDIA_ROOT) == "/srv/govcenter/media" and str(conf.STATIC_ROOT) == "/srv/govcenter/static"


def test_another_storage_class_with_its_options(monkeypatch):
    conf = load_settings(
        monkeypatch,
        STORAGE_BACKEND="storages.backends.s3.S3Storage",
        STORAGE_OPTIONS='{"bucket_name": "govcenter", "endpoint_url": "http://minio:9000"}',
    )
    assert conf.STORAGES["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "govcenter", "endpoint_url": "http://minio:9000"},
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URLS": PG, "REDIS_URL": "redis://cache"}, "needs DATABASE_URL on PostgreSQL"),
        ({"DATABASE_URL": PG, "DATABASE_REPLICA_URLS": PG}, "needs REDIS_URL"),
        ({"Q_TIMEOUT": "900", "Q_RETRY": "900"}, "Q_RETRY must be larger than Q_TIMEOUT"),
    ],
)
def test_settings_refuse_a_half_configured_scale_out(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)

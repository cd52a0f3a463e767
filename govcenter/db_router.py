"""Reads on PostgreSQL read replicas, only where a stale read cannot hurt.

`settings.DATABASE_REPLICAS` names the replica aliases (from DATABASE_REPLICA_URLS); with none, the
router answers None everywhere and Django behaves exactly as without it. A read goes to a replica
only when all of these hold:

- the current context chose a replica: `ReadReplicaMiddleware` does so for a GET, HEAD or OPTIONS
  request that is not pinned to the primary, and code may ask for it with `read_only()`;
- no transaction is open on the primary: a service reads and locks inside `transaction.atomic`, and
  what it reads there must be what it writes against;
- the model is not one that must be fresh: sessions, users and tokens (a login, a logout, a
  password change or a revoked token takes effect at once) and django-q2's own tables.

Writes always go to the primary. The choice lives in a context variable, so each thread and each
request has its own, a thread started by a request starts on the primary, and nothing leaks from one
request to the next (the middleware resets it). One replica is chosen per request, so all reads of a
page see the same moment.
"""

import functools
import random
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Apps whose rows are always read on the primary.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "authtoken", "django_q"})

# The replica alias this context reads from; None reads on the primary.
_replica: ContextVar[str | None] = ContextVar("govcenter_read_replica", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def choose_replica() -> str | None:
    aliases = replica_aliases()
    return random.choice(aliases) if aliases else None


def current_replica() -> str | None:
    """The replica reads of this context would go to, before the per-model and transaction checks."""
    return _replica.get()


def bind(alias: str | None):
    return _replica.set(alias)


def unbind(token) -> None:
    _replica.reset(token)


class _Reads:
    """Routes the reads of a block or a function; a fresh instance per use, so a decorated
    function may run in several threads or recursively at once."""

    def __init__(self):
        self._tokens = []

    def _target(self) -> str | None:
        raise NotImplementedError

    def __enter__(self):
        self._tokens.append(_replica.set(self._target()))
        return self

    def __exit__(self, *exc):
        _replica.reset(self._tokens.pop())
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class read_only(_Reads):
    """Reads inside go to a replica (when one is configured), as a decorator or a context manager.

    For code that only reads and can live with data a moment old: a report, an export task, a
    dashboard figure. Whatever it writes still goes to the primary, and whatever it reads inside
    `transaction.atomic` too; do not decide a write on what it read here.
    """

    def _target(self):
        return _replica.get() or choose_replica()


class primary(_Reads):
    """Reads inside go to the primary, even in a read-only request (a page that must show the newest)."""

    def _target(self):
        return None


def _in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None or alias not in replica_aliases():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS or _in_transaction():
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        # Explicit: left to Django, saving an object read on a replica would write to the replica.
        return DEFAULT_DB_ALIAS if replica_aliases() else None

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows, so an object read on one may point at one from another.
        same_database = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if len(same_database) > 1 and {obj1._state.db, obj2._state.db} <= same_database:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica receives the schema by replication; migrating it directly would fail or fork it.
        return False if db in replica_aliases() else None

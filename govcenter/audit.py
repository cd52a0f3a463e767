"""The append-only, hash-chained audit log.

`record()` is called by every service that changes state, by the login signals, by exports and by
every view of personal data. Rows are chained: each stores the previous row's hash and a hash of its
own content plus that link. Writers are serialised (an advisory lock on PostgreSQL, the write lock
that every SQLite transaction takes at BEGIN IMMEDIATE), so ids, chain order and commit order agree
and the chain never forks; `prev_hash` is unique as a last line of defence.
"""

import hashlib
import json
import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from govcenter.models import AuditEvent

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x60FCE7A1


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None


_request_meta: ContextVar[RequestMeta | None] = ContextVar("govcenter_request_meta", default=None)


def client_ip(request) -> str | None:
    """The client's address; trusts X-Forwarded-For only as far as NUM_PROXIES says."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


def bind_request(request) -> Token:
    return _request_meta.set(RequestMeta(ip=client_ip(request)))


def unbind_request(token: Token) -> None:
    _request_meta.reset(token)


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "prev": event.prev_hash,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "center_code": event.center_code,
        "ip": event.ip,
        "data": event.data,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _lock_chain_read_head() -> str:
    """Take the chain (PostgreSQL: the advisory lock, held to the commit) and return its head's hash.

    Two statements, in this order: under READ COMMITTED each statement sees what was committed when it
    started, so the head must be read after the lock is granted, never in the same statement."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # Every write of the portal passes here: plain SQL, not the ORM's compiler.
        cursor.execute(
            f"SELECT {quote('hash')} FROM {quote(AuditEvent._meta.db_table)} ORDER BY {quote('id')} DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else GENESIS_HASH


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(
    *,
    actor,
    action: str,
    obj=None,
    center_code: str = "",
    data: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction when there is one."""
    object_type, object_id = _object_ref(obj)
    if ip is None:
        meta = _request_meta.get()
        ip = meta.ip if meta else None
    user = actor if getattr(actor, "is_authenticated", False) else None
    data = data or {}
    # A failed login has no user, only the name that was tried.
    actor_name = user.get_username() if user else str(data.get("username", ""))
    # No savepoint of its own inside the caller's transaction (two round trips fewer on every write):
    # a failed append fails the caller's transaction, which must not commit without its audit row.
    with transaction.atomic(savepoint=False):
        head = _lock_chain_read_head()
        event = AuditEvent(
            at=timezone.now(),
            actor=user,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            center_code=center_code or getattr(obj, "center_code", "") or "",
            ip=ip,
            data=data,
            prev_hash=head,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class Entry:
    """One event of a bulk append: what `record()` takes, less the actor shared by all."""

    action: str
    obj: object = None
    center_code: str = ""
    data: dict | None = None


def record_many(*, actor, entries, batch_size: int = 2000) -> int:
    """Append many events under one lock and one read of the chain's head (a bulk import writes tens
    of thousands): the same rows, in order, that as many `record()` calls would write."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = user.get_username() if user else ""
    meta = _request_meta.get()
    ip = meta.ip if meta else None
    count = 0
    with transaction.atomic(savepoint=False):
        prev = _lock_chain_read_head()
        now = timezone.now()
        batch = []
        for entry in entries:
            object_type, object_id = _object_ref(entry.obj)
            event = AuditEvent(
                at=now,
                actor=user,
                actor_name=actor_name,
                action=entry.action,
                object_type=object_type,
                object_id=object_id,
                center_code=entry.center_code or getattr(entry.obj, "center_code", "") or "",
                ip=ip,
                data=entry.data or {},
                prev_hash=prev,
            )
            event.hash = prev = compute_hash(event)
            batch.append(event)
            if len(batch) >= batch_size:
                count += _insert_in_order(batch)
                batch = []
        count += _insert_in_order(batch)
    return count


def _insert_in_order(events: list[AuditEvent]) -> int:
    # One multi-row INSERT takes its ids from the sequence in row order, so id order is chain order.
    if events:
        AuditEvent.objects.bulk_create(events)
    return len(events)


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify_chain(chunk_size: int = 5000) -> tuple[int, BrokenLink | None]:
    """Walk the chain in order; return how many rows were checked and the first broken link."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        checked += 1
        if event.prev_hash != expected_prev:
            return checked, BrokenLink(event.id, "previous-hash mismatch: a row before it was removed or reordered")
        if compute_hash(event) != event.hash:
            return checked, BrokenLink(event.id, "content hash mismatch: the row was altered")
        expected_prev = event.hash
    return checked, None

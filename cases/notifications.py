"""In-app notifications (and e-mail when the portal has a mail server configured).

Each notification has a dedupe key, unique per recipient, so a sweep that is retried after a
crash does not notify twice.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from cases.models import Case, Notification
from govcenter.models import Department, Membership, Role

CENTER_ROLES = (Role.CLERK, Role.DIRECTOR)


def portal_text(message, params: dict | None = None) -> str:
    """A notification's text in the portal's language (zh-hans), whoever triggered it: it is
    stored once and read by everyone at the center, not by the person whose action caused it."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % (params or {})


def _recipients_at(center_code: str, roles) -> list[int]:
    # order_by(): the model's default ordering would add its columns to SELECT DISTINCT, and a person
    # who is both clerk and director would be listed (and counted) twice.
    return list(
        Membership.objects.filter(center_code=center_code, role__in=roles, is_active=True)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


def _send(user_ids, case: Case, kind: str, text: str, dedupe_key: str) -> int:
    rows = [
        Notification(recipient_id=user_id, case=case, kind=kind, text=text[:300], dedupe_key=dedupe_key[:100])
        for user_id in user_ids
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if getattr(settings, "EMAIL_HOST", "") and settings.NOTIFY_BY_EMAIL and user_ids:
        transaction.on_commit(lambda: _queue_email(list(user_ids), text))
    return len(created)


def _queue_email(user_ids, text):
    from django_q.tasks import async_task

    async_task("cases.tasks.send_notification_email", user_ids, text)


def notify_center(case: Case, *, kind: str, text: str, roles=CENTER_ROLES, dedupe_key: str | None = None) -> int:
    """Tell the clerks and the director of the case's handling center."""
    key = dedupe_key or f"{kind}:{case.pk}:{case.version}"
    return _send(_recipients_at(case.center_code, roles), case, kind, str(text), key)


def notify_department(case: Case, department: Department, *, text: str) -> int:
    users = Membership.objects.filter(department=department, is_active=True).values_list("user_id", flat=True)
    return _send(list(users), case, "dispatch.new", str(text), f"dispatch:{case.pk}:{department.pk}:{case.version}")


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those ids) as read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())

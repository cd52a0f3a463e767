"""django-q2 entry points: thin, idempotent, safe to retry."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.dateparse import parse_date

from cases import services


def sweep_overdue() -> int:
    """Every few minutes: stages past their limit, and court cases whose mediation period ran out."""
    return services.sweep_overdue() + services.expire_court_handoffs()


def recompute_deadlines(since: str) -> int:
    return services.recompute_deadlines(since=parse_date(since))


def send_notification_email(user_ids: list[int], text: str) -> int:
    addresses = list(get_user_model().objects.filter(pk__in=user_ids).exclude(email="").values_list("email", flat=True))
    if not addresses:
        return 0
    return send_mail(subject=text[:80], message=text, from_email=None, recipient_list=addresses)

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


def score_case(case_id: int) -> int | None:
    """Re-score one case after it, its parties or its records changed (idempotent)."""
    from cases.models import Case
    from cases.risk.scoring import score_case as score

    case = Case.objects.filter(pk=case_id).only("pk", "center_code").first()
    return score(case).score if case else None


def score_open_cases() -> int:
    """Nightly: every open case again, as the age rules move with the clock."""
    from cases.risk.scoring import score_open_cases as score_all

    return score_all()


def sweep_warning_tasks() -> int:
    """Every few minutes: risk-warning visits past due, escalated to the township director once."""
    from cases.risk.warnings import sweep_warning_tasks as sweep

    return sweep()


def detect_hotspots() -> int:
    """Every ten minutes: the recent cases of each county grouped into hotspots (idempotent)."""
    from cases.hotspots.services import hotspots_detect

    return len(hotspots_detect())

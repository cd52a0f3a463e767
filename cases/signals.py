"""Reactions of the cases app to the rest of the portal."""

import functools

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from govcenter.signals import calendar_changed

SWEEP_MINUTES = 5


@receiver(calendar_changed)
def recompute_after_calendar_change(sender, dates, **kwargs):
    """A day became a working day or a day off: move the open deadlines that reach past it."""
    from django_q.tasks import async_task

    since = min(dates).isoformat()
    transaction.on_commit(lambda: async_task("cases.tasks.recompute_deadlines", since, task_name=f"recompute-{since}"))


def ensure_schedules(sender, **kwargs):
    """The periodic work of this app, created once after migrate (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="cases.score_open_cases",
        defaults={"func": "cases.tasks.score_open_cases", "schedule_type": Schedule.DAILY, "repeats": -1},
    )
    Schedule.objects.update_or_create(
        name="cases.detect_hotspots",
        defaults={
            "func": "cases.tasks.detect_hotspots",
            "schedule_type": Schedule.MINUTES,
            "minutes": 10,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name="cases.sweep_overdue",
        defaults={
            "func": "cases.tasks.sweep_overdue",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_MINUTES,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name="cases.sweep_warning_tasks",
        defaults={
            "func": "cases.tasks.sweep_warning_tasks",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_MINUTES,
            "repeats": -1,
        },
    )


@functools.cache
def _broker():
    """One django-q2 broker per process, reused by every task this module queues.

    Without it each task builds its own: with Redis that is a new connection pool and a new TCP
    connection (opened, used once, closed) on every intake and every step of a case. A redis-py pool
    is thread-safe and opens fresh connections after a fork; the ORM broker holds no connection.
    """
    from django_q.brokers import get_broker

    return get_broker()


def request_scoring(case_id: int) -> None:
    """Re-score the case in the background once the change is committed (tasks are idempotent, so
    the several saves of one step cost at most a few quick re-scorings)."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("cases.tasks.score_case", case_id, task_name=f"risk-{case_id}", broker=_broker())
    )


@receiver(post_save, sender="cases.CaseEvent")
def _case_moved(sender, instance, created, **kwargs):
    # Every step of a case writes one event: the case, its status or its facts changed.
    if created:
        request_scoring(instance.case_id)


@receiver(post_save, sender="cases.Party")
def _party_changed(sender, instance, **kwargs):
    request_scoring(instance.case_id)

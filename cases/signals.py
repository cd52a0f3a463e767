"""Reactions of the cases app to the rest of the portal."""

from django.db import transaction
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
        name="cases.sweep_overdue",
        defaults={
            "func": "cases.tasks.sweep_overdue",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_MINUTES,
            "repeats": -1,
        },
    )

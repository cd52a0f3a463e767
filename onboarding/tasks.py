"""django-q2 entry points of onboarding: thin, idempotent, safe to retry."""

from onboarding import services


def run_import(run_id: int) -> None:
    services.run_queued(run_id)


def sweep_stale_imports() -> int:
    """Hourly: end the imports no worker will finish."""
    return services.sweep_stale()


def ensure_schedules(sender, **kwargs):
    """The periodic work of onboarding, created once after migrate (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="onboarding.sweep_stale_imports",
        defaults={"func": "onboarding.tasks.sweep_stale_imports", "repeats": -1, "schedule_type": Schedule.HOURLY},
    )

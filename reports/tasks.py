"""django-q2 entry points of reports: thin, idempotent, safe to retry."""

from reports import exports, rollups, snapshots

SWEEP_HOURS = 1


def run_export(job_id: int) -> None:
    exports.run(job_id)


def sweep_expired_exports() -> int:
    """Hourly: delete export files kept past their time, and end the exports no worker will finish."""
    exports.sweep_stale()
    return exports.sweep_expired()


def refresh_snapshots() -> int:
    """Every few minutes: what is true now under every big center, for the dashboards."""
    return snapshots.refresh_all()


def refresh_recent_rollups() -> int:
    """Every few minutes: the monthly case counts of this month and the last."""
    return rollups.refresh_recent()


def refresh_all_rollups() -> int:
    """Hourly: the monthly case counts of every month (an old case can still close)."""
    return rollups.refresh()


def ensure_export_schedules(sender, **kwargs):
    """The periodic work of reports (export sweeps, dashboard snapshots and rollups), created once
    after migrate (idempotent). Each task is named after its function here."""
    from django_q.models import Schedule

    every_minutes = {"schedule_type": Schedule.MINUTES}
    periodic = {
        "sweep_expired_exports": {"schedule_type": Schedule.HOURLY},
        "refresh_snapshots": {**every_minutes, "minutes": snapshots.REFRESH_MINUTES},
        "refresh_recent_rollups": {**every_minutes, "minutes": rollups.RECENT_MINUTES},
        "refresh_all_rollups": {"schedule_type": Schedule.HOURLY},
    }
    for task, timing in periodic.items():
        Schedule.objects.update_or_create(
            name=f"reports.{task}", defaults={"func": f"reports.tasks.{task}", "repeats": -1, **timing}
        )

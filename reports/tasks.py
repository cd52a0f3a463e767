"""django-q2 entry points of reports: thin, idempotent, safe to retry."""

from reports import exports, rollups, snapshots

SWEEP_HOURS = 1


def run_export(job_id: int) -> None:
    exports.run(job_id)


def sweep_expired_exports() -> int:
    """Hourly: delete export files kept past their time."""
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
    """The periodic work of reports (export sweeps, dashboard snapshots), created once after migrate
    (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="reports.sweep_expired_exports",
        defaults={
            "func": "reports.tasks.sweep_expired_exports",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name="reports.refresh_snapshots",
        defaults={
            "func": "reports.tasks.refresh_snapshots",
            "schedule_type": Schedule.MINUTES,
            "minutes": snapshots.REFRESH_MINUTES,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name="reports.refresh_recent_rollups",
        defaults={
            "func": "reports.tasks.refresh_recent_rollups",
            "schedule_type": Schedule.MINUTES,
            "minutes": rollups.RECENT_MINUTES,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name="reports.refresh_all_rollups",
        defaults={"func": "reports.tasks.refresh_all_rollups", "schedule_type": Schedule.HOURLY, "repeats": -1},
    )

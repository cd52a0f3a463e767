"""django-q2 entry points of onboarding: thin, idempotent, safe to retry."""

from onboarding import services


def run_import(run_id: int) -> None:
    services.run_queued(run_id)

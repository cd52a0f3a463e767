"""Reads of the imports: who sees which import records."""

from django.db.models import QuerySet

from govcenter import access
from govcenter.access import Action
from onboarding.models import ImportRun


def import_run_list_visible(*, user) -> QuerySet:
    """The imports of the user's subtree, and their own (an import whose every row was wrong may have
    no center at all)."""
    runs = ImportRun.objects.select_related("actor")
    return access.scope(user, runs, Action.ONBOARDING_IMPORT) | runs.filter(actor_id=user.pk)


def import_run_summaries_visible(*, user) -> QuerySet:
    """The same, without the errors and changes a list never shows (tens of thousands per import)."""
    return import_run_list_visible(user=user).defer("errors", "changes")


def import_run_get_visible(*, user, run_id: int) -> ImportRun | None:
    return import_run_list_visible(user=user).filter(pk=run_id).first()

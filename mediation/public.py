"""What mediation provides to the cases app through cases.hooks: the public roster of a center's
form, and the roster's way of assigning mediators for the workflow's assign-mediator verb."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from cases.hooks import provide_mediator_assigner, provide_public_roster, provide_risk_records
from cases.signals import request_scoring
from mediation import selectors, services
from mediation.models import Mediator


@provide_public_roster
def public_roster_choices(center) -> list[tuple[str, str]]:
    """The center's public organisations and their mediators (and those of the centers above), by
    name only: a citizen picks whom they would like, the clerk decides."""
    choices, seen_orgs = [], set()
    for mediator in selectors.public_roster(center=center):
        if mediator.org_id not in seen_orgs:
            seen_orgs.add(mediator.org_id)
            choices.append((f"org:{mediator.org_id}", mediator.org.name))
        choices.append((f"mediator:{mediator.pk}", f"{mediator.name}（{mediator.org.name}）"))
    return choices


@provide_mediator_assigner
def assign_users(*, actor, case, users, note: str = "", expected_version: int | None = None):
    """The assign-mediator verb with user accounts: each must have an entry on the roster."""
    roster = {m.user_id: m for m in Mediator.objects.filter(user__in=users).select_related("org")}
    if not users or any(user.pk not in roster for user in users):
        raise services.MediationError(
            _("One of the chosen mediators cannot be assigned to this case."), field="mediators"
        )
    return services.assign(
        actor=actor,
        case=case,
        mediators=[roster[user.pk] for user in users],
        note=note,
        expected_version=expected_version,
    )


@provide_risk_records
def session_notes(case_ids) -> dict[int, list[str]]:
    """What was said in the cases' mediation sessions: the early-warning keywords look there too
    (a threat made across the table is the clearest sign there is)."""
    from mediation.models import MediationSession

    texts: dict[int, list[str]] = {}
    for case_id, notes, next_steps in MediationSession.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "notes", "next_steps"
    ):
        texts.setdefault(case_id, []).extend(text for text in (notes, next_steps) if text)
    return texts


@receiver(post_save, sender="mediation.MediationSession")
def _session_logged(sender, instance, **kwargs):
    # What was said may hold a threat: the case is scored again.
    request_scoring(instance.case_id)

"""Satisfaction (跟踪问效): the rating of the person who raised the case, and the director's review
of a dissatisfied one."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    Case,
    CaseEvent,
    Party,
    Rating,
    Status,
)
from cases.notifications import notify_center, portal_text
from cases.services.core import CaseConflict, CaseError, Step, apply_step, lock_case
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import NotAllowed


def record_rating(case: Case, *, value: str, comment: str, source: str, actor=None) -> Rating:
    if value not in Rating.Value.values:
        raise CaseError(_("Unknown rating: %(value)s.") % {"value": value}, field="value")
    if Rating.objects.filter(case=case).exists():
        raise CaseConflict(_("This case has already been rated."))
    rating = Rating.objects.create(
        case=case,
        value=value,
        comment=comment.strip(),
        source=source,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if value == Rating.Value.DISSATISFIED:
        case.review_required = True
        case.save(update_fields=["review_required"])
        notify_center(
            case,
            kind="rating.dissatisfied",
            roles=("director",),
            text=portal_text(
                gettext_lazy("The person who raised case %(number)s is dissatisfied"), {"number": case.number}
            ),
        )
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=rating.recorded_by,
        verb="rating",
        to_status=case.status,
        center_code=case.center_code,
        note=comment,
        data={"value": value, "source": source},
        version=case.version,
    )
    audit.record(actor=actor, action="case.rating", obj=case, data={"value": value, "source": source})
    return rating


@transaction.atomic
def rating_submit_public(*, receipt: str, value: str, phone_last4: str, comment: str = "") -> Rating:
    """The person rates the outcome through the receipt page, once the case was fed back.

    The receipt alone is not enough: staff see it, and they must not rate their own work. The last
    four digits of the phone number the person gave prove it is them.
    """
    case = Case.objects.select_for_update().filter(receipt=receipt).first()
    if case is None:
        raise CaseError(_("No report has this receipt code."), field="receipt")
    phones = [p for p in case.parties.filter(role=Party.Role.APPLICANT).values_list("phone", flat=True) if p]
    if phones and not any(phone.endswith(phone_last4.strip()) and len(phone_last4.strip()) == 4 for phone in phones):
        raise CaseError(
            _("The last four digits do not match the phone number given with the report."), field="phone_last4"
        )
    if case.status not in (Status.FEEDBACK_GIVEN, Status.FOLLOWED_UP, Status.CLOSED):
        raise CaseConflict(_("You can rate the outcome once you have been told it."))
    return record_rating(case, value=value, comment=comment, source=Rating.Source.PUBLIC)


@transaction.atomic
def rating_confirm(*, actor, case: Case, note: str, expected_version: int | None = None) -> Case:
    """The director looked at a dissatisfied rating and confirms the outcome (or reopens instead)."""
    case = lock_case(case, expected_version)
    if not access.can(actor, Action.CASE_REOPEN, case):
        raise NotAllowed(_("Only a director decides on a dissatisfied rating."))
    if not case.review_required:
        raise CaseConflict(_("Nothing awaits review on this case."))
    if not note.strip():
        raise CaseError(_("Say why the outcome stands."), field="note")
    case.review_required = False
    return apply_step(case, actor, Step("confirm-outcome", note=note, fields=("review_required",)))

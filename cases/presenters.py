"""How cases are shown: masking of personal data, and the public view of a report."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Status


def mask_id_number(value: str) -> str:
    """6201**********1234: the region and the last four, as lists and exports show it."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# What a citizen is told at each stage: plain words, no internal detail.
PUBLIC_STAGES = {
    Status.RECEIVED: _("Received, waiting to be handled"),
    Status.CLASSIFIED: _("Being handled"),
    Status.DISPATCHED: _("Passed to the responsible department"),
    Status.ACCEPTED: _("The responsible department is handling it"),
    Status.IN_MEDIATION: _("In mediation"),
    Status.RESOLVED: _("Handled; you will be told the outcome"),
    Status.FAILED: _("Mediation did not succeed; you will be told what comes next"),
    Status.FEEDBACK_GIVEN: _("Outcome given; please rate it"),
    Status.FOLLOWED_UP: _("Followed up"),
    Status.CLOSED: _("Closed"),
    Status.REOPENED: _("Being handled again"),
    Status.HANDED_BACK: _("Returned to the authority that sent it"),
}


def public_status(case: Case) -> dict:
    """The status of a report for its receipt page: never a name, number, phone or fact."""
    from cases.models import Rating

    return {
        "receipt": case.receipt,
        "status": case.status,
        "stage": str(PUBLIC_STAGES.get(case.status, "")),
        "center": case.center.name,
        "received_at": timezone.localtime(case.received_at).isoformat(),
        "updated_at": timezone.localtime(case.updated_at).isoformat(),
        "can_rate": case.status in (Status.FEEDBACK_GIVEN, Status.FOLLOWED_UP, Status.CLOSED)
        and not Rating.objects.filter(case=case).exists(),
    }

"""Evidence files: type and size limits, content sniffing, stored through Django's storage API."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseEvent,
)
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import NotAllowed
from govcenter.uploads import DOCUMENT_FILES, check_upload

# Evidence may be images, PDF or office documents; the checks themselves are the core's.
ALLOWED_FILES = DOCUMENT_FILES


@transaction.atomic
def attachment_add(*, actor, case: Case, upload):
    from cases.models import Attachment

    if not access.can(actor, Action.CASE_ATTACH, case):
        raise NotAllowed(_("You may see this case but not add files to it."))
    content_type = check_upload(upload)
    attachment = Attachment(
        case=case, name=upload.name[:200], content_type=content_type, size=upload.size, uploaded_by=actor
    )
    attachment.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            CaseEvent.objects.create(
                case=case,
                at=timezone.now(),
                actor=actor,
                verb="attach",
                to_status=case.status,
                center_code=case.center_code,
                data={"name": attachment.name, "size": attachment.size},
                version=case.version,
            )
            audit.record(
                actor=actor, action="case.attach", obj=case, data={"attachment": attachment.pk, "name": attachment.name}
            )
    except Exception:
        attachment.file.delete(save=False)  # the row was not saved: leave no orphan file behind
        raise
    return attachment

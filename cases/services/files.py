"""Evidence files: type and size limits, content sniffing, stored through Django's storage API."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseEvent,
)
from cases.services.core import CaseError
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import NotAllowed

# Extension → (content type, the magic bytes the file must start with; None for any).
ALLOWED_FILES = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
}


def check_upload(upload) -> str:
    from django.conf import settings

    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_FILES:
        raise CaseError(
            _("Files of type “%(ext)s” are not accepted. Accepted: images, PDF and office documents (%(list)s).")
            % {"ext": extension or "?", "list": ", ".join(sorted(ALLOWED_FILES))},
            field="file",
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise CaseError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1048576, "limit": settings.ATTACHMENT_MAX_BYTES // 1048576},
            field="file",
        )
    if upload.size == 0:
        raise CaseError(_("The file is empty."), field="file")
    content_type, signatures = ALLOWED_FILES[extension]
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise CaseError(_("The file's content does not match its “%(ext)s” name.") % {"ext": extension}, field="file")
    return content_type


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

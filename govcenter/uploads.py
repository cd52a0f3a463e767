"""Uploaded files: type and size limits, and content sniffing (the first bytes must match the type
the name claims), shared by evidence files, signed scans and visit photos."""

from django.conf import settings
from django.utils.translation import gettext as _

from govcenter.errors import DomainError

# Extension → (content type, the magic bytes the file must start with).
IMAGE_FILES = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
}
DOCUMENT_FILES = {
    **IMAGE_FILES,
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
}


def check_upload(upload, allowed: dict = DOCUMENT_FILES, *, field: str = "file") -> str:
    """The file's content type, or a DomainError on `field` saying what is wrong with it."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        raise DomainError(
            _("Files of type “%(ext)s” are not accepted here. Accepted: %(list)s.")
            % {"ext": extension or "?", "list": ", ".join(sorted(allowed))},
            field=field,
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1048576, "limit": settings.ATTACHMENT_MAX_BYTES // 1048576},
            field=field,
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field=field)
    content_type, signatures = allowed[extension]
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise DomainError(_("The file's content does not match its “%(ext)s” name.") % {"ext": extension}, field=field)
    return content_type

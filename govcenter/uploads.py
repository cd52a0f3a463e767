"""Uploaded files: type and size limits, and content sniffing, shared by every place that accepts a
file (evidence files, signed scans, visit photos, a court's import file).

The name only says which type the uploader claims; the content must then be of that type: the magic
bytes of an image or a PDF, the zip structure of an Office Open XML document, the compound-file header
of an old Office file, or plain text for a CSV. A renamed program, HTML page or SVG is refused.
"""

import codecs
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from govcenter.errors import DomainError

# Enough to tell text from markup or a binary; a CSV is read whole later anyway.
TEXT_SNIFF_BYTES = 64 * 1024
# What starts or betrays a web page or an SVG image: a browser would run its scripts if it were
# ever served inline, and no spreadsheet program writes it into a CSV.
MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe", b"<object")


@dataclass(frozen=True)
class FileType:
    content_type: str
    matches: Callable  # (head: bytes, upload) -> bool


def starts_with(*signatures: bytes) -> Callable:
    return lambda head, upload: head.startswith(signatures)


def is_webp(head: bytes, upload) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def office_package(main_folder: str) -> Callable:
    """An Office Open XML file (.docx, .xlsx, .pptx) is a zip holding [Content_Types].xml and its
    main part's folder; any other zip (or a renamed one) is not."""

    def matches(head: bytes, upload) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(name.startswith(main_folder) for name in names)

    return matches


def is_text(head: bytes, upload) -> bool:
    """Plain text in UTF-8 or GBK (as Excel saves CSV in China), with no NUL byte (a binary) and no
    markup (a web page or an SVG renamed .csv)."""
    sample = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    if b"\x00" in sample or any(tag in sample.lower() for tag in MARKUP):
        return False
    complete = len(sample) < TEXT_SNIFF_BYTES  # else the sample may end inside a character
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
            return True
        except UnicodeDecodeError:
            continue
    return False


OLE = starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # the compound file of .doc, .xls, .wps

IMAGE_FILES = {
    "jpg": FileType("image/jpeg", starts_with(b"\xff\xd8\xff")),
    "jpeg": FileType("image/jpeg", starts_with(b"\xff\xd8\xff")),
    "png": FileType("image/png", starts_with(b"\x89PNG\r\n\x1a\n")),
    "gif": FileType("image/gif", starts_with(b"GIF87a", b"GIF89a")),
    "webp": FileType("image/webp", is_webp),
}
PDF_FILES = {"pdf": FileType("application/pdf", starts_with(b"%PDF-"))}
# A signed paper agreement comes back photographed or scanned.
SCAN_FILES = {**IMAGE_FILES, **PDF_FILES}
DOCUMENT_FILES = {
    **SCAN_FILES,
    "doc": FileType("application/msword", OLE),
    "xls": FileType("application/vnd.ms-excel", OLE),
    "wps": FileType("application/vnd.ms-works", OLE),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", office_package("word/")
    ),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", office_package("xl/")),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", office_package("ppt/")
    ),
}
# A court's list of pre-litigation transfers.
TABLE_FILES = {"xlsx": DOCUMENT_FILES["xlsx"], "csv": FileType("text/csv", is_text)}


def check_upload(upload, allowed: dict = DOCUMENT_FILES, *, field: str = "file", max_bytes: int | None = None) -> str:
    """The file's content type, or a DomainError on `field` saying what is wrong with it."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        raise DomainError(
            _("Files of type “%(ext)s” are not accepted here. Accepted: %(list)s.")
            % {"ext": extension or "?", "list": ", ".join(sorted(allowed))},
            field=field,
        )
    limit = max_bytes or settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1048576, "limit": limit // 1048576},
            field=field,
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field=field)
    file_type = allowed[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not file_type.matches(head, upload):
        raise DomainError(_("The file's content does not match its “%(ext)s” name.") % {"ext": extension}, field=field)
    return file_type.content_type

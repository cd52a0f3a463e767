"""The register of issued documents: every PDF the portal hands out gets a row and a code.

`issue_document` is called by the service that produces an agreement, a record or a report, after
that service has checked the actor's right to do so; `govcenter.pdf.render_pdf` prints the code
and records the digest of the bytes it returns. `verify` answers the public page /verify/<code>/:
what the document is and whether it stands, never whom it is about.
"""

import hashlib
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcenter import audit
from govcenter.errors import ConflictError, DomainError
from govcenter.models import DOCUMENT_CODE_ALPHABET, DOCUMENT_CODE_LENGTH, Center, IssuedDocument, new_document_code

_CODE_ATTEMPTS = 5


# Dashes a phone or an input method may put in instead of "-" (full-width, en and em dashes).
_DASHES = str.maketrans("", "", "-－–—")


def normalise_code(typed: str) -> str:
    """The code as stored: what a person typed, upper-cased, without spaces and dashes. NFKC first:
    a Chinese input method in full-width mode types ＡＢＣ１２３."""
    return "".join(unicodedata.normalize("NFKC", typed).split()).translate(_DASHES).upper()


def is_well_formed(code: str) -> bool:
    return len(code) == DOCUMENT_CODE_LENGTH and all(char in DOCUMENT_CODE_ALPHABET for char in code)


def _unused_code() -> str:
    # 2**60 codes make a collision all but impossible; checking costs one indexed lookup.
    for _attempt in range(_CODE_ATTEMPTS):
        code = new_document_code()
        if not IssuedDocument.objects.filter(code=code).exists():
            return code
    raise RuntimeError("no unused document code after several attempts")


@transaction.atomic
def issue_document(*, kind: str, title: str, reference: str, obj, center_code: str, actor) -> IssuedDocument:
    """Register a document about `obj` before it is rendered; its code goes on every page.

    `title` and `reference` are shown to anyone who types the code: keep names of people and the
    facts of the case out of them (「人民调解协议书」, 「东岗调〔2026〕12号」).
    """
    if kind not in IssuedDocument.Kind.values:
        raise DomainError(_("Unknown document kind: %(kind)s.") % {"kind": kind}, field="kind")
    if not title.strip():
        raise DomainError(_("A document needs a title."), field="title")
    object_type, object_id = (obj._meta.label_lower, str(obj.pk)) if obj is not None else ("", "")
    user = actor if getattr(actor, "is_authenticated", False) else None
    document = IssuedDocument.objects.create(
        code=_unused_code(),
        kind=kind,
        title=title.strip(),
        reference=reference.strip(),
        object_type=object_type,
        object_id=object_id,
        center_code=center_code,
        issued_by=user,
    )
    audit.record(
        actor=actor,
        action="document.issue",
        obj=document,
        center_code=center_code,
        data={
            "code": document.code,
            "kind": kind,
            "reference": document.reference,
            "object_type": object_type,
            "object_id": object_id,
        },
    )
    return document


def pdf_digest(pdf_bytes: bytes) -> str:
    return hashlib.sha256(pdf_bytes).hexdigest()


def attach_digest(document: IssuedDocument, pdf_bytes: bytes) -> IssuedDocument:
    """Record the SHA-256 of the bytes as issued. Write-once: printing the same record again with
    other bytes would leave the first paper unverifiable, so it is refused; issue a new document."""
    digest = pdf_digest(pdf_bytes)
    # One conditional UPDATE: two renders racing for the same row cannot both win.
    updated = IssuedDocument.objects.filter(pk=document.pk, sha256="").update(sha256=digest)
    if not updated:
        recorded = IssuedDocument.objects.filter(pk=document.pk).values_list("sha256", flat=True).first()
        if recorded != digest:
            raise ConflictError(_("This document was already issued with other content; issue a new document."))
    document.sha256 = digest
    return document


@transaction.atomic
def revoke(document: IssuedDocument, reason: str, *, actor=None) -> IssuedDocument:
    """Mark a document as no longer standing (e.g. an agreement superseded by a new one). Its code
    keeps answering, with the reason, so an old paper cannot pass for a valid one."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the document is revoked."), field="reason")
    locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_revoked:
        raise ConflictError(_("This document is already revoked."))
    locked.is_revoked = True
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason[: IssuedDocument._meta.get_field("revoked_reason").max_length]
    locked.save(update_fields=["is_revoked", "revoked_at", "revoked_reason"])
    audit.record(
        actor=actor,
        action="document.revoke",
        obj=locked,
        center_code=locked.center_code,
        data={"code": locked.code, "reason": locked.revoked_reason},
    )
    document.is_revoked, document.revoked_at, document.revoked_reason = True, locked.revoked_at, locked.revoked_reason
    return document


def verify(code: str) -> dict | None:
    """What the public may learn from a document's code, or None when no document has it.

    Only what is printed in the heading of the paper anyway: the kind, the title, the document
    number, the issuing center and day, and whether it was revoked. Never a party, an amount or
    the object it is about.
    """
    code = normalise_code(code)
    if not is_well_formed(code):
        return None
    document = IssuedDocument.objects.filter(code=code).first()
    if document is None:
        return None
    center = Center.objects.filter(code=document.center_code).values_list("name", flat=True).first()
    return {
        "code": document.display_code,
        "kind": document.get_kind_display(),
        "title": document.title,
        "reference": document.reference,
        "center": center or document.center_code,
        "issued_on": timezone.localdate(document.issued_at),
        "sha256": document.sha256,
        "is_revoked": document.is_revoked,
        "revoked_on": timezone.localdate(document.revoked_at) if document.revoked_at else None,
        "revoked_reason": document.revoked_reason,
    }

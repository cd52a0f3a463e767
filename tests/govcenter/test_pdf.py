"""PDFs in Chinese with the packaged Noto fonts, and the verification code printed on them.

Text and fonts are read back with pypdf, so the tests need no poppler. A render takes about 0.1 s
with the system's libharfbuzz-subset0 and a few seconds without; the font configuration is loaded
once per process, so the first render also pays for that (about a second).
"""

import hashlib
import io
from datetime import date

import pytest
from django.utils import translation
from pypdf import PdfReader

from govcenter import documents, pdf
from govcenter.errors import ConflictError, DomainError
from govcenter.models import AuditEvent, IssuedDocument, Role
from tests.conftest import OWN

PARTIES = [
    {"role": "甲方", "name": "王大山", "details": "男，1970年5月出生，住东岗街道东岗路12号"},
    {"role": "乙方", "name": "赵小河", "details": "女，1985年3月出生，住东岗街道雁南路3号"},
]
CLAUSES = [
    "第一条 乙方于2026年12月31日前一次性支付甲方补偿款人民币伍万元整。",
    "第二条 双方以现有围墙为界，今后互不侵犯。",
    "第三条 本协议自双方签字之日起生效。",
]
TITLE = "人民调解协议书"
REFERENCE = "东岗调〔2026〕12号"


def sample_context(*, clauses=CLAUSES) -> dict:
    return {
        "title": TITLE,
        "reference": REFERENCE,
        "parties": PARTIES,
        "facts": "甲乙双方因宅基地边界发生纠纷，经东岗街道人民调解委员会主持调解，双方自愿达成如下协议。",
        "clauses": clauses,
        "mediator": "李调解",
        "issuer": "东岗街道人民调解委员会",
        "issued_on": date(2026, 11, 30),
    }


def page_texts(pdf_bytes: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


def embedded_fonts(pdf_bytes: bytes) -> dict[str, bytes]:
    """Base font name → the embedded font program, for every font used on any page."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            program = next(descriptor[key] for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor)
            fonts[str(font["/BaseFont"])] = program.get_object().get_data()
    return fonts


@pytest.fixture(scope="module")
def two_page_pdf():
    # No database: without a document, rendering reads nothing from it. Enough clauses for two pages.
    clauses = CLAUSES + [f"第{n}条 双方确认本条款内容。" for n in range(4, 24)]
    with translation.override("en"):
        return pdf.render_pdf("pdf/sample.html", sample_context(clauses=clauses))


@pytest.fixture
def clerk(member_at):
    return member_at("own", Role.CLERK, username="clerk")


@pytest.fixture
def agreement_doc(tree, clerk):
    return documents.issue_document(
        kind=IssuedDocument.Kind.AGREEMENT,
        title=TITLE,
        reference=REFERENCE,
        obj=tree[OWN].departments.get(),
        center_code=OWN,
        actor=clerk,
    )


# --- Rendering ------------------------------------------------------------------------------------


def test_sample_renders_a_pdf_whose_chinese_text_can_be_extracted(two_page_pdf):
    assert two_page_pdf.startswith(b"%PDF-")
    text = "".join(page_texts(two_page_pdf)).replace("\n", "")  # lines wrap inside words
    for expected in ("王大山", "赵小河", TITLE, REFERENCE, "第一条", "人民币伍万元整", "东岗街道人民调解委员会"):
        assert expected in text


def test_chinese_is_set_in_the_embedded_noto_fonts_not_boxes(two_page_pdf):
    fonts = embedded_fonts(two_page_pdf)
    assert fonts, "no font embedded"
    # Every font used is ours, and what is embedded is the Noto program itself, not a look-alike.
    assert all("Noto" in name for name in fonts), fonts.keys()
    assert any("Serif" in name for name in fonts) and any("Sans" in name for name in fonts)
    assert all(b"Noto" in program for program in fonts.values())


def test_every_page_is_numbered_with_the_page_count(two_page_pdf):
    texts = page_texts(two_page_pdf)
    assert len(texts) == 2
    assert "Page 1 of 2" in texts[0]
    assert "Page 2 of 2" in texts[1]


def test_page_numbers_follow_the_translation_as_css_counters():
    with translation.override("en"):
        assert pdf.page_numbers_css() == '"Page " counter(page) " of " counter(pages)'


def test_an_issued_document_carries_its_code_on_every_page_and_records_the_digest(agreement_doc):
    with translation.override("en"):
        pdf_bytes = pdf.render_pdf("pdf/sample.html", sample_context(), document=agreement_doc)
    texts = page_texts(pdf_bytes)
    assert all(agreement_doc.display_code in text for text in texts)
    assert "/verify/" in texts[0]
    agreement_doc.refresh_from_db()
    assert agreement_doc.sha256 == hashlib.sha256(pdf_bytes).hexdigest()


def test_an_issued_document_is_printed_once(agreement_doc):
    documents.attach_digest(agreement_doc, b"%PDF-1.7 first")
    documents.attach_digest(agreement_doc, b"%PDF-1.7 first")  # the same bytes again: fine
    with pytest.raises(ConflictError):
        documents.attach_digest(agreement_doc, b"%PDF-1.7 other")
    with pytest.raises(ConflictError):
        pdf.render_pdf("pdf/sample.html", sample_context(), document=agreement_doc)


def test_the_font_configuration_is_loaded_once():
    assert pdf._font_stylesheet() is pdf._font_stylesheet()


@pytest.mark.parametrize(
    "url",
    ["http://example.com/logo.png", "https://127.0.0.1/x.css", "ftp://example.com/f", "file:///etc/passwd"],
)
def test_rendering_never_fetches_from_the_network_or_outside_the_project(url):
    with pytest.raises(ValueError):
        pdf._offline_fetcher().fetch(url)


def test_rendering_reads_data_uris_and_the_packaged_fonts():
    fetcher = pdf._offline_fetcher()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    serif, _sans = pdf._font_paths()
    assert fetcher.fetch(serif.as_uri()).read(4) == b"OTTO"


# --- The register -----------------------------------------------------------------------------------


def test_issuing_a_document_gives_a_typable_code_and_is_audited(agreement_doc, clerk):
    assert len(agreement_doc.code) == 12
    assert set(agreement_doc.code) <= set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
    assert agreement_doc.display_code == "-".join(
        [agreement_doc.code[:4], agreement_doc.code[4:8], agreement_doc.code[8:]]
    )
    assert agreement_doc.issued_by == clerk
    assert (agreement_doc.object_type, agreement_doc.center_code) == ("govcenter.department", OWN)
    event = AuditEvent.objects.get(action="document.issue")
    assert event.actor == clerk
    assert event.data["code"] == agreement_doc.code


def test_an_unknown_kind_is_refused(tree, clerk):
    with pytest.raises(DomainError):
        documents.issue_document(kind="letter", title="函", reference="", obj=None, center_code=OWN, actor=clerk)


def test_verify_tells_what_the_document_is_and_nothing_about_whom(agreement_doc):
    found = documents.verify(f" {agreement_doc.display_code.lower()} ")
    assert found is not None
    assert found["title"] == TITLE
    assert found["reference"] == REFERENCE
    assert found["center"] == "东岗街道"
    assert found["is_revoked"] is False
    assert set(found) == {
        "code", "kind", "title", "reference", "center", "issued_on", "sha256",
        "is_revoked", "revoked_on", "revoked_reason",
    }  # fmt: skip


def test_a_revocation_needs_a_reason_and_happens_once(agreement_doc, clerk):
    with pytest.raises(DomainError):
        documents.revoke(agreement_doc, "  ", actor=clerk)
    documents.revoke(agreement_doc, "已被东岗调〔2026〕15号协议书取代", actor=clerk)
    with pytest.raises(ConflictError):
        documents.revoke(agreement_doc, "again", actor=clerk)
    assert AuditEvent.objects.filter(action="document.revoke").count() == 1


# --- The public page --------------------------------------------------------------------------------


def test_the_verify_page_says_genuine_with_title_and_reference_but_no_personal_data(client, agreement_doc):
    documents.attach_digest(agreement_doc, b"%PDF-1.7 as issued")
    response = client.get(f"/verify/{agreement_doc.display_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="genuine"' in page
    for shown in (TITLE, REFERENCE, "东岗街道", agreement_doc.display_code, agreement_doc.sha256):
        assert shown in page
    for private in ("王大山", "赵小河", "人民币伍万元整", "东岗路12号"):
        assert private not in page
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_the_verify_page_says_revoked_with_the_reason(client, agreement_doc):
    documents.revoke(agreement_doc, "已被东岗调〔2026〕15号协议书取代")
    response = client.get(f"/verify/{agreement_doc.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="revoked"' in page and 'data-state="genuine"' not in page
    assert "已被东岗调〔2026〕15号协议书取代" in page


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM", "not-a-code", "0000-0000-0000"])
def test_an_unknown_code_is_a_friendly_404(client, db, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    assert 'data-state="unknown"' in response.content.decode()


def test_the_lookup_is_rate_limited_per_address(client, agreement_doc, settings):
    settings.VERIFY_THROTTLE_RATE = "3/hour"
    for _ in range(3):
        assert client.get(f"/verify/{agreement_doc.code}/").status_code == 200
    response = client.get(f"/verify/{agreement_doc.code}/")
    assert response.status_code == 429
    assert agreement_doc.title not in response.content.decode()
    # Another address is not held back by this one.
    assert client.get(f"/verify/{agreement_doc.code}/", REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.parametrize("typed", [" 7kq4 m2xp-9tra ", "7KQ4—M2XP—9TRA", "７ＫＱ４－Ｍ２ＸＰ－９ＴＲＡ"])
def test_the_form_takes_a_typed_code_to_its_page(client, db, typed):
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302
    assert response.url == "/verify/7KQ4M2XP9TRA/"


def test_the_form_explains_a_malformed_code(client, db):
    assert client.get("/verify/").status_code == 200
    response = client.get("/verify/", {"code": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]

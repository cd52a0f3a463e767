"""The case dossier (人民调解卷宗) as an auditor carries it away: the parts of a people's-mediation case
file in their order, identity numbers masked for those who may not see them, a code that verifies."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from cases import services as case_services
from cases.models import Case, Handoff
from cases.presenters import mask_id_number
from govcenter.models import AuditEvent, IssuedDocument, Role
from mediation import services as mediation_services
from reports import dossier
from tests.fixtures_cases import ID_APPLICANT
from tests.mediation.conftest import committee, mediator  # noqa: F401  (fixtures)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

PARTS_IN_ORDER = [
    "人民调解卷宗",
    "卷内目录",
    "受理登记表",
    "当事人权利义务告知书",
    "当事人身份证明",
    "调查记录",
    "证据目录",
    "调解记录",
    "人民调解协议书",
    "协议履行情况",
    "回访记录",
    "司法确认材料",
    "附：案件办理流程记录",
    "卷内备考表",
]


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text().replace(" ", "").replace("\n", "") for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return "".join(pdf_pages(content))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mediated_case(make_case, category, clerk, mediator, committee):  # noqa: F811
    """A dispute taken through the whole file: evidence, mediation, a signed agreement performed,
    feedback and a follow-up with the person's rating."""
    case = make_case(category=category, applicant_id=ID_APPLICANT, title="楼上漏水纠纷", place="东岗路12号")
    case_services.attachment_add(actor=clerk, case=case, upload=SimpleUploadedFile("现场照片.png", PNG))
    mediation_services.assign(actor=clerk, case=Case.objects.get(pk=case.pk), mediators=[mediator])
    data = mediation_services.AgreementInput(
        facts="楼上住户卫生间漏水，致楼下天花板受损。",
        disputed_matters="维修费用的承担。",
        terms=[
            mediation_services.TermInput(
                text="被申请人赔偿申请人维修费", due_date=date.today(), amount=Decimal("4800"), manner="银行转账"
            )
        ],
        mediators=[mediator],
    )
    agreement = mediation_services.agreement_draft(
        actor=clerk, case=Case.objects.get(pk=case.pk), org=committee, data=data
    )
    mediation_services.agreement_sign(
        actor=clerk, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
    )
    mediation_services.session_log(
        actor=clerk,
        case=Case.objects.get(pk=case.pk),
        held_at=timezone.now() - timedelta(hours=1),
        place="东岗街道调解室",
        mediators=[mediator],
        attendees="申请人、被申请人",
        notes="双方同意由被申请人承担维修费。",
        outcome="agreed",
    )
    mediation_services.term_check(
        actor=clerk, term=agreement.terms.get(), fulfilment="fulfilled", checked_on=date.today(), note="已转账"
    )
    case_services.case_feedback(actor=clerk, case=Case.objects.get(pk=case.pk), note="已电话告知结果", method="phone")
    case_services.case_follow_up(
        actor=clerk, case=Case.objects.get(pk=case.pk), note="回访：漏水已修复", rating="satisfied"
    )
    return Case.objects.get(pk=case.pk)


def test_the_dossier_holds_the_case_file_in_order(mediated_case, clerk, client):
    pdf, document = dossier.dossier_pdf(actor=clerk, case_id=mediated_case.pk)
    pages = pdf_pages(pdf)
    text = "".join(pages)
    positions = [text.find(part) for part in PARTS_IN_ORDER]
    assert -1 not in positions, dict(zip(PARTS_IN_ORDER, positions, strict=True))
    assert positions == sorted(positions)
    assert mediated_case.number in text and "楼上漏水纠纷" in text
    assert "人民调解员" in text and "杨秀英" in text  # the mediator on the cover
    assert "保管期限长期" in text  # a signed agreement: kept long-term
    assert "选择或者接受人民调解员" in text and "如实陈述纠纷事实" in text
    assert "现场照片.png" in text and "东岗街道调解室" in text and "被申请人赔偿申请人维修费" in text
    assert "已转账" in text and "回访：漏水已修复" in text and "满意" in text
    # The cover counts the pages; the contents give each part's page (the register starts page 3).
    assert f"共{len(pages)}页" in pages[0]
    assert "受理登记表3" in pages[1]
    assert document.kind == IssuedDocument.Kind.DOSSIER and document.sha256
    assert document.code[:4] in text
    page = client.get(f"/verify/{document.code}/").content.decode()
    assert mediated_case.number in page and ID_APPLICANT not in page


def test_the_pdf_embeds_a_chinese_font(mediated_case, clerk):
    pdf, _document = dossier.dossier_pdf(actor=clerk, case_id=mediated_case.pk)
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto-Serif-SC" in name for name in fonts), fonts


def test_an_auditor_reads_masked_identity_numbers(mediated_case, member_at):
    auditor = member_at("parent", Role.AUDITOR)
    text = pdf_text(dossier.dossier_pdf(actor=auditor, case_id=mediated_case.pk)[0])
    assert mask_id_number(ID_APPLICANT) in text
    assert ID_APPLICANT not in text  # neither in the identity proof nor in the agreement's parties
    assert "部分隐藏" in text
    assert not AuditEvent.objects.filter(action="case.pii_view", actor=auditor).exists()


def test_one_who_may_see_identity_numbers_reads_them_and_it_is_logged(mediated_case, director):
    text = pdf_text(dossier.dossier_pdf(actor=director, case_id=mediated_case.pk)[0])
    assert ID_APPLICANT in text
    event = AuditEvent.objects.get(action="case.pii_view", actor=director)
    assert event.data == {"number": mediated_case.number, "via": "dossier"}


def test_empty_parts_say_so_and_a_case_without_agreement_is_kept_short_term(make_case, clerk):
    case = make_case()
    text = pdf_text(dossier.dossier_pdf(actor=clerk, case_id=case.pk)[0])
    assert all(part in text for part in PARTS_IN_ORDER)
    assert "保管期限短期" in text
    for part in ("调查记录", "证据目录", "调解记录", "协议履行情况", "回访记录", "司法确认材料"):
        assert f"{part}无" in text, part


def test_the_court_confirmation_is_in_the_file(mediated_case, clerk, member_at, tree):
    court = member_at("parent", Role.COURT)
    Handoff.objects.create(
        source=Handoff.Source.COURT,
        external_ref="（2026）甘0102民诉前调123号",
        case=mediated_case,
        center=tree["620102001"],
        center_code="620102001",
        sender_code="620102",
        sender_name="城关区人民法院",
        sent_by=court,
        sent_at=mediated_case.received_at,
        status=Handoff.State.ACCEPTED,
        confirmation=Handoff.Confirmation.CONFIRMED,
        confirmation_at=timezone.now(),
    )
    text = pdf_text(dossier.dossier_pdf(actor=clerk, case_id=mediated_case.pk)[0])
    confirmation = text[text.find("司法确认材料委派法院") :]
    assert "城关区人民法院" in confirmation and "（2026）甘0102民诉前调123号" in confirmation


def test_a_case_out_of_scope_has_no_dossier(make_case, member_at):
    from django.http import Http404

    case = make_case()
    with pytest.raises(Http404):
        dossier.dossier_pdf(actor=member_at("sibling", Role.CLERK), case_id=case.pk)
    assert not IssuedDocument.objects.exists()


def test_a_failed_render_revokes_the_code_it_was_to_carry(make_case, clerk, monkeypatch):
    from govcenter import pdf

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    case = make_case()
    monkeypatch.setattr(pdf, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        dossier.dossier_pdf(actor=clerk, case_id=case.pk)
    document = IssuedDocument.objects.get(kind="dossier")
    assert document.is_revoked and not document.sha256 and "卷宗" in document.revoked_reason


def test_an_auditor_reads_no_party_address_in_the_agreement(mediated_case, member_at, director):
    from mediation.models import AgreementParty

    AgreementParty.objects.filter(agreement__case=mediated_case).update(address="柳寨街道26号楼1单元302室")
    auditor = member_at("parent", Role.AUDITOR)
    assert "柳寨街道26号楼" not in pdf_text(dossier.dossier_pdf(actor=auditor, case_id=mediated_case.pk)[0])
    assert "柳寨街道26号楼" in pdf_text(dossier.dossier_pdf(actor=director, case_id=mediated_case.pk)[0])

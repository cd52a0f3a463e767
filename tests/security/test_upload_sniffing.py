"""Every place that accepts a file looks at its content, not only its name: a program, a web page or
an SVG renamed to an accepted type is refused with a message in Chinese, through the API (400 on the
field) and through the page (the form's error or a message), and nothing is saved."""

import csv
import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from cases.imports import template_workbook
from cases.models import Attachment, Case, Handoff
from govcenter.errors import DomainError
from govcenter.models import Role
from govcenter.uploads import DOCUMENT_FILES, IMAGE_FILES, SCAN_FILES, TABLE_FILES, check_upload
from grids import services as grid_services
from grids.models import GridKind, Visit
from mediation import services as mediation_services
from mediation.models import Agreement, MediationOrg, Mediator
from tests.conftest import CHILD, OWN

# --- Real files of each accepted kind, and the impostors -------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'
CSV_UTF8 = "案号,接收中心区划代码\n(2026)甘0102民诉前调1号,620102001\n".encode("utf-8-sig")
CSV_GBK = "案号,接收中心区划代码\n(2026)甘0102民诉前调1号,620102001\n".encode("gb18030")


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def package(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# Renamed files each path must refuse, whatever name it accepts.
IMPOSTORS = {"exe": EXE, "html": HTML, "svg": SVG}


@pytest.mark.parametrize(
    "allowed, name, content",
    [
        (IMAGE_FILES, "现场照片.png", PNG),
        (IMAGE_FILES, "photo.JPG", JPEG),
        (IMAGE_FILES, "a.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32),
        (SCAN_FILES, "签字.pdf", PDF),
        (DOCUMENT_FILES, "证据.xlsx", xlsx()),
        (DOCUMENT_FILES, "证据.docx", package("[Content_Types].xml", "word/document.xml")),
        (DOCUMENT_FILES, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        (TABLE_FILES, "委派.csv", CSV_UTF8),
        (TABLE_FILES, "委派.csv", CSV_GBK),
        (TABLE_FILES, "委派.xlsx", template_workbook()),
    ],
)
def test_genuine_files_pass(allowed, name, content):
    file = upload(name, content)
    assert check_upload(file, allowed) == allowed[name.rsplit(".", 1)[1].lower()].content_type
    assert file.read() == content  # left at the start for whoever stores or reads it next


@pytest.mark.parametrize(
    "allowed, name, content",
    [
        (IMAGE_FILES, "photo.png", EXE),
        (IMAGE_FILES, "photo.jpg", HTML),
        (IMAGE_FILES, "photo.png", SVG),
        (IMAGE_FILES, "clip.webp", b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 32),
        (SCAN_FILES, "scan.pdf", HTML),
        (DOCUMENT_FILES, "evidence.docx", EXE),
        (DOCUMENT_FILES, "evidence.xlsx", package("payload.exe")),  # a zip, but no workbook
        (DOCUMENT_FILES, "evidence.xlsx", package("[Content_Types].xml", "word/document.xml")),  # a .docx
        (DOCUMENT_FILES, "evidence.xlsx", b"PK\x03\x04 broken"),
        (DOCUMENT_FILES, "evidence.doc", b"\xd0\xcf\x11\xe0 short"),
        (TABLE_FILES, "list.csv", EXE),
        (TABLE_FILES, "list.csv", HTML),
        (TABLE_FILES, "list.csv", SVG),
        (TABLE_FILES, "list.csv", b"\x81\x30" * 8 + b"\xff\xfe\xfd"),  # neither UTF-8 nor GBK
        (TABLE_FILES, "list.xlsx", HTML),
    ],
)
def test_impostors_are_refused_in_chinese(allowed, name, content):
    with pytest.raises(DomainError) as refused:
        check_upload(upload(name, content), allowed)
    assert str(refused.value.message) == f"文件内容与其扩展名“{name.rsplit('.', 1)[1].lower()}”不符。"


@pytest.mark.parametrize("allowed", [IMAGE_FILES, SCAN_FILES, DOCUMENT_FILES, TABLE_FILES])
def test_web_pages_and_programs_by_their_own_names_are_not_accepted_anywhere(allowed):
    for extension in ("html", "svg", "exe", "js"):
        assert extension not in allowed
        with pytest.raises(DomainError):
            check_upload(upload(f"x.{extension}", HTML), allowed)


def test_a_signed_scan_is_an_image_or_a_pdf():
    assert sorted(SCAN_FILES) == ["gif", "jpeg", "jpg", "pdf", "png", "webp"]


# --- Every path that accepts a file, through the API and the page -----------------------------------


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def page_as():
    def as_user(user) -> Client:
        client = Client()
        client.force_login(user)
        return client  # no language cookie: the portal speaks zh-hans by default

    return as_user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def refused_in_chinese(text: str, extension: str) -> bool:
    return f"文件内容与其扩展名“{extension}”不符" in text


# Case attachments --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_case_attachment_api_refuses_a_renamed_file(impostor, clerk, make_case, api_as):
    case = make_case()
    response = api_as(clerk).post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": upload("证据.pdf", IMPOSTORS[impostor])},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert refused_in_chinese(response.json()["file"][0], "pdf")
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_case_attachment_page_refuses_a_renamed_file(impostor, clerk, make_case, page_as):
    case = make_case()
    client = page_as(clerk)
    response = client.post(
        f"/cases/{case.pk}/attachments/", {"file": upload("现场照片.png", IMPOSTORS[impostor])}, follow=True
    )
    assert response.status_code == 200
    assert any(refused_in_chinese(m, "png") for m in messages_of(response))
    assert not Attachment.objects.exists()
    accepted = client.post(f"/cases/{case.pk}/attachments/", {"file": upload("现场照片.png", PNG)})
    assert accepted.status_code in (302, 303) and Attachment.objects.count() == 1


# Grid visit photos --------------------------------------------------------------------------------


@pytest.fixture
def walked_grid(tree, member_at):
    director = member_at("own", Role.DIRECTOR, username="director_township")
    worker = member_at("child", Role.GRID_WORKER, username="grid_worker")
    grid = grid_services.grid_create(
        actor=director, center=tree[CHILD], name="东岗社区第1网格", kind=GridKind.URBAN, households=400, residents=1000
    )
    grid_services.grid_assign(actor=director, grid=grid, worker=worker, started_at=timezone.now() - timedelta(days=7))
    return grid, worker


def visit_fields(grid=None) -> dict:
    fields = {
        "visited_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "target": "household",
        "place": "东岗西路12号3单元",
        "finding": "nothing",
    }
    return {**fields, "grid": grid.code} if grid else fields


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_visit_photo_api_refuses_a_renamed_file(impostor, walked_grid, api_as):
    grid, worker = walked_grid
    body = {**visit_fields(grid), "photo": upload("走访.jpg", IMPOSTORS[impostor])}
    response = api_as(worker).post("/api/v1/visits/", body, format="multipart", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert refused_in_chinese(response.json()["photo"][0], "jpg")
    assert not Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_visit_photo_page_refuses_a_renamed_file(impostor, walked_grid, page_as):
    grid, worker = walked_grid
    client = page_as(worker)
    response = client.post(
        f"/grids/{grid.code}/visit/", {**visit_fields(), "photo": upload("走访.png", IMPOSTORS[impostor])}
    )
    assert response.status_code == 200
    assert refused_in_chinese(" ".join(response.context["form"].errors["photo"]), "png")
    assert not Visit.objects.exists()
    accepted = client.post(f"/grids/{grid.code}/visit/", {**visit_fields(), "photo": upload("走访.png", PNG)})
    assert accepted.status_code in (302, 303) and Visit.objects.get().photo


# A court's import file ----------------------------------------------------------------------------


def court_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["案号", "接收中心区划代码", "案由类别代码", "事由摘要", "申请人姓名"])
    writer.writerow(["(2026)甘0102民诉前调1号", OWN, "d-contract--loan", "借款纠纷", "王大山"])
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def court(member_at, category):
    return member_at("parent", Role.COURT, username="court_clerk")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["委派.csv", "委派.xlsx"])
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_court_import_api_refuses_a_renamed_file(name, impostor, court, api_as):
    response = api_as(court).post(
        "/api/v1/handoffs/import/",
        {"file": upload(name, IMPOSTORS[impostor])},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert refused_in_chinese(str(response.json()["file"]), name.rsplit(".", 1)[1])
    assert not Handoff.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_court_import_page_refuses_a_renamed_file(impostor, court, page_as):
    client = page_as(court)
    response = client.post("/handoffs/import/", {"file": upload("委派.csv", IMPOSTORS[impostor])})
    assert response.status_code == 200
    assert refused_in_chinese(" ".join(response.context["form"].errors["file"]), "csv")
    assert not Handoff.objects.exists()
    accepted = client.post("/handoffs/import/", {"file": upload("委派.csv", court_csv())})
    assert accepted.status_code == 302 and Handoff.objects.count() == 1


# The signed agreement's scan ----------------------------------------------------------------------


@pytest.fixture
def agreement(tree, make_case, category, clerk):
    committee = MediationOrg.objects.create(
        center=tree[OWN], center_code=OWN, name="东岗街道人民调解委员会", kind=MediationOrg.Kind.COMMITTEE
    )
    mediator = Mediator.objects.create(org=committee, center_code=OWN, name="杨秀英", user=clerk)
    case = make_case(category=category)
    mediation_services.assign(actor=clerk, case=case, mediators=[mediator])
    data = mediation_services.AgreementInput(
        facts="楼上漏水致楼下天花板受损。",
        disputed_matters="维修费用的承担。",
        terms=[mediation_services.TermInput(text="赔偿维修费", due_date=date.today(), amount=Decimal("5000"))],
    )
    return mediation_services.agreement_draft(actor=clerk, case=Case.objects.get(pk=case.pk), org=committee, data=data)


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_agreement_scan_api_refuses_a_renamed_file(impostor, agreement, clerk, api_as):
    response = api_as(clerk).post(
        f"/api/v1/agreements/{agreement.pk}/sign/",
        {"signed_on": date.today().isoformat(), "scan": upload("签字.pdf", IMPOSTORS[impostor])},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert refused_in_chinese(response.json()["scan"][0], "pdf")
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.State.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_agreement_scan_page_refuses_a_renamed_file(impostor, agreement, clerk, page_as):
    client = page_as(clerk)
    response = client.post(
        f"/agreements/{agreement.pk}/sign/",
        {"signed_on": date.today().isoformat(), "scan": upload("签字.jpg", IMPOSTORS[impostor])},
        follow=True,
    )
    assert any(refused_in_chinese(m, "jpg") for m in messages_of(response))
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.State.DRAFT
    client.post(
        f"/agreements/{agreement.pk}/sign/", {"signed_on": date.today().isoformat(), "scan": upload("签字.pdf", PDF)}
    )
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.State.SIGNED


@pytest.mark.django_db
def test_a_signed_scan_may_not_be_an_office_document(agreement, clerk, api_as):
    response = api_as(clerk).post(
        f"/api/v1/agreements/{agreement.pk}/sign/",
        {"signed_on": date.today().isoformat(), "scan": upload("签字.docx", package("[Content_Types].xml", "word/a"))},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400 and "此处不接受“docx”类型的文件" in response.json()["scan"][0]

"""The dashboard and the ranking as PDF (Chinese text extracted back) and Excel (numbers read back),
and as export jobs."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.models import Channel
from govcenter.documents import verify
from reports import exports, report_exports, selectors
from tests.reports.conftest import LAST_MONTH, SCHEME


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def period():
    today = timezone.localdate()
    return selectors.Period(today - timedelta(days=29), today)


def test_dashboard_pdf_speaks_chinese_and_can_be_verified(make_case, director, tree, period):
    make_case(channel=Channel.COURT)
    make_case(channel=Channel.POLICE)
    pdf = report_exports.dashboard_pdf(actor=director, center=tree["620102"], period=period)
    text = _text(pdf)
    assert pdf.startswith(b"%PDF-")
    for words in ("城关区", "矛盾纠纷化解工作统计报告", "受理案件总数", "来源渠道", "诉前委派调解"):
        assert words in text, words
    assert "<svg" not in text  # the charts are drawings, not text dumps
    from govcenter.documents import IssuedDocument

    document = IssuedDocument.objects.get(kind="report")
    checked = verify(document.code)
    assert checked["title"] == "城关区统计报告" and not checked["is_revoked"] and checked["sha256"]


def test_dashboard_xlsx_holds_real_numbers(make_case, director, tree, period):
    for _n in range(3):
        make_case(channel=Channel.COURT)
    book = load_workbook(
        io.BytesIO(report_exports.dashboard_xlsx(actor=director, center=tree["620102"], period=period))
    )
    assert "总体情况" in book.sheetnames and "来源渠道" in book.sheetnames
    totals = {row[0]: row[1] for row in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert totals["受理案件总数"] == 3 and isinstance(totals["受理案件总数"], int)
    channels = {row[0]: row[1] for row in book["来源渠道"].iter_rows(min_row=2, values_only=True)}
    assert channels == {"法院诉前委派": 3} or list(channels.values()) == [3]


def test_ranking_pdf_and_xlsx(month_cases, director, tree):
    from reports import services

    services.scheme_set(actor=director, center=tree["620102"], weights=SCHEME, red_cutoff=60, black_cutoff=30)
    text = _text(report_exports.ranking_pdf(actor=director, center=tree["620102"], month=LAST_MONTH))
    for words in ("红黑榜", "东岗街道", "雁南街道", "黑榜", "评分指标与权重"):
        assert words in text, words
    book = load_workbook(
        io.BytesIO(report_exports.ranking_xlsx(actor=director, center=tree["620102"], month=LAST_MONTH))
    )
    rows = list(book["排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3]) for r in rows] == [(1, "东岗街道", 37.5), (2, "雁南街道", 0.0)]
    assert all(isinstance(r[3], int | float) for r in rows)  # numbers, not strings


def test_ranking_export_job_from_start_to_file(month_cases, director, tree, django_capture_on_commit_callbacks):
    params = {"center": "620102", "month": f"{LAST_MONTH:%Y-%m}"}
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(owner=director, kind="ranking_xlsx", params=params)
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert job.filename == f"620102-ranking-{LAST_MONTH:%Y-%m}.xlsx"
    with job.file.open("rb") as handle:
        assert load_workbook(handle)["排名"].max_row == 3


def test_report_exports_are_scoped(member_at, tree):
    from django.http import Http404

    from govcenter.errors import DomainError
    from govcenter.models import Role

    clerk = member_at("own", Role.CLERK)
    with pytest.raises(Http404):
        exports.start(owner=clerk, kind="dashboard_pdf", params={"center": "620102002"})
    with pytest.raises(DomainError):
        exports.start(owner=clerk, kind="ranking_pdf", params={"center": "620102001", "month": "2026-01"})
    with pytest.raises(DomainError):
        exports.start(owner=clerk, kind="dashboard_pdf", params={"center": "620102001", "from": "yesterday"})

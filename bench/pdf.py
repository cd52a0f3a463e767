"""Time rendering a one-page Chinese document to PDF, with its verification footer.

Run: .venv/bin/python bench/pdf.py [N]   (N renders, default 20; BENCH_RUNS works too;
BENCH_PDF_OUT=/tmp/sample.pdf keeps the last one to look at)
Prints the first render (which loads the fonts), the median and 95th percentile of the others in
milliseconds, the PDF size, and whether WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset0)
or falls back to fontTools, which is many times slower. Needs no database: the document is not saved.
"""

import io
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcenter.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from govcenter import documents, pdf  # noqa: E402
from govcenter.models import IssuedDocument, new_document_code  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_RUNS", "20"))

CONTEXT = {
    "title": "人民调解协议书",
    "reference": "东岗调〔2026〕12号",
    "parties": [
        {"role": "甲方", "name": "王大山", "details": "男，汉族，1970年5月出生，住东岗街道东岗路12号"},
        {"role": "乙方", "name": "赵小河", "details": "女，汉族，1985年3月出生，住东岗街道雁南路3号"},
    ],
    "facts": (
        "甲乙双方系相邻住户。2026年9月，乙方翻建院墙时越过原有界址约三十厘米，甲方认为侵占其宅基地。"
        "经东岗街道人民调解委员会主持调解，双方自愿达成如下协议。"
    ),
    "clauses": [
        "第一条 乙方于2026年12月31日前一次性支付甲方补偿款人民币伍万元整。",
        "第二条 乙方于2027年3月31日前按原界址重建院墙，费用由乙方承担。",
        "第三条 双方以重建后的院墙为界，今后互不侵犯，和睦相处。",
        "第四条 本协议一式三份，双方和人民调解委员会各执一份，自签字之日起生效。",
    ],
    "mediator": "李调解",
    "issuer": "东岗街道人民调解委员会",
    "issued_on": date(2026, 11, 30),
}


def _page_count(pdf_bytes: bytes) -> int | str:
    try:
        from pypdf import PdfReader  # a development requirement
    except ImportError:
        return "?"
    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def main():
    from weasyprint.text.ffi import harfbuzz_subset

    # The document is not saved: record no digest (the register is not what is measured).
    documents.attach_digest = lambda document, pdf_bytes: document
    document = IssuedDocument(code=new_document_code(), kind=IssuedDocument.Kind.AGREEMENT, title=CONTEXT["title"])
    timings = []
    with translation.override("zh-hans"):
        for run in range(RUNS + 1):
            document.sha256 = ""
            started = time.perf_counter()
            pdf_bytes = pdf.render_pdf("pdf/sample.html", CONTEXT, document=document)
            elapsed = (time.perf_counter() - started) * 1000
            if run == 0:
                first = elapsed
            else:
                timings.append(elapsed)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    pages = _page_count(pdf_bytes)
    print(f"font subsetting: {'HarfBuzz (libharfbuzz-subset0)' if harfbuzz_subset else 'fontTools (slow fallback)'}")
    print(f"first render (loads the fonts): {first:.0f} ms")
    print(f"renders: {RUNS}, median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms")
    print(f"PDF size: {len(pdf_bytes) / 1024:.0f} KB, pages: {pages}")
    if os.environ.get("BENCH_PDF_OUT"):
        Path(os.environ["BENCH_PDF_OUT"]).write_bytes(pdf_bytes)


if __name__ == "__main__":
    main()

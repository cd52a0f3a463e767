"""Time rendering a typical case dossier (人民调解卷宗) to PDF, with its verification footer.

Run: .venv/bin/python bench/dossier.py [N]   (N renders, default 10; BENCH_RUNS works too;
BENCH_PDF_OUT=/tmp/dossier.pdf keeps the last one to look at)
A typical case: two parties, a patrol visit and a department's report, three evidence files, two
mediation sessions, a signed agreement of two terms with their checks, feedback, a follow-up with a
rating and twenty timeline entries. Prints the first render (which loads the fonts), the median and
95th percentile of the others in wall-clock and CPU milliseconds (CPU time is what a busy machine
does not inflate), the size and the pages. Needs no database: the context is built in memory as
reports.dossier.dossier_context makes it, and the document is not saved.
"""

import io
import os
import statistics
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcenter.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.utils import timezone, translation  # noqa: E402

from cases.models import Case  # noqa: E402
from govcenter import documents, pdf  # noqa: E402
from govcenter.models import Center, IssuedDocument, new_document_code  # noqa: E402
from reports import dossier  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_RUNS", "10"))


def _at(day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 9, day, hour, 0))


def _event(day, actor, verb, change="", note="", detail=""):
    return {"at": _at(day), "actor": actor, "verb": verb, "change": change, "note": note, "detail": detail}


def _party(role, name, id_number, phone, address):
    return {
        "role": role,
        "is_organisation": False,
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "address": address,
    }


def _term(ordinal, text, due, amount="", manner="", place="", note=""):
    return {
        "ordinal": ordinal,
        "text": text,
        "manner": manner,
        "place": place,
        "due_date": due,
        "amount": amount,
        "fulfilment": "已履行",
        "checked_at": date(2026, 10, 8),
        "note": note,
    }


def _session(day, outcome):
    return {
        "held_at": _at(day, 15),
        "place": "东岗街道人民调解室",
        "mediators": "杨秀英、马志远",
        "attendees": "申请人王大山、被申请人赵小河",
        "notes": "调解员释明相邻关系的法律规定，双方各自陈述意见，就维修费金额反复协商。" * 2,
        "next_steps": "",
        "outcome": outcome,
        "recorded_by": "杨秀英",
    }


def _timeline() -> list[dict]:
    rows = [_event(1, "张受理", "受理登记", note="群众来访反映。")]
    rows += [_event(1 + i // 3, "张受理", verb, "已受理 → 已分类") for i, verb in enumerate(["分类", "派单"] * 4)]
    rows += [_event(10 + i, "杨秀英", "调解", note="双方到场，陈述各自意见。") for i in range(6)]
    rows.append(_event(20, "杨秀英", "办结", "调解中 → 已办结", "达成协议。"))
    rows.append(_event(22, "张受理", "反馈", detail="反馈方式：电话"))
    rows.append(_event(28, "张受理", "回访", note="漏水已修复，双方满意。"))
    rows.append(_event(29, "李主任", "结案", "已回访 → 已结案"))
    return rows


def context() -> dict:
    center = Center(code="620102001", name="东岗街道")
    case = Case(
        number="620102-2026-000123",
        title="楼上卫生间漏水致楼下天花板受损纠纷",
        facts="申请人称，2026年8月起楼上住户卫生间持续漏水，致其天花板、墙面受损，"
        "多次协商未果，要求赔偿维修费并修复防水层。",
        place="东岗街道东岗路12号院3号楼",
        people_count=2,
        amount=Decimal("4800"),
        center=center,
        origin_center=center,
    )
    parties = [
        _party("申请人", "王大山", "6201**********1234", "138****5678", "东岗路12号院3号楼201室"),
        _party("被申请人", "赵小河", "6201**********0016", "139****0001", "东岗路12号院3号楼301室"),
    ]
    terms = [
        _term("一", "被申请人赔偿申请人维修费", date(2026, 9, 30), "4,800.00", manner="银行转账", note="已转账"),
        _term("二", "被申请人于十日内请专业人员修复卫生间防水层", date(2026, 9, 25), place="301室"),
    ]
    timeline = _timeline()
    report = "经物业查看，系楼上防水层老化所致。"
    return {
        "case": case,
        "kind": "矛盾纠纷",
        "channel": "来访",
        "status": "已结案",
        "category": "邻里纠纷 / 排水、漏水",
        "received_at": _at(1, 9),
        "closed_at": _at(29, 16),
        "recorded_by": "张受理",
        "mediators": "杨秀英、马志远",
        "orgs": "东岗街道人民调解委员会",
        "retention": dossier.RETENTION_LONG,
        "parties": parties,
        "show_pii": False,
        "investigation": {
            "visit": {
                "at": _at(1, 8),
                "worker": "刘网格",
                "grid": "东岗社区第三网格",
                "place": "3号楼",
                "person": "王大山",
                "notes": "天花板有明显水渍，面积约两平方米。",
            },
            "dispatches": [
                {
                    "department": "东岗街道司法所",
                    "dispatched_at": _at(2),
                    "instructions": "核实漏水原因",
                    "status": "已报告结果",
                    "result": report,
                }
            ],
            "events": [_event(3, "司法所", "承办部门报告", note=report, detail="承办部门：东岗街道司法所")],
        },
        "attachments": [
            {"name": f"现场照片{i}.jpg", "type": "image/jpeg", "size": 812345, "uploaded_at": _at(2), "by": "张受理"}
            for i in range(1, 4)
        ],
        "sessions": [_session(12, "待继续"), _session(17, "达成协议")],
        "agreement": {
            "number": "东岗人调〔2026〕12号",
            "org": "东岗街道人民调解委员会",
            "status": "已签署",
            "is_signed": True,
            "signed_at": date(2026, 9, 20),
            "facts": "楼上卫生间漏水，致楼下天花板受损。",
            "disputed_matters": "维修费用的承担。",
            "responsibilities": "被申请人对漏水负有责任。",
            "copies": 3,
            "mediators": "杨秀英",
            "parties": [{k: p[k] for k in ("role", "name", "id_number", "address")} for p in parties],
            "terms": terms,
        },
        "follow_up": {
            "events": timeline[-3:-1],
            "rating": {"value": "满意", "comment": "处理及时。", "source": "回访电话", "at": _at(28)},
        },
        "confirmations": [],
        "timeline": timeline,
        "sections": [{"anchor": anchor, "title": title} for anchor, title in dossier.SECTIONS],
        "compiled_by": "审计员",
        "compiled_at": _at(30, 11),
    }


def _page_count(pdf_bytes: bytes) -> int | str:
    try:
        from pypdf import PdfReader  # a development requirement
    except ImportError:
        return "?"
    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def main():
    from weasyprint.text.ffi import harfbuzz_subset

    documents.attach_digest = lambda document, pdf_bytes: document  # not saved: record no digest
    document = IssuedDocument(code=new_document_code(), kind=IssuedDocument.Kind.DOSSIER, title=dossier.DOSSIER_TITLE)
    data = context()
    wall, cpu = [], []
    with translation.override("zh-hans"):
        for run in range(RUNS + 1):
            document.sha256 = ""
            started, started_cpu = time.perf_counter(), time.process_time()
            pdf_bytes = pdf.render_pdf("pdf/dossier.html", data, document=document)
            elapsed, elapsed_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
            if run == 0:
                first = elapsed
            else:
                wall.append(elapsed)
                cpu.append(elapsed_cpu)
    wall.sort()
    cpu.sort()

    def p95(values):
        return values[max(0, int(len(values) * 0.95) - 1)]

    print(f"font subsetting: {'HarfBuzz (libharfbuzz-subset0)' if harfbuzz_subset else 'fontTools (slow fallback)'}")
    print(f"first render (loads the fonts): {first:.0f} ms")
    print(f"renders: {RUNS}, wall median {statistics.median(wall):.0f} ms, p95 {p95(wall):.0f} ms")
    print(f"             CPU median {statistics.median(cpu):.0f} ms, p95 {p95(cpu):.0f} ms")
    print(f"PDF size: {len(pdf_bytes) / 1024:.0f} KB, pages: {_page_count(pdf_bytes)}")
    if os.environ.get("BENCH_PDF_OUT"):
        Path(os.environ["BENCH_PDF_OUT"]).write_bytes(pdf_bytes)


if __name__ == "__main__":
    main()

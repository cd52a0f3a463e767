"""The dashboard and the red/black list as files: PDF (A4, Chinese, charts as vector images, with a
verification code) and Excel (one sheet per table, real numbers). Registered as kinds of export, so
they run as background jobs with a progress bar, and as plain functions for the pages."""

import io
from datetime import date

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from govcenter import audit, documents
from govcenter.access import Action
from govcenter.models import Center
from reports import api as report_api
from reports import charts, exports, selectors, services
from reports.models import Area

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _font() -> str:
    from govcenter.pdf import SANS_FAMILY

    return SANS_FAMILY


# --- The dashboard --------------------------------------------------------------------------------


def _dashboard_params(user, params: dict) -> tuple[Center, selectors.Period]:
    center = report_api.center_in_reach(user, str(params.get("center", "")), Action.REPORT_VIEW)
    return center, report_api.parse_period(params)


def _status_rows(board: selectors.Dashboard) -> list[dict]:
    overdue = {f.key.split(".", 1)[1]: f.value for f in board.overdue_by_status}
    return [
        {"label": f.label, "open": f.value, "overdue": overdue.get(f.key.split(".", 1)[1], 0)}
        for f in board.open_by_status
    ]


def dashboard_pdf(*, actor, center: Center, period: selectors.Period) -> bytes:
    from govcenter.pdf import render_pdf

    with translation.override("zh-hans"):
        board = selectors.dashboard(center, period)
        font = _font()
        context = {
            "board": board,
            "status_rows": _status_rows(board),
            "charts": {
                "trend": charts.column_chart([(f.label[5:] + "月", f.value) for f in board.trend], font=font),
                "channels": charts.bar_chart([(f.label, f.value) for f in board.by_channel], font=font),
                "categories": charts.bar_chart([(f.label, f.value) for f in board.by_category[:10]], font=font),
            },
            "printed_on": timezone.localdate(),
        }
        reference = f"{center.code} {period.start:%Y%m%d}-{period.end:%Y%m%d}"
        document = documents.issue_document(
            kind="report",
            title=f"{center.name}统计报告",
            reference=reference,
            obj=center,
            center_code=center.code,
            actor=actor,
        )
        pdf = render_pdf("pdf/dashboard.html", context, document=document)
    documents.attach_digest(document, pdf)
    audit.record(
        actor=actor,
        action="report.dashboard_pdf",
        obj=center,
        center_code=center.code,
        data={"document": document.code},
    )
    return pdf


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows if index <= len(r)]) + 4
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 1.6)


def _xlsx(workbook: Workbook) -> bytes:
    del workbook[workbook.sheetnames[0]]  # the empty default sheet
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dashboard_xlsx(*, actor, center: Center, period: selectors.Period) -> bytes:
    with translation.override("zh-hans"):
        board = selectors.dashboard(center, period)
        book = Workbook()
        _sheet(
            book,
            "总体情况",
            ["指标", "数值"],
            [
                ["受理案件总数", board.total.value],
                ["当前逾期未办结", board.command_post["overdue"].value],
                ["诉前委派调解", board.diversion["received"].value],
                ["诉前调解成功", board.diversion["resolved"].value],
                ["110警情分流", board.police["received"].value],
                ["110警情已化解", board.police["resolved"].value],
                ["信访事项", board.petitions["received"].value],
                ["信访事项在办", board.petitions["open"].value],
                ["行政村（社区）数", board.coverage.total.villages],
                ["配备辅警的村（社区）数", board.coverage.total.villages_with_auxiliary],
                ["网格数", board.coverage.total.grids],
                ["有网格员在岗的网格数", board.coverage.total.grids_staffed],
            ],
        )
        _sheet(book, "受理趋势", ["月份", "件数"], [[f.label, f.value] for f in board.trend])
        _sheet(book, "来源渠道", ["渠道", "件数"], [[f.label, f.value] for f in board.by_channel])
        _sheet(book, "纠纷类别", ["类别", "件数"], [[f.label, f.value] for f in board.by_kind + board.by_category])
        _sheet(
            book,
            "办理环节",
            ["状态", "在办", "其中逾期"],
            [[r["label"], r["open"], r["overdue"]] for r in _status_rows(board)],
        )
        _sheet(book, "化解层级", ["层级", "件数"], [[f.label, f.value] for f in board.resolution_level])
        _sheet(
            book,
            "覆盖情况",
            ["单位代码", "单位", "村（社区）", "配备辅警", "网格", "网格员在岗", "超出户数标准", "户数"],
            [
                [
                    r.code,
                    r.name,
                    r.villages,
                    r.villages_with_auxiliary,
                    r.grids,
                    r.grids_staffed,
                    r.grids_flagged,
                    r.households,
                ]
                for r in board.coverage.rows
            ],
        )
        _sheet(
            book,
            "调解员工作量",
            ["调解员", "所属组织", "在办案件"],
            [[m["name"], m["org"], m["open_cases"]] for m in board.mediators],
        )
        _sheet(
            book,
            "逾期督办",
            ["案件编号", "事由", "办理中心", "应办结时间"],
            [
                [
                    c.number,
                    c.title,
                    c.center.name,
                    timezone.localtime(c.next_due_at).replace(tzinfo=None) if c.next_due_at else None,
                ]
                for c in board.command_post["cases"]
            ],
        )
    audit.record(actor=actor, action="report.dashboard_xlsx", obj=center, center_code=center.code)
    return _xlsx(book)


# --- The red/black list ---------------------------------------------------------------------------


def _ranking_params(user, params: dict) -> tuple[Center, date]:
    center = report_api.center_in_reach(user, str(params.get("center", "")), Action.REPORT_VIEW)
    month = report_api.parse_month(str(params.get("month", "")) or None)
    services.check_ranking_center(center)
    services.check_month(month, complete=False)
    return center, month


def _ranking_context(center: Center, month: date) -> dict:
    payload = report_api.ranking_payload(center, month)
    rows = []
    for row in payload["results"]:
        rows.append({**row, "area_list": [row["area_scores"].get(area) for area in Area.values]})
    return {
        "center": center,
        "month": month,
        "published": payload["published"],
        "published_at": payload["published_at"],
        "scheme": payload["scheme"],
        "indicators": [i for i in payload["indicators"] if i["weight"]],
        "areas": [{"code": value, "label": label} for value, label in Area.choices],
        "rows": rows,
        "red_count": sum(1 for r in rows if r["mark"] == "red"),
        "black_count": sum(1 for r in rows if r["mark"] == "black"),
        "printed_on": timezone.localdate(),
    }


def ranking_pdf(*, actor, center: Center, month: date) -> bytes:
    from govcenter.pdf import render_pdf

    with translation.override("zh-hans"):
        context = _ranking_context(center, month)
        document = documents.issue_document(
            kind="report",
            title=f"{center.name}{month:%Y年%m月}红黑榜",
            reference=f"{center.code} {month:%Y-%m}",
            obj=center,
            center_code=center.code,
            actor=actor,
        )
        pdf = render_pdf("pdf/ranking.html", context, document=document)
    documents.attach_digest(document, pdf)
    audit.record(
        actor=actor, action="report.ranking_pdf", obj=center, center_code=center.code, data={"month": f"{month:%Y-%m}"}
    )
    return pdf


def ranking_xlsx(*, actor, center: Center, month: date) -> bytes:
    with translation.override("zh-hans"):
        context = _ranking_context(center, month)
        book = Workbook()
        areas = [str(a["label"]) for a in context["areas"]]
        _sheet(
            book,
            "排名",
            ["名次", "单位代码", "单位", "总分", *areas, "榜单", "上月名次"],
            [
                [
                    r["rank"],
                    r["code"],
                    r["name"],
                    None if r["score"] is None else float(r["score"]),
                    *r["area_list"],
                    {"red": "红榜", "black": "黑榜"}.get(r["mark"], ""),
                    r["previous_rank"],
                ]
                for r in context["rows"]
            ],
        )
        indicators = context["indicators"]
        _sheet(
            book,
            "指标明细",
            ["单位", "指标", "分子", "分母", "得分"],
            [
                [
                    r["name"],
                    i["label"],
                    r["figures"][i["code"]]["num"],
                    r["figures"][i["code"]]["den"],
                    r["figures"][i["code"]]["score"],
                ]
                for r in context["rows"]
                for i in indicators
                if i["code"] in r["figures"]
            ],
        )
        _sheet(book, "权重", ["领域", "指标", "权重"], [[i["area_label"], i["label"], i["weight"]] for i in indicators])
    audit.record(
        actor=actor, action="report.ranking_xlsx", obj=center, center_code=center.code, data={"month": f"{month:%Y-%m}"}
    )
    return _xlsx(book)


# --- As export jobs -------------------------------------------------------------------------------


def _register(kind: str, label: str, parse, make, suffix: str, content_type: str, name) -> None:
    def authorize(user, params):
        center, _when = parse(user, params)
        return center.code

    def build(job, progress):
        center, when = parse(job.owner, job.params)
        progress(10)
        content = make(
            actor=job.owner, center=center, **{"period" if isinstance(when, selectors.Period) else "month": when}
        )
        progress(100)
        return f"{name(center, when)}.{suffix}", content_type, content

    exports.register(kind, label=label, build=build, authorize=authorize)


def _dashboard_name(center, period):
    return f"{center.code}-dashboard-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def _ranking_name(center, month):
    return f"{center.code}-ranking-{month:%Y-%m}"


_register(
    "dashboard_pdf",
    gettext_lazy("Dashboard report (PDF)"),
    _dashboard_params,
    dashboard_pdf,
    "pdf",
    PDF,
    _dashboard_name,
)
_register(
    "dashboard_xlsx",
    gettext_lazy("Dashboard tables (Excel)"),
    _dashboard_params,
    dashboard_xlsx,
    "xlsx",
    XLSX,
    _dashboard_name,
)
_register("ranking_pdf", gettext_lazy("Red/black list (PDF)"), _ranking_params, ranking_pdf, "pdf", PDF, _ranking_name)
_register(
    "ranking_xlsx", gettext_lazy("Red/black list (Excel)"), _ranking_params, ranking_xlsx, "xlsx", XLSX, _ranking_name
)

"""Reading a court's file of pre-litigation transfers (Excel or CSV) into hand-offs.

Every row is checked before anything is saved; the caller saves all rows or none. Errors are
reported per row and column, in the file's own terms (row numbers as a spreadsheet shows them).
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from cases.models import Category, Handoff, Party
from cases.services import CaseInput, HandoffInput, PartyInput, check_reference
from govcenter.divisions import DivisionCodeError, check_code
from govcenter.errors import DomainError
from govcenter.models import Center
from govcenter.uploads import TABLE_FILES, check_upload

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024

# Column header (as in the template) → key. The order is the template's.
COLUMNS = [
    ("案号", "external_ref"),
    ("接收中心区划代码", "center"),
    ("案由类别代码", "category"),
    ("事由摘要", "title"),
    ("事实经过", "facts"),
    ("诉讼请求", "claim"),
    ("标的额（元）", "amount"),
    ("申请人姓名", "applicant_name"),
    ("申请人身份证号", "applicant_id"),
    ("申请人电话", "applicant_phone"),
    ("被申请人姓名", "respondent_name"),
    ("被申请人身份证号", "respondent_id"),
    ("被申请人电话", "respondent_phone"),
    ("期限天数", "due_days"),
]
REQUIRED = {"external_ref", "center", "title", "applicant_name"}
# The columns' limits in the database: a long cell is reported on its row, not a failed import.
LENGTH_LIMITS = {
    "external_ref": 64,
    "title": 200,
    "applicant_name": 100,
    "respondent_name": 100,
    "applicant_phone": 30,
    "respondent_phone": 30,
    "applicant_id": 30,
    "respondent_id": 30,
}
EXAMPLE = [
    "(2026)甘0102民诉前调123号",
    "620102001",
    "d-contract--loan",
    "民间借贷纠纷",
    "被告借款五万元逾期未还。",
    "判令被告归还借款五万元",
    "50000",
    "王大山",
    "11010519491231002X",
    "13912345678",
    "赵小河",
    "",
    "",
    "30",
]


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRefused(DomainError):
    """The file as a whole is refused; `errors` says where and why."""

    def __init__(self, message, errors: list[RowError]):
        super().__init__(message, extra={"errors": [e.__dict__ for e in errors]})
        self.errors = errors


def template_workbook() -> bytes:
    """The spreadsheet to fill in: Chinese headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "诉前调解委派"
    sheet.append([header for header, _key in COLUMNS])
    sheet.append(EXAMPLE)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(upload) -> list[dict]:
    """The rows of an .xlsx or .csv upload as dicts keyed by column key; the header row is row 1."""
    if upload.size > MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB."), field="file")
    name = (upload.name or "").lower()
    if not name.endswith((".xlsx", ".csv")):
        raise DomainError(_("Upload an Excel (.xlsx) or CSV file."), field="file")
    check_upload(upload, TABLE_FILES, max_bytes=MAX_BYTES)  # the content, not only the name
    content = upload.read()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise DomainError(_("The Excel file cannot be read."), field="file") from error
        table = [
            ["" if cell is None else str(cell).strip() for cell in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        text = _decode(content)
        table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    return _as_dicts(table)


def _decode(content: bytes) -> str:
    # Excel in China saves CSV as GBK unless told otherwise; UTF-8 (with or without BOM) otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The CSV file is neither UTF-8 nor GBK encoded."), field="file")


def _as_dicts(table: list[list[str]]) -> list[dict]:
    table = [row for row in table if any(row)]
    if len(table) < 2:
        raise DomainError(_("The file has no rows to import."), field="file")
    headers = table[0]
    known = {header: key for header, key in COLUMNS}
    missing = [header for header, key in COLUMNS if key in REQUIRED and header not in headers]
    if missing:
        raise DomainError(_("Columns missing: %(columns)s.") % {"columns": "、".join(missing)}, field="file")
    if len(table) - 1 > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS}, field="file")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        row = {"_row": number}
        for header, value in zip(headers, values, strict=False):
            if header in known:
                row[known[header]] = value
        rows.append(row)
    return rows


def court_handoffs(rows: list[dict], *, actor, sender_name: str = "") -> list[HandoffInput]:
    """Check every row; return the hand-offs, or raise ImportRefused listing every problem."""
    errors: list[RowError] = []
    inputs: list[HandoffInput] = []
    seen: dict[str, int] = {}
    centers = {c.code: c for c in Center.objects.filter(code__in={r.get("center", "") for r in rows})}
    categories = {c.code: c for c in Category.objects.filter(code__in={r.get("category", "") for r in rows})}
    for row in rows:
        problems = len(errors)
        handoff = _row_input(row, centers, categories, errors, sender_name)
        if handoff is not None and not _may_receive(actor, handoff.center):
            errors.append(RowError(row["_row"], "接收中心区划代码", _("Not a township or county center of yours.")))
        reference = row.get("external_ref", "")
        if reference in seen:
            errors.append(
                RowError(row["_row"], "案号", _("Same case number as row %(row)d.") % {"row": seen[reference]})
            )
        seen.setdefault(reference, row["_row"])
        if len(errors) == problems:
            inputs.append(handoff)
    if errors:
        raise ImportRefused(
            _("The file was not imported: %(n)d problems in it. Correct them and upload the whole file again.")
            % {"n": len(errors)},
            errors,
        )
    return inputs


def _row_input(row, centers, categories, errors, sender_name) -> HandoffInput | None:
    number = row["_row"]

    def problem(column_key, message):
        header = dict((key, header) for header, key in COLUMNS)[column_key]
        errors.append(RowError(number, header, str(message)))

    for key in REQUIRED:
        if not row.get(key):
            problem(key, _("Required."))
    for key, limit in LENGTH_LIMITS.items():
        if len(row.get(key, "")) > limit:
            problem(key, _("At most %(n)d characters.") % {"n": limit})
    try:
        check_reference(Handoff.Source.COURT, row.get("external_ref", ""))
    except DomainError as error:
        if row.get("external_ref"):
            problem("external_ref", error.message)
    center = centers.get(row.get("center", ""))
    if row.get("center"):
        try:
            check_code(row["center"])
            if center is None:
                problem("center", _("No center has this code."))
        except DivisionCodeError as error:
            problem("center", error)
    category = categories.get(row.get("category", "")) if row.get("category") else None
    if row.get("category") and category is None:
        problem("category", _("Unknown category code."))
    amount = _amount(row.get("amount", ""), problem)
    due_days = _days(row.get("due_days", ""), problem)
    parties = [
        PartyInput(
            role=Party.Role.APPLICANT,
            name=row.get("applicant_name", ""),
            id_number=row.get("applicant_id", ""),
            phone=row.get("applicant_phone", ""),
        )
    ]
    if row.get("respondent_name"):
        parties.append(
            PartyInput(
                role=Party.Role.RESPONDENT,
                name=row["respondent_name"],
                id_number=row.get("respondent_id", ""),
                phone=row.get("respondent_phone", ""),
            )
        )
    _check_parties(parties, problem)
    if center is None:
        return None
    return HandoffInput(
        source=Handoff.Source.COURT,
        external_ref=row.get("external_ref", ""),
        center=center,
        sender_name=sender_name,
        claim=row.get("claim", ""),
        due_days=due_days or 30,
        case=CaseInput(
            kind="dispute",
            channel="court",
            title=row.get("title", ""),
            facts=row.get("facts", ""),
            category=category,
            amount=amount,
            parties=parties,
        ),
    )


def _may_receive(actor, center: Center) -> bool:
    from govcenter import access
    from govcenter.divisions import Level

    return center.level in (Level.COUNTY, Level.TOWNSHIP) and access.may_send(actor, Handoff.Source.COURT, center.code)


def _amount(value: str, problem):
    if not value:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        problem("amount", _("Not a number."))
        return None
    if not amount.is_finite():
        problem("amount", _("Not a number."))
        return None
    if amount < 0 or amount >= Decimal("1e12"):
        problem("amount", _("Out of range."))
        return None
    return amount.quantize(Decimal("0.01"))


def _days(value: str, problem):
    if not value:
        return None
    try:
        days = int(float(value))
    except (ValueError, OverflowError):
        problem("due_days", _("Not a number."))
        return None
    if not 1 <= days <= 90:
        problem("due_days", _("Between 1 and 90 days."))
        return None
    return days


def _check_parties(parties, problem):
    from cases.services.intake import normalise_id_number, normalise_phone

    for party, (id_key, phone_key) in zip(
        parties, [("applicant_id", "applicant_phone"), ("respondent_id", "respondent_phone")], strict=False
    ):
        try:
            normalise_id_number(party.id_number)
        except DomainError as error:
            problem(id_key, error.message)
        try:
            normalise_phone(party.phone)
        except DomainError as error:
            problem(phone_key, error.message)

"""Spreadsheets in and out: reading an .xlsx or .csv upload into rows keyed by column, checking its
headers, and writing the two spreadsheets a user gets back: the template to fill in and the error
report (the file as it came, with an extra 错误 column and the bad cells marked).

Nothing here knows what the rows mean; the importers do.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

import python_calamine
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from govcenter.errors import DomainError
from govcenter.uploads import DOCUMENT_FILES, TABLE_FILES, check_upload

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
ERROR_HEADER = "错误"
# Cells a value-list or text-formatted column spans in the template, beyond the example row.
TEMPLATE_ROWS = 5000

BAD_FILL = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
HEADER_FILL = PatternFill(start_color="DDEBF7", end_color="DDEBF7", fill_type="solid")
XLSX_MAGIC = b"PK\x03\x04"
IMPORT_FILES = {**TABLE_FILES, "xls": DOCUMENT_FILES["xls"]}
# The old binary .xls (what many a bureau still publishes) is an OLE2 compound file.
WORKBOOK_MAGIC = {"xlsx": XLSX_MAGIC, "xls": b"\xd0\xcf\x11\xe0"}
CALAMINE_ERRORS = (
    python_calamine.CalamineError,
    python_calamine.ZipError,
    python_calamine.XmlError,
    python_calamine.PasswordError,
    python_calamine.WorksheetNotFound,
    ValueError,
    TypeError,
    OSError,
)


class FileRefused(DomainError):
    """The file as a whole cannot be read or has the wrong columns; nothing was imported."""

    def __init__(self, message):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class Column:
    """One column of a template: its Chinese header, the key the importer reads, and how a cell is
    checked before the importer sees it."""

    header: str
    key: str
    required: bool = False
    # Cell text → stored value, for enumerations; the template offers the texts as a drop-down list.
    choices: dict[str, str] | None = None
    max_length: int | None = None
    example: str = ""
    help: str = ""
    # Other headers the same column is published under (the statistics bureau's lists vary).
    aliases: tuple[str, ...] = ()
    # Codes and identity numbers: text in the template, so Excel neither rounds nor drops zeros.
    text: bool = False


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class Row:
    """One data row: its number as a spreadsheet shows it (the header is row 1) and its cells."""

    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass
class Table:
    headers: list[str]
    # Every line under the header as it came (for the error report), and the rows keyed by column.
    lines: list[list[str]]
    rows: list[Row]


# --- Reading --------------------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """The cells of the first sheet of an .xlsx or .xls, or of a .csv (UTF-8, with or without BOM, or GBK),
    as trimmed text. Refuses a file that is empty, too large, or not what its name says."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    _sniff(content, filename)
    if extension in WORKBOOK_MAGIC:
        return _read_workbook(content, extension)
    if extension == "csv":
        return _read_csv(content)
    raise FileRefused(_("Upload an Excel (.xlsx or .xls) or CSV file."))


def _sniff(content: bytes, filename: str) -> None:
    """The portal's upload checks: an accepted type, the size limit, and content that is what the
    name says (an Office zip with its workbook part, an old compound file, or plain text without
    markup for a CSV)."""
    try:
        check_upload(ContentFile(content, name=filename), IMPORT_FILES, max_bytes=MAX_BYTES)
    except DomainError as error:
        raise FileRefused(error.message) from error


def _read_workbook(content: bytes, extension: str) -> list[list[str]]:
    # calamine (Rust) reads a 34,000-row sheet in about a second, where openpyxl takes twenty.
    if not content.startswith(WORKBOOK_MAGIC[extension]):
        raise FileRefused(_("The file's content does not match its “%(ext)s” name.") % {"ext": extension})
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        table = []
        for values in sheet.iter_rows():
            table.append([cell_text(value) for value in values])
            if len(table) > MAX_ROWS + 1:
                break
    except CALAMINE_ERRORS as error:
        raise FileRefused(_("The Excel file cannot be read.")) from error
    return table


def cell_text(value) -> str:
    """A cell as the text a person typed: 620102001 stays 620102001 even when Excel stored a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes strictly, else GB18030 (a superset of the GBK that
    Excel in China saves CSV in)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The CSV file is neither UTF-8 nor GBK encoded."))


def _read_csv(content: bytes) -> list[list[str]]:
    if content.startswith(XLSX_MAGIC) or b"\x00" in content[:4096]:
        raise FileRefused(_("The file's content does not match its “%(ext)s” name.") % {"ext": "csv"})
    text = decode_text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    table = []
    try:
        for values in csv.reader(io.StringIO(text), dialect):
            table.append([value.strip() for value in values])
            if len(table) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise FileRefused(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error
    return table


def bind(table: list[list[str]], columns: list[Column]) -> Table:
    """Match the header row against the columns and key every data row by column.

    Wrong headers refuse the whole file, naming the missing and the unknown ones: a column read under
    the wrong name would import the wrong thing everywhere."""
    while table and not any(table[-1]):
        table.pop()
    if not table or not any(table[0]):
        raise FileRefused(_("The file has no header row."))
    # A star marks the required columns in many a province's own templates: 用户名* is 用户名.
    headers = [header.strip().rstrip("*＊").strip() for header in table[0]]
    while headers and not headers[-1]:
        headers.pop()
    by_header = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_header[name] = column
    _check_headers(headers, columns, by_header)
    lines = table[1:]
    if not any(any(line) for line in lines):
        raise FileRefused(_("The file has no rows to import."))
    if len(lines) > MAX_ROWS:
        raise FileRefused(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    keys = [by_header[header].key for header in headers]
    rows = []
    for number, line in enumerate(lines, start=2):
        if not any(line):
            continue
        cells = {key: (line[index] if index < len(line) else "") for index, key in enumerate(keys)}
        rows.append(Row(number=number, cells=cells))
    return Table(headers=headers, lines=lines, rows=rows)


def _check_headers(headers: list[str], columns: list[Column], by_header: dict) -> None:
    problems = []
    unknown = [header or _("(empty)") for header in headers if header not in by_header]
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": "、".join(unknown)})
    present = {by_header[header].key for header in headers if header in by_header}
    missing = [column.header for column in columns if column.required and column.key not in present]
    if missing:
        problems.append(_("Columns missing: %(columns)s.") % {"columns": "、".join(missing)})
    seen = set()
    twice = []
    for header in headers:
        column = by_header.get(header)
        if column is not None and column.key in seen:
            twice.append(header)
        if column is not None:
            seen.add(column.key)
    if twice:
        problems.append(_("Columns given twice: %(columns)s.") % {"columns": "、".join(twice)})
    if problems:
        expected = "、".join(column.header for column in columns)
        raise FileRefused(" ".join([*problems, _("The template's columns are: %(columns)s.") % {"columns": expected}]))


def check_cells(row: Row, columns: list[Column]) -> None:
    """The checks every column declares: required, length, and enumerations turned into their
    stored values (the cell's text is kept in the error)."""
    for column in columns:
        value = row.cells.get(column.key, "")
        if not value:
            if column.required:
                add_error(row, column, _("Required."))
            continue
        if column.max_length and len(value) > column.max_length:
            add_error(row, column, _("At most %(n)d characters.") % {"n": column.max_length})
        elif column.choices is not None:
            stored = choice_value(column, value)
            if stored is None:
                add_error(
                    row,
                    column,
                    _("Not in the list: choose one of %(choices)s.") % {"choices": "、".join(column.choices)},
                )
            else:
                row.cells[column.key] = stored


def choice_value(column: Column, value: str) -> str | None:
    """The stored value of an enumeration cell: its text as listed, or the stored value itself."""
    if value in column.choices:
        return column.choices[value]
    return value if value in column.choices.values() else None


def add_error(row: Row, column: Column, message, *, value: str | None = None) -> None:
    shown = row.cells.get(column.key, "") if value is None else value
    row.errors.append(RowError(row.number, column.header, shown, str(message)))


# --- Writing --------------------------------------------------------------------------------------


def template_workbook(title: str, columns: list[Column]) -> bytes:
    """The spreadsheet to fill in: the Chinese headers (required ones bold, with a note on how to fill
    them), one example row, text format on code columns, and drop-down lists for enumerations."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    lists = workbook.create_sheet("选项")
    lists.sheet_state = "hidden"
    sheet.append([column.header for column in columns])
    sheet.append([column.example for column in columns])
    for index, column in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=column.required)
        header.fill = HEADER_FILL
        note = ("必填。" if column.required else "") + column.help
        if note:
            header.comment = Comment(note, "GovCenter")
        letter = header.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.header) * 2 + 4)
        if column.text:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.choices:
            _add_choice_list(sheet, lists, index, letter, column)
    sheet.freeze_panes = "A2"
    return _save(workbook)


def _add_choice_list(sheet, lists, index: int, letter: str, column: Column) -> None:
    # The list lives on a hidden sheet: a literal list in the rule is limited to 255 characters.
    for position, text in enumerate(column.choices, start=1):
        lists.cell(row=position, column=index, value=text)
    source = f"选项!${letter}$1:${letter}${len(column.choices)}"
    rule = DataValidation(type="list", formula1=f"={source}", allow_blank=not column.required)
    rule.error = "请从下拉列表中选择：" + "、".join(column.choices)
    rule.errorTitle = column.header
    rule.showErrorMessage = True
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")


def error_workbook(table: Table, errors: list[RowError]) -> bytes:
    """The file as it came, every row in its place, with an 错误 column saying what is wrong in each
    bad row, and its bad cells filled red with the reason as a note."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "错误报告"
    sheet.append([*table.headers, ERROR_HEADER])
    for index in range(1, len(table.headers) + 2):
        sheet.cell(row=1, column=index).font = Font(bold=True)
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    error_column = len(table.headers) + 1
    for number, line in enumerate(table.lines, start=2):
        sheet.append([*line[: len(table.headers)], *[""] * (len(table.headers) - len(line))])
        problems = by_row.get(number)
        if not problems:
            continue
        sheet.cell(row=number, column=error_column, value="；".join(f"{e.column}：{e.message}" for e in problems))
        for problem in problems:
            if problem.column in table.headers:
                cell = sheet.cell(row=number, column=table.headers.index(problem.column) + 1)
                cell.fill = BAD_FILL
                cell.comment = Comment(problem.message, "GovCenter")
    sheet.column_dimensions[sheet.cell(row=1, column=error_column).column_letter].width = 60
    sheet.freeze_panes = "A2"
    return _save(workbook)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

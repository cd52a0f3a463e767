"""What every import has in common: check every row first, plan what would change (created, updated,
unchanged, retired, each by its natural key), and only then apply the plan, all of it or none.

An importer subclass declares its columns and implements `plan_rows` (read the rows, look up what
exists, record row errors and changes) and `apply` (carry the planned changes out). It never writes
in `plan_rows`, so a dry run is `plan_rows` alone.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import translation
from django.utils.translation import gettext as _

from cases.services.intake import normalise_id_number, normalise_phone
from govcenter import access
from govcenter.access import Action
from govcenter.divisions import DivisionCodeError, check_code, common_ancestor
from govcenter.errors import DomainError
from onboarding.importers.lookup import id_number_is_valid
from onboarding.tabular import Column, Row, RowError, Table, add_error, check_cells


class Verb(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RETIRED = "retired"


# Checking the cells of each row is this share of planning; the progress moves every so many rows.
CELLS_SHARE = 0.4
PROGRESS_EVERY = 2000

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"


def status_column(example: str = "在用") -> Column:
    return Column(
        "状态",
        "status",
        choices={"在用": STATUS_ACTIVE, "停用": STATUS_RETIRED},
        example=example,
        help="空白即在用；填“停用”则停用该条（不删除，历史保留）。",
    )


YES_NO = {"是": "yes", "否": "no"}


def zh_choices(choices) -> dict[str, str]:
    """Cell text → stored value of a model's choices, in Chinese whatever the user's language: the
    spreadsheets of a Chinese province are filled in Chinese."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices if value}


@dataclass
class Change:
    """What the import does to one object: its natural key as a person reads it, the verb, and for an
    update the fields with their value before and after."""

    verb: Verb
    key: str
    row: int | None = None
    fields: dict[str, list] = field(default_factory=dict)
    # What `apply` needs: the existing object, the new values …, private to the importer.
    payload: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"verb": str(self.verb), "key": self.key, "row": self.row, "fields": self.fields}


class Importer:
    kind: str = ""
    # The template's sheet and file name, in Chinese: what the person going live looks for.
    title: str = ""
    # What the pages call it, in the reader's language.
    label = ""

    @classmethod
    def build_columns(cls) -> list[Column]:
        raise NotImplementedError

    @classmethod
    def spec(cls) -> list[Column]:
        """The columns, built once per class (their drop-down lists come from the translated choices)."""
        if "_spec" not in cls.__dict__:
            cls._spec = cls.build_columns()
        return cls._spec

    @property
    def columns(self) -> list[Column]:
        return self.spec()

    def __init__(self, *, actor, root: str = ""):
        # actor None: a management command run by the machine's operator, bound by no subtree.
        self.actor = actor
        self.root = root
        self.changes: list[Change] = []
        self.codes: set[str] = set()
        # How far the step under way has come, 0 to 1, for the progress bar (set by the services;
        # long steps call it between their parts).
        self.step: Callable[[float], None] = nowhere

    # --- The steps ---------------------------------------------------------------------------

    def plan(self, table: Table) -> list[RowError]:
        """Check every row and plan the changes; return every row error (none: the plan may be applied)."""
        rows = table.rows
        for number, row in enumerate(rows, 1):
            check_cells(row, self.columns)
            if number % PROGRESS_EVERY == 0:
                self.step(CELLS_SHARE * number / len(rows))
        self.step(CELLS_SHARE)
        self.plan_rows(rows)
        self.step(1)
        return [error for row in table.rows for error in row.errors]

    def plan_rows(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        raise NotImplementedError

    # --- What the steps share -------------------------------------------------------------------

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def error(self, row: Row, key: str, message, *, value: str | None = None) -> None:
        add_error(row, self.column(key), message, value=value)

    def may(self, code: str) -> bool:
        return self.actor is None or access.can_at(self.actor, Action.ONBOARDING_IMPORT, code)

    def check_scope(self, row: Row, key: str, code: str) -> bool:
        """A row's center must lie in the importer's subtree; the refusal names no one else's data."""
        if self.may(code):
            self.codes.add(code)
            return True
        self.error(row, key, _("This center is outside your subtree."))
        return False

    def check_code_cell(self, row: Row, key: str) -> str | None:
        code = row.get(key)
        if not code:
            return None
        try:
            check_code(code)
        except DivisionCodeError as error:
            self.error(row, key, error)
            return None
        return code

    def check_id_number(self, row: Row, key: str) -> str:
        number = row.get(key).replace(" ", "").upper()
        if not number or id_number_is_valid(number):
            return number
        try:
            return normalise_id_number(number)
        except DomainError as error:
            self.error(row, key, error.message)
            return ""

    def check_phone(self, row: Row, key: str) -> str:
        try:
            return normalise_phone(row.get(key))
        except DomainError as error:
            self.error(row, key, error.message)
            return ""

    def check_count(self, row: Row, key: str) -> int:
        value = row.get(key)
        if not value:
            return 0
        if not value.isdigit() or len(value) > 9:
            self.error(row, key, _("A whole number of 0 or more."))
            return 0
        return int(value)

    def once(self, seen: dict, row: Row, key_value, column_key: str) -> bool:
        """Whether this natural key appears for the first time in the file; a repeat is a row error."""
        first = seen.get(key_value)
        if first is not None:
            self.error(row, column_key, _("Same as row %(row)d.") % {"row": first})
            return False
        seen[key_value] = row.number
        return True

    def record(self, verb: Verb, key: str, row: Row | None = None, fields: dict | None = None, **payload) -> None:
        self.changes.append(
            Change(verb=verb, key=key, row=row.number if row else None, fields=fields or {}, payload=payload)
        )

    def moving(self, entries: Iterable, total: int, start: float) -> Iterator:
        """The entries (an apply's audit lines, written last and a long part of a big import), moving
        the bar from `start` to the end of the step as they are consumed."""
        for number, entry in enumerate(entries, 1):
            if number % PROGRESS_EVERY == 0:
                self.step(start + (1 - start) * number / max(total, number))
            yield entry

    def of(self, *verbs: Verb) -> list[Change]:
        return [change for change in self.changes if change.verb in verbs]

    def counts(self) -> dict[str, int]:
        counts = {str(verb): 0 for verb in Verb}
        for change in self.changes:
            counts[str(change.verb)] += 1
        return counts

    def center_code(self) -> str:
        """The subtree the import worked in (for the audit log and the record of the import)."""
        return self.root or common_ancestor(self.codes)


def nowhere(progress: float) -> None:
    """A progress nobody watches."""


def diff(obj, values: dict) -> dict[str, list]:
    """The fields whose value differs, as {name: [before, after]}."""
    return {name: [getattr(obj, name), value] for name, value in values.items() if getattr(obj, name) != value}

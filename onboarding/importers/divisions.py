"""The division tree from the statistics bureau's list (统计用区划代码): one center per code.

The bureau publishes 12-digit codes padded with zeros (620102001000 is township 620102001); the
portal's codes are the significant prefix (2, 4, 6, 9 or 12 digits), so both forms are read. A code
already in the portal is updated when its name changed (a renamed township stays the same center);
a center inside the imported subtree that the list no longer has is retired, never deleted (cases,
people and grids keep pointing at it); a code whose parent is neither in the file nor in the portal
is a row error.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcenter import audit
from govcenter.divisions import (
    CODE_LENGTH,
    PREFIX_LENGTHS,
    DivisionCodeError,
    Level,
    ancestor_codes,
    check_code,
    common_ancestor,
    parent_code,
    subtree_q,
)
from govcenter.models import Center
from onboarding.importers.base import Importer, Verb
from onboarding.tabular import Column, FileRefused, Row

LEVEL_TEXT = {"省": "1", "市": "2", "县": "3", "乡镇": "4", "村（社区）": "5"}


def short_code(code: str, level: int | None) -> str:
    """The portal's code of a published one: 620102001000 → 620102001. Raises DivisionCodeError."""
    if not (code.isascii() and code.isdigit()):
        raise DivisionCodeError(_("A division code consists of digits only."))
    if len(code) == 12:
        if level is not None:
            length = CODE_LENGTH[Level(level)]
            if code[length:].strip("0"):
                raise DivisionCodeError(
                    _("A code of this level ends in %(n)d zeros in the published list.") % {"n": 12 - length}
                )
            return code[:length]
        return next(code[:length] for length in PREFIX_LENGTHS if not code[length:].strip("0"))
    found = check_code(code)
    if level is not None and found != level:
        raise DivisionCodeError(_("The code's length does not match the level given."))
    return code


class DivisionImporter(Importer):
    kind = "divisions"
    title = "统计用区划代码"
    label = gettext_lazy("Division codes")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column(
                "统计用区划代码",
                "code",
                required=True,
                example="620102001000",
                text=True,
                aliases=("区划代码", "代码"),
                help="统计局公布的12位代码（末尾补零）或平台的2/4/6/9/12位代码。",
            ),
            Column("名称", "name", required=True, max_length=100, example="东岗街道", aliases=("区划名称",)),
            Column("级别", "level", choices=LEVEL_TEXT, example="乡镇", help="可空：由代码末尾的零推断。"),
            Column("城乡分类代码", "rural_urban", example="", text=True, help="统计局列表中的一列，导入时不使用。"),
        ]

    def __init__(self, *, actor, root: str = ""):
        super().__init__(actor=actor, root=root)
        self.skipped = 0

    def plan_rows(self, rows: list[Row]) -> None:
        parsed = self._parse(rows)
        if not parsed:
            return  # every row is in error: nothing to plan
        if not self.root:
            self.root = common_ancestor(code for code, _row in parsed)
            if not self.root and parsed:
                raise FileRefused(_("The list spans several provinces: say which one to import."))
        wanted = [(code, row) for code, row in parsed if code.startswith(self.root)]
        self.skipped = len(parsed) - len(wanted)
        existing = self._existing()
        in_file = {code for code, _row in wanted}
        for code, row in wanted:
            if not self.check_scope(row, "code", code):
                continue
            parent = parent_code(code)
            if parent and parent not in in_file and not self._stays(parent, existing):
                self.error(
                    row,
                    "code",
                    _("Its parent %(parent)s is neither in the file nor in the portal.") % {"parent": parent},
                )
                continue
            self._plan_one(code, row, existing.get(code))
        self._plan_retirements(existing, in_file)

    def _parse(self, rows: list[Row]) -> list[tuple[str, Row]]:
        parsed, seen = [], {}
        for row in rows:
            if row.errors:
                continue
            level = int(row.get("level")) if row.get("level") else None
            try:
                code = short_code(row.get("code"), level)
            except DivisionCodeError as error:
                self.error(row, "code", error)
                continue
            if self.once(seen, row, code, "code"):
                row.cells["code"] = code
                parsed.append((code, row))
        return parsed

    def _existing(self) -> dict[str, tuple]:
        # The subtree and the centers above it: a parent may sit above the imported part.
        query = Center.objects.filter(subtree_q("code", self.root) | Q(code__in=ancestor_codes(self.root)))
        return {row[0]: row for row in query.values_list("code", "name", "is_active", "pk")}

    def _stays(self, code: str, existing: dict) -> bool:
        """Whether a center outside the file remains after the import: it exists and is not retired by
        it (only the root and what lies above it are outside the reach of retirement)."""
        return code in existing and len(code) <= len(self.root)

    def _plan_one(self, code: str, row: Row, current) -> None:
        name = row.get("name")
        key = f"{code} {name}"
        if current is None:
            self.record(Verb.CREATED, key, row, code=code, name=name)
            return
        _code, old_name, is_active, pk = current
        fields = {}
        if old_name != name:
            fields["name"] = [old_name, name]
        if not is_active:
            fields["is_active"] = [False, True]
        self.record(Verb.UPDATED if fields else Verb.UNCHANGED, key, row, fields, pk=pk, name=name)

    def _plan_retirements(self, existing: dict, in_file: set[str]) -> None:
        for code, (_code, name, is_active, pk) in sorted(existing.items()):
            if is_active and code not in in_file and len(code) > len(self.root):
                if self.may(code):
                    self.record(Verb.RETIRED, f"{code} {name}", None, {"is_active": [True, False]}, pk=pk)

    def apply(self) -> None:
        now = timezone.now()
        created = [
            Center(
                code=change.payload["code"],
                name=change.payload["name"],
                level=check_code(change.payload["code"]),
                parent_id=parent_code(change.payload["code"]),
            )
            for change in sorted(self.of(Verb.CREATED), key=lambda c: (len(c.payload["code"]), c.payload["code"]))
        ]
        Center.objects.bulk_create(created, batch_size=2000)
        self.step(0.5)
        updated = [
            Center(pk=change.payload["pk"], name=change.payload["name"], is_active=True, updated_at=now)
            for change in self.of(Verb.UPDATED)
        ]
        Center.objects.bulk_update(updated, ["name", "is_active", "updated_at"], batch_size=2000)
        retired = [change.payload["pk"] for change in self.of(Verb.RETIRED)]
        for start in range(0, len(retired), 2000):
            Center.objects.filter(pk__in=retired[start : start + 2000]).update(is_active=False, updated_at=now)
        self.step(0.6)
        self._audit(created)

    def _audit(self, created: list[Center]) -> None:
        entries = [
            audit.Entry("center.create", center, center.code, {"name": center.name, "import": True})
            for center in created
        ]
        for verb, action in ((Verb.UPDATED, "center.update"), (Verb.RETIRED, "center.retire")):
            for change in self.of(verb):
                code = change.key.split(" ", 1)[0]
                entries.append(
                    audit.Entry(action, _Ref(change.payload["pk"]), code, {"changed": change.fields, "import": True})
                )
        audit.record_many(actor=self.actor, entries=self.moving(entries, len(entries), 0.6))


class _Ref:
    """Just enough of a Center for the audit log's object reference, without loading the row."""

    class _meta:  # noqa: N801 - mimics a model's _meta for audit._object_ref
        label_lower = "govcenter.center"

    def __init__(self, pk):
        self.pk = pk

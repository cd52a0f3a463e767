"""Grids, grid workers, police grids and auxiliary officers.

A province has about 34,000 grids and as many grid workers: those two are written in bulk, with the
checks the grid services make (a village center in use, a known kind, counts that add up, duties of
多网合一, the 300-500 household flag; a worker holding the grid-worker role at the village or the
township above it, one open assignment per worker and grid) made for every row first. Police grids
and auxiliary officers, a few thousand, go through the grid services themselves.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcenter import audit
from govcenter.models import Department, Membership, Role
from grids import services
from grids.models import (
    GRID_CODE_LENGTH,
    WORKER_SEAT_LENGTHS,
    AuxiliaryOfficer,
    Duty,
    Employment,
    Grid,
    GridAssignment,
    GridKind,
    PoliceGrid,
    size_check,
)
from onboarding.importers.base import STATUS_RETIRED, Importer, Verb, diff, status_column, zh_choices
from onboarding.importers.lookup import where_in
from onboarding.importers.mediation import split_list
from onboarding.importers.people import People
from onboarding.importers.staff import check_center, load_centers
from onboarding.tabular import Column, Row

VILLAGE = (12,)
TOWNSHIP = (9,)


def _verb(fields: dict) -> Verb:
    if fields.get("is_active") == [True, False]:
        return Verb.RETIRED
    return Verb.UPDATED if fields else Verb.UNCHANGED


def _grid_code(importer: Importer, row: Row, key: str) -> str | None:
    code = row.get(key)
    if code and not (code.isascii() and code.isdigit() and len(code) == GRID_CODE_LENGTH):
        importer.error(row, key, _("A grid code has 15 digits: the village's 12 and a serial."))
        return None
    if code and code.endswith("000"):
        importer.error(row, key, _("A grid's serial runs from 001 to 999."))
        return None
    return code or None


class GridImporter(Importer):
    kind = "grids"
    title = "网格"
    label = gettext_lazy("Grids")

    @classmethod
    def build_columns(cls) -> list[Column]:
        duties = "、".join(zh_choices(Duty.choices))
        return [
            Column(
                "网格编码",
                "code",
                required=True,
                example="620102001001001",
                text=True,
                help="村（社区）12位代码加3位序号。",
            ),
            Column("网格名称", "name", required=True, max_length=100, example="东岗社区第一网格"),
            Column("网格类型", "kind", required=True, choices=zh_choices(GridKind.choices), example="城市社区网格"),
            Column("户数", "households", example="420"),
            Column("人口", "residents", example="1260"),
            Column("职责", "duties", example="党建、政法综治", help=f"多网合一，以顿号分隔：{duties}。"),
            Column("边界描述", "boundary", example="东至东岗西路，西至……"),
            Column(
                "警格名称", "police_grid", max_length=100, example="", help="可空：所在乡镇的警格名称（先导入警格）。"
            ),
            Column("规模说明", "size_note", max_length=300, example="", help="户数超出300-500户时的说明。"),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        codes = [row.get("code") for row in rows]
        centers = load_centers(code[:12] for code in codes)
        existing = {grid.code: grid for grid in where_in(Grid.objects.all(), "code", codes)}
        police = {
            (p.center_code, p.name): p
            for p in PoliceGrid.objects.filter(center_code__in={code[:9] for code in codes}, is_active=True)
        }
        duty_text = zh_choices(Duty.choices)
        seen = {}
        for row in rows:
            code = _grid_code(self, row, "code")
            if code is None or not self.once(seen, row, code, "code"):
                continue
            row.cells["center"] = code[:12]
            center = self._center(row, centers)
            values = self._values(row, duty_text, police)
            if center is None or row.errors:
                continue
            self._plan(row, code, center, existing.get(code), values)

    def _center(self, row, centers):
        center = centers.get(row.get("center"))
        if center is None:
            self.error(row, "code", _("No village or community center has the first 12 digits of this code."))
            return None
        if not self.check_scope(row, "code", center.code):
            return None
        if not center.is_active:
            self.error(row, "code", _("This center is retired."))
            return None
        return center

    def _values(self, row: Row, duty_text: dict, police: dict) -> dict:
        households, residents = self.check_count(row, "households"), self.check_count(row, "residents")
        if residents < households:
            self.error(
                row,
                "residents",
                _("%(residents)d residents cannot fill %(households)d households.")
                % {"residents": residents, "households": households},
            )
        duties = split_list(row.get("duties"))
        unknown = [duty for duty in duties if duty not in duty_text and duty not in Duty.values]
        if unknown:
            self.error(row, "duties", _("Unknown duty: %(duty)s.") % {"duty": "、".join(unknown)})
        stored = {duty_text.get(duty, duty) for duty in duties}
        police_grid = None
        if row.get("police_grid"):
            police_grid = police.get((row.get("code")[:9], row.get("police_grid")))
            if police_grid is None:
                self.error(row, "police_grid", _("No police grid of this name in the township."))
        flag = size_check(row.get("kind"), households)[0]
        return {
            "name": row.get("name"),
            "kind": row.get("kind"),
            "households": households,
            "residents": residents,
            "duties": [duty for duty in Duty.values if duty in stored],
            "boundary": row.get("boundary"),
            "police_grid_id": getattr(police_grid, "pk", None),
            "size_note": row.get("size_note"),
            "size_flag": flag,
            "is_active": row.get("status") != STATUS_RETIRED,
        }

    def _plan(self, row, code, center, current, values) -> None:
        key = f"{code} {values['name']}"
        if current is None:
            if not values["is_active"]:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(Verb.CREATED, key, row, code=code, center=center, values=values)
            return
        fields = diff(current, values)
        if fields.get("is_active") == [False, True]:
            self.error(row, "status", _("A retired grid stays retired: lay out a new one."))
            return
        self.record(_verb(fields), key, row, fields, obj=current, values=values)

    def apply(self) -> None:
        created = [
            Grid(
                code=c.payload["code"],
                center=c.payload["center"],
                center_code=c.payload["center"].code,
                serial=int(c.payload["code"][12:]),
                **c.payload["values"],
            )
            for c in self.of(Verb.CREATED)
        ]
        Grid.objects.bulk_create(created, batch_size=2000)
        self.step(0.4)
        updated = []
        now = timezone.now()
        for change in self.of(Verb.UPDATED):
            grid = change.payload["obj"]
            for name, value in change.payload["values"].items():
                setattr(grid, name, value)
            grid.updated_at = now
            updated.append(grid)
        Grid.objects.bulk_update(updated, [*self.of_fields(), "updated_at"], batch_size=2000)
        for change in self.of(Verb.RETIRED):
            services.grid_retire(actor=self.actor, grid=change.payload["obj"], reason=_("Retired by a roster import."))
        self.step(0.6)
        entries = [
            audit.Entry(
                "grid.create",
                grid,
                grid.center_code,
                {"code": grid.code, "households": grid.households, "import": True},
            )
            for grid in created
        ]
        entries += [
            audit.Entry("grid.update", c.payload["obj"], "", {"changed": c.fields, "import": True})
            for c in self.of(Verb.UPDATED)
        ]
        audit.record_many(actor=self.actor, entries=self.moving(entries, len(entries), 0.6))

    @staticmethod
    def of_fields() -> list[str]:
        return [
            "name",
            "kind",
            "households",
            "residents",
            "duties",
            "boundary",
            "police_grid_id",
            "size_note",
            "size_flag",
        ]


class GridWorkerImporter(Importer):
    """A grid worker on a grid: the account (created without a usable password), the grid-worker role
    at the grid's village unless they hold it there or at the township, and the open assignment."""

    kind = "grid_workers"
    title = "网格员"
    label = gettext_lazy("Grid workers")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column("网格编码", "grid", required=True, example="620102001001001", text=True),
            Column(
                "用户名", "username", required=True, max_length=150, example="wangge_001", help="登录名，全省唯一。"
            ),
            Column("姓名", "name", required=True, max_length=150, example="王网格"),
            Column("身份证号", "id_number", required=True, example="11010519491231002X", text=True),
            Column("手机号", "phone", example="13912345678", text=True),
            Column("用工性质", "employment", required=True, choices=zh_choices(Employment.choices), example="专职"),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        grids = {
            grid.code: grid
            for grid in where_in(
                Grid.objects.only("pk", "code", "center_id", "center_code", "is_active"),
                "code",
                [row.get("grid") for row in rows],
            )
        }
        people = People(self, (row.get("username") for row in rows), (row.get("id_number") for row in rows))
        user_ids = [user.pk for user in people.users.values()]
        open_ = {
            (a.grid_id, a.worker_id): a
            for a in where_in(
                GridAssignment.objects.filter(ended_at__isnull=True).only(
                    "pk", "grid_id", "worker_id", "employment", "started_at", "center_code"
                ),
                "worker_id",
                user_ids,
            )
        }
        worker_seats = Membership.objects.filter(role=Role.GRID_WORKER, is_active=True, center__is_active=True)
        seats = set(where_in(worker_seats.values_list("user_id", "center_code"), "user_id", user_ids))
        seen = {}
        for row in rows:
            grid = self._grid(row, grids)
            person = people.check(row, username_key="username", name_key="name", id_key="id_number", phone_key="phone")
            if grid is None or person is None or row.errors:
                continue
            if not self.once(seen, row, (grid.code, person.username), "username"):
                continue
            user_id = getattr(person.user, "pk", None)
            seated = any((user_id, grid.center_code[:n]) in seats for n in WORKER_SEAT_LENGTHS)
            self._plan(row, grid, person, people, open_.get((grid.pk, user_id)), seated)
        self.people = people

    def _grid(self, row: Row, grids: dict) -> Grid | None:
        code = _grid_code(self, row, "grid")
        if code is None:
            return None
        grid = grids.get(code)
        if grid is None:
            self.error(row, "grid", _("No grid has this code."))
            return None
        if not self.check_scope(row, "grid", grid.center_code):
            return None
        if not grid.is_active:
            self.error(row, "grid", _("This grid is retired."))
            return None
        return grid

    def _plan(self, row, grid, person, people, assignment, seated) -> None:
        key = f"{grid.code} {person.username}"
        payload = {"grid": grid, "person": person, "seated": seated, "employment": row.get("employment")}
        fields = people.changes(person)
        if row.get("status") == STATUS_RETIRED:
            if assignment is None:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(Verb.RETIRED, key, row, {"is_active": [True, False]}, assignment=assignment, **payload)
            return
        if assignment is None:
            self.record(Verb.CREATED, key, row, fields, **payload)
            return
        fields.update(diff(assignment, {"employment": row.get("employment")}))
        self.record(Verb.UPDATED if fields else Verb.UNCHANGED, key, row, fields, assignment=assignment, **payload)

    def apply(self) -> None:
        self.people.apply(self.actor)
        self.step(0.4)
        now = timezone.now()
        seats = self._seat_new_workers()
        self.step(0.5)
        created = [
            GridAssignment(
                grid=c.payload["grid"],
                center_code=c.payload["grid"].center_code,
                worker=c.payload["person"].user,
                employment=c.payload["employment"],
                started_at=now,
                assigned_by=self.actor,
            )
            for c in self.of(Verb.CREATED)
        ]
        GridAssignment.objects.bulk_create(created, batch_size=2000)
        self.step(0.6)
        updated = []
        for change in self.of(Verb.UPDATED):
            assignment = change.payload["assignment"]
            if assignment.employment != change.payload["employment"]:
                assignment.employment = change.payload["employment"]
                updated.append(assignment)
        GridAssignment.objects.bulk_update(updated, ["employment"], batch_size=2000)
        ended = []
        for change in self.of(Verb.RETIRED):
            assignment = change.payload["assignment"]
            assignment.ended_at, assignment.ended_by = max(now, assignment.started_at), self.actor
            assignment.end_reason = _("Ended by a roster import.")
            ended.append(assignment)
        GridAssignment.objects.bulk_update(ended, ["ended_at", "ended_by", "end_reason"], batch_size=2000)
        self.step(0.7)
        entries = self._audit_entries(seats, created, ended)
        audit.record_many(actor=self.actor, entries=self.moving(entries, len(seats) + len(created) + len(ended), 0.7))

    def _seat_new_workers(self) -> list[Membership]:
        """The grid-worker role at the grid's village for the workers who hold it neither there nor at
        the township above (grid_assign refuses a worker without it)."""
        wanted = {}
        for change in self.of(Verb.CREATED):
            if not change.payload["seated"]:
                grid = change.payload["grid"]
                user = change.payload["person"].user
                wanted.setdefault((user.pk, grid.center_code), (user, grid))
        seats = [
            Membership(
                user=user,
                center_id=grid.center_id,
                center_code=grid.center_code,
                role=Role.GRID_WORKER,
                created_by=self.actor,
            )
            for user, grid in wanted.values()
        ]
        Membership.objects.bulk_create(seats, batch_size=2000)
        return seats

    def _audit_entries(self, seats, created, ended):
        for seat in seats:
            yield audit.Entry(
                "member.create",
                seat,
                seat.center_code,
                {"username": seat.user.username, "role": seat.role, "center": seat.center_code, "import": True},
            )
        for assignment in created:
            yield audit.Entry(
                "grid.assign",
                assignment,
                assignment.center_code,
                {
                    "grid": assignment.grid.code,
                    "worker": assignment.worker.pk,
                    "employment": assignment.employment,
                    "import": True,
                },
            )
        for assignment in ended:
            yield audit.Entry(
                "grid.unassign", assignment, assignment.center_code, {"reason": assignment.end_reason, "import": True}
            )


class PoliceGridImporter(Importer):
    kind = "police_grids"
    title = "警格"
    label = gettext_lazy("Police grids")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column("乡镇区划代码", "center", required=True, example="620102001", text=True),
            Column("警格名称", "name", required=True, max_length=100, example="东岗第一警格"),
            Column(
                "派出所",
                "station",
                max_length=100,
                example="",
                help="可空：本乡镇或上级中心登记的派出所（部门类型为派出所）。",
            ),
            Column("社区民警", "officer_name", max_length=50, example="赵警官"),
            Column("民警电话", "officer_phone", max_length=20, example="13900001111", text=True),
            Column(
                "覆盖网格",
                "grids",
                example="620102001001001、620102001001002",
                help="网格编码，以顿号分隔（先导入网格）。",
            ),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers(row.get("center") for row in rows)
        existing = {(p.center_code, p.name): p for p in PoliceGrid.objects.filter(center_code__in=list(centers))}
        grid_codes = {code for row in rows for code in split_list(row.get("grids"))}
        grids = {grid.code: grid for grid in Grid.objects.filter(code__in=grid_codes)}
        covered = {}
        for grid in Grid.objects.filter(police_grid__in=existing.values()).only("code", "police_grid_id"):
            covered.setdefault(grid.police_grid_id, set()).add(grid.code)
        stations = {
            (d.center_code, d.name): d
            for d in Department.objects.filter(
                kind=Department.Kind.POLICE, is_active=True, name__in={row.get("station") for row in rows}
            )
        }
        seen = {}
        for row in rows:
            center = check_center(self, row, "center", centers, level_length=TOWNSHIP)
            if center is None or not self.once(seen, row, (center.code, row.get("name")), "name"):
                continue
            station = self._station(row, center, stations)
            mine = self._grids(row, center, grids)
            if row.errors:
                continue
            self._plan(row, center, existing.get((center.code, row.get("name"))), station, mine, covered)

    def _station(self, row, center, stations):
        name = row.get("station")
        if not name:
            return None
        for code in (center.code, center.code[:6], center.code[:4], center.code[:2]):
            if (code, name) in stations:
                return stations[(code, name)]
        self.error(row, "station", _("No police station of this name at the township or above it."))
        return None

    def _grids(self, row, center, grids) -> list[Grid]:
        codes = split_list(row.get("grids"))
        unknown = [code for code in codes if code not in grids]
        foreign = [code for code in codes if code in grids and not code.startswith(center.code)]
        if unknown:
            self.error(row, "grids", _("No grid has these codes: %(codes)s.") % {"codes": "、".join(unknown)})
        if foreign:
            self.error(
                row, "grids", _("These grids lie outside the township: %(codes)s.") % {"codes": "、".join(foreign)}
            )
        return [grids[code] for code in dict.fromkeys(codes) if code in grids]

    def _plan(self, row, center, current, station, grids, covered) -> None:
        key = f"{center.code} {row.get('name')}"
        values = {
            "station": station,
            "officer_name": row.get("officer_name"),
            "officer_phone": row.get("officer_phone"),
            "is_active": row.get("status") != STATUS_RETIRED,
        }
        if current is None:
            if not values["is_active"]:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(Verb.CREATED, key, row, center=center, name=row.get("name"), values=values, grids=grids)
            return
        fields = diff(current, values)
        codes = sorted(grid.code for grid in grids)
        if sorted(covered.get(current.pk, ())) != codes:
            fields["grids"] = [sorted(covered.get(current.pk, ())), codes]
        changes = {name: values[name] for name in fields if name != "grids"}
        self.record(
            _verb(fields),
            key,
            row,
            _printable(fields),
            obj=current,
            changes=changes,
            grids=grids if "grids" in fields else None,
        )

    def apply(self) -> None:
        for change in self.of(Verb.CREATED):
            values = dict(change.payload["values"])
            values.pop("is_active")
            services.police_grid_create(
                actor=self.actor,
                center=change.payload["center"],
                name=change.payload["name"],
                grids=change.payload["grids"],
                **values,
            )
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            services.police_grid_update(
                actor=self.actor,
                police_grid=change.payload["obj"],
                grids=change.payload["grids"],
                **change.payload["changes"],
            )


class AuxiliaryImporter(Importer):
    kind = "auxiliary_officers"
    title = "辅警"
    label = gettext_lazy("Auxiliary police officers")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column("乡镇区划代码", "center", required=True, example="620102001", text=True),
            Column("警格名称", "police_grid", required=True, max_length=100, example="东岗第一警格"),
            Column("村（社区）区划代码", "village", required=True, example="620102001001", text=True),
            Column("姓名", "name", required=True, max_length=50, example="钱辅警"),
            Column("电话", "phone", max_length=20, example="13700001111", text=True),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers([row.get("center") for row in rows] + [row.get("village") for row in rows])
        police = {(p.center_code, p.name): p for p in PoliceGrid.objects.filter(center_code__in=list(centers))}
        existing = {
            (a.police_grid_id, a.village_code, a.name): a
            for a in AuxiliaryOfficer.objects.filter(police_grid__in=police.values())
        }
        seen = {}
        for row in rows:
            center = check_center(self, row, "center", centers, level_length=TOWNSHIP)
            village = check_center(self, row, "village", centers, level_length=VILLAGE)
            police_grid = police.get((getattr(center, "code", ""), row.get("police_grid"))) if center else None
            if center is not None and police_grid is None:
                self.error(row, "police_grid", _("No police grid of this name in the township."))
            elif police_grid is not None and not police_grid.is_active:
                self.error(row, "police_grid", _("This police grid is no longer in use."))
            if village is not None and center is not None and not village.code.startswith(center.code):
                self.error(row, "village", _("Choose a village or community of the police grid's township."))
            if row.errors or not self.once(seen, row, (police_grid.pk, village.code, row.get("name")), "name"):
                continue
            self._plan(row, police_grid, village, existing.get((police_grid.pk, village.code, row.get("name"))))

    def _plan(self, row, police_grid, village, current) -> None:
        key = f"{police_grid.name} {village.code} {row.get('name')}"
        values = {"phone": row.get("phone"), "is_active": row.get("status") != STATUS_RETIRED}
        if current is None:
            if not values["is_active"]:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(
                Verb.CREATED,
                key,
                row,
                police_grid=police_grid,
                village=village,
                name=row.get("name"),
                phone=values["phone"],
            )
            return
        fields = diff(current, values)
        self.record(
            _verb(fields), key, row, fields, obj=current, changes={name: pair[1] for name, pair in fields.items()}
        )

    def apply(self) -> None:
        for change in self.of(Verb.CREATED):
            services.auxiliary_add(actor=self.actor, **change.payload)
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            services.auxiliary_update(actor=self.actor, officer=change.payload["obj"], **change.payload["changes"])


def _printable(fields: dict) -> dict:
    return {name: [getattr(v, "pk", v) for v in pair] for name, pair in fields.items()}

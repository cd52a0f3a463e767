"""Departments and staff: the functional departments of each center, and the staff accounts with
their role at a center (the membership), one row per person."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcenter import audit
from govcenter.divisions import lineage
from govcenter.models import Center, Department, Membership, Role
from onboarding.importers.base import STATUS_RETIRED, Importer, Verb, diff, status_column, zh_choices
from onboarding.importers.lookup import where_in
from onboarding.importers.people import People
from onboarding.tabular import Column, Row


def load_centers(codes) -> dict[str, Center]:
    return {center.code: center for center in where_in(Center.objects.all(), "code", codes)}


def check_center(importer: Importer, row: Row, key: str, centers: dict, *, level_length=None) -> Center | None:
    """The row's center: it exists, is in use, is of the right level and inside the importer's subtree."""
    code = importer.check_code_cell(row, key)
    if code is None:
        return None
    center = centers.get(code)
    if center is None:
        importer.error(row, key, _("No center has this code."))
        return None
    if not importer.check_scope(row, key, code):
        return None
    if not center.is_active:
        importer.error(row, key, _("This center is retired."))
        return None
    if level_length and len(code) not in level_length:
        importer.error(row, key, _("A center of another level is expected here."))
        return None
    return center


class DepartmentImporter(Importer):
    kind = "departments"
    title = "职能部门"
    label = gettext_lazy("Departments")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column("中心区划代码", "center", required=True, example="620102", text=True),
            Column("部门名称", "name", required=True, max_length=100, example="城关区住建局"),
            Column(
                "部门类型", "kind", required=True, choices=zh_choices(Department.Kind.choices), example="住房和城乡建设"
            ),
            Column("电话", "phone", max_length=40, example="0931-8888888"),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers(row.get("center") for row in rows)
        existing = {(d.center_code, d.name): d for d in Department.objects.filter(center_code__in=list(centers))}
        seen = {}
        for row in rows:
            center = check_center(self, row, "center", centers)
            if center is None or row.errors or not self.once(seen, row, (center.code, row.get("name")), "name"):
                continue
            current = existing.get((center.code, row.get("name")))
            values = {
                "kind": row.get("kind"),
                "phone": row.get("phone"),
                "is_active": row.get("status") != STATUS_RETIRED,
            }
            key = f"{center.code} {row.get('name')}"
            if current is None:
                if not values["is_active"]:
                    self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                    continue
                self.record(Verb.CREATED, key, row, center=center, values=values)
                continue
            fields = diff(current, values)
            verb = (
                Verb.RETIRED if fields.get("is_active") == [True, False] else Verb.UPDATED if fields else Verb.UNCHANGED
            )
            self.record(verb, key, row, fields, obj=current, values=values)

    def apply(self) -> None:
        from govcenter.services import department_create

        for change in self.of(Verb.CREATED):
            values = change.payload["values"]
            department_create(
                actor=self.actor,
                center=change.payload["center"],
                name=change.key.split(" ", 1)[1],
                kind=values["kind"],
                phone=values["phone"],
            )
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            department = change.payload["obj"]
            for name, value in change.payload["values"].items():
                setattr(department, name, value)
            department.save(update_fields=list(change.payload["values"]))
            action = "department.retire" if change.verb == Verb.RETIRED else "department.update"
            audit.record(
                actor=self.actor, action=action, obj=department, data={"changed": change.fields, "import": True}
            )


class StaffImporter(Importer):
    """One row per person: their account and their role at a center. A new account gets the initial
    password of its row, or none (unusable) until an administrator sets one; an existing account's
    password is never touched, so re-importing the same file changes nothing."""

    kind = "staff"
    title = "工作人员"
    label = gettext_lazy("Staff")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column(
                "用户名", "username", required=True, max_length=150, example="zhangsan_cg", help="登录名，全省唯一。"
            ),
            Column("姓名", "name", required=True, max_length=150, example="张三"),
            Column("角色", "role", required=True, choices=zh_choices(Role.choices), example="受理员"),
            Column("中心区划代码", "center", required=True, example="620102001", text=True),
            Column(
                "所属部门",
                "department",
                max_length=100,
                example="",
                help="角色为“部门承办人”时必填：本中心或上级中心的部门名称。",
            ),
            Column("身份证号", "id_number", example="11010519491231002X", text=True),
            Column("手机号", "phone", example="13912345678", text=True),
            Column(
                "初始密码",
                "password",
                max_length=128,
                example="",
                help="可空：空则账号暂不能登录，由管理员设置密码。已有账号不改密码。",
            ),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers(row.get("center") for row in rows)
        people = People(self, (row.get("username") for row in rows), (row.get("id_number") for row in rows))
        departments = self._departments(rows)
        memberships = self._memberships(people)
        seen = {}
        for row in rows:
            center = check_center(self, row, "center", centers)
            if not self.once(seen, row, row.get("username"), "username"):
                continue
            person = people.check(
                row,
                username_key="username",
                name_key="name",
                id_key="id_number",
                phone_key="phone",
                password_key="password",
            )
            department = self._department(row, center, departments)
            if center is None or person is None or row.errors:
                continue
            current = memberships.get((person.username, center.code, row.get("role")))
            self._plan_member(row, person, people, center, department, current)
        self.people = people

    def _departments(self, rows) -> dict[tuple[str, str], Department]:
        codes = {code for row in rows if row.get("department") for code in lineage(row.get("center"))}
        return {(d.center_code, d.name): d for d in Department.objects.filter(center_code__in=codes, is_active=True)}

    def _memberships(self, people: People) -> dict[tuple, Membership]:
        users = [user.pk for user in people.users.values()]
        rows = where_in(Membership.objects.select_related("user"), "user_id", users)
        return {(m.user.username, m.center_code, m.role): m for m in rows}

    def _department(self, row: Row, center, departments) -> Department | None:
        name = row.get("department")
        if row.get("role") != Role.DEPARTMENT:
            if name:
                self.error(row, "department", _("Only a department officer belongs to a department."))
            return None
        if not name:
            self.error(row, "department", _("A department officer needs their department."))
            return None
        if center is None:
            return None
        for code in reversed(lineage(center.code)):
            if (code, name) in departments:
                return departments[(code, name)]
        self.error(row, "department", _("No department of this name at the center or above it."))
        return None

    def _plan_member(self, row, person, people, center, department, current) -> None:
        key = f"{person.username} {row.get('role')}@{center.code}"
        active = row.get("status") != STATUS_RETIRED
        fields = people.changes(person)
        payload = {"person": person, "center": center, "role": row.get("role"), "department": department}
        if current is None:
            if not active:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(Verb.CREATED, key, row, fields, **payload)
            return
        fields.update(diff(current, {"is_active": active, "department_id": getattr(department, "pk", None)}))
        verb = Verb.RETIRED if fields.get("is_active") == [True, False] else Verb.UPDATED if fields else Verb.UNCHANGED
        self.record(verb, key, row, fields, membership=current, **payload)

    def apply(self) -> None:
        self.people.apply(self.actor)
        self.step(0.4)
        created = [
            Membership(
                user=change.payload["person"].user,
                center=change.payload["center"],
                center_code=change.payload["center"].code,
                role=change.payload["role"],
                department=change.payload["department"],
                created_by=self.actor,
            )
            for change in self.of(Verb.CREATED)
        ]
        Membership.objects.bulk_create(created, batch_size=2000)
        changed = []
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            membership = change.payload["membership"]
            membership.is_active = change.verb != Verb.RETIRED
            membership.department = change.payload["department"]
            changed.append(membership)
        Membership.objects.bulk_update(changed, ["is_active", "department"], batch_size=2000)
        self.step(0.6)
        entries = self._audit_entries(created)
        total = len(created) + len(changed)
        audit.record_many(actor=self.actor, entries=self.moving(entries, total, 0.6))

    def _audit_entries(self, created):
        for membership in created:
            yield audit.Entry(
                "member.create",
                membership,
                membership.center_code,
                {
                    "username": membership.user.username,
                    "role": membership.role,
                    "center": membership.center_code,
                    "import": True,
                },
            )
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            action = "member.deactivate" if change.verb == Verb.RETIRED else "member.update"
            yield audit.Entry(
                action, change.payload["membership"], "", {"changed": _plain(change.fields), "import": True}
            )


def _plain(fields: dict) -> dict:
    return {name: [getattr(v, "pk", v) for v in pair] for name, pair in fields.items()}

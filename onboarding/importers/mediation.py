"""The mediation roster: organisations and their mediators, through the roster's own services (a
province has hundreds of organisations and a few thousand mediators, not tens of thousands)."""

import re

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Category
from mediation import services
from mediation.models import MediationOrg, Mediator
from onboarding.importers.base import STATUS_RETIRED, YES_NO, Importer, Verb, diff, status_column, zh_choices
from onboarding.importers.staff import check_center, load_centers
from onboarding.tabular import Column, Row

User = get_user_model()
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def split_list(value: str) -> list[str]:
    return [item for item in LIST_SEPARATORS.split(value) if item]


def _changed(current, values: dict) -> tuple[Verb, dict]:
    fields = diff(current, values)
    if fields.get("is_active") == [True, False]:
        return Verb.RETIRED, fields
    return (Verb.UPDATED if fields else Verb.UNCHANGED), fields


class OrgImporter(Importer):
    kind = "mediation_orgs"
    title = "调解组织"
    label = gettext_lazy("Mediation organisations")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column("中心区划代码", "center", required=True, example="620102001", text=True),
            Column("组织名称", "name", required=True, max_length=120, example="东岗街道人民调解委员会"),
            Column(
                "简称", "short_name", required=True, max_length=20, example="东岗人调", help="协议书编号用，全省唯一。"
            ),
            Column(
                "组织类型",
                "kind",
                required=True,
                choices=zh_choices(MediationOrg.Kind.choices),
                example="人民调解委员会",
            ),
            Column("电话", "phone", max_length=40, example="0931-8123456"),
            Column("地址", "address", max_length=200, example="东岗西路1号"),
            Column(
                "公开", "is_public", choices=YES_NO, example="是", help="是否在群众可见的调解组织名录中。空白即是。"
            ),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers(row.get("center") for row in rows)
        existing = {(o.center_code, o.name): o for o in MediationOrg.objects.filter(center_code__in=list(centers))}
        short_owner = {
            o.short_name: (o.center_code, o.name)
            for o in MediationOrg.objects.filter(short_name__in={row.get("short_name") for row in rows})
        }
        seen, seen_short = {}, {}
        for row in rows:
            center = check_center(self, row, "center", centers)
            if center is None or row.errors or not self.once(seen, row, (center.code, row.get("name")), "name"):
                continue
            key = (center.code, row.get("name"))
            if not self.once(seen_short, row, row.get("short_name"), "short_name"):
                continue
            if short_owner.get(row.get("short_name"), key) != key:
                self.error(row, "short_name", _("Another organisation already uses this short name."))
                continue
            values = {
                "kind": row.get("kind"),
                "short_name": row.get("short_name"),
                "phone": row.get("phone"),
                "address": row.get("address"),
                "is_public": row.get("is_public") != "no",
                "is_active": row.get("status") != STATUS_RETIRED,
            }
            self._plan(row, center, existing.get(key), values)

    def _plan(self, row, center, current, values) -> None:
        key = f"{center.code} {row.get('name')}"
        if current is None:
            if not values["is_active"]:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(Verb.CREATED, key, row, center=center, name=row.get("name"), values=values)
            return
        verb, fields = _changed(current, values)
        self.record(verb, key, row, fields, obj=current, values={name: pair[1] for name, pair in fields.items()})

    def apply(self) -> None:
        for change in self.of(Verb.CREATED):
            values = dict(change.payload["values"])
            values.pop("is_active")
            services.org_create(
                actor=self.actor, center=change.payload["center"], name=change.payload["name"], **values
            )
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            services.org_update(actor=self.actor, org=change.payload["obj"], **change.payload["values"])


class MediatorImporter(Importer):
    kind = "mediators"
    title = "调解员"
    label = gettext_lazy("Mediators")

    @classmethod
    def build_columns(cls) -> list[Column]:
        return [
            Column("中心区划代码", "center", required=True, example="620102001", text=True, help="调解组织所在中心。"),
            Column("调解组织", "org", required=True, max_length=120, example="东岗街道人民调解委员会"),
            Column("姓名", "name", required=True, max_length=60, example="李调解"),
            Column(
                "用户名",
                "username",
                max_length=150,
                example="",
                help="可空：登录平台的调解员填其用户名（先导入工作人员）。",
            ),
            Column("证书编号", "certificate", max_length=40, example="GS2026-0001"),
            Column("电话", "phone", max_length=20, example="13800001111", text=True),
            Column(
                "擅长类别", "specialties", example="d-neighbour、d-marriage", help="案件类别代码或名称，以顿号分隔。"
            ),
            Column("首席法律顾问", "is_chief_consultant", choices=YES_NO, example="否"),
            status_column(),
        ]

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers(row.get("center") for row in rows)
        orgs = {(o.center_code, o.name): o for o in MediationOrg.objects.filter(center_code__in=list(centers))}
        mediators = {
            (m.org_id, m.name): m
            for m in Mediator.objects.filter(org__in=orgs.values()).prefetch_related("specialties")
        }
        users = self._users(rows)
        categories = self._categories(rows)
        seen, seen_user = {}, {}
        for row in rows:
            center = check_center(self, row, "center", centers)
            org = orgs.get((center.code, row.get("org"))) if center else None
            if center is not None and org is None:
                self.error(row, "org", _("No mediation organisation of this name at this center."))
            user = self._user(row, users, seen_user)
            specialties = self._specialties(row, categories)
            if org is None or row.errors or not self.once(seen, row, (org.pk, row.get("name")), "name"):
                continue
            current = mediators.get((org.pk, row.get("name")))
            if user is not None and user.mediator_pk not in (None, getattr(current, "pk", None)):
                self.error(row, "username", _("This account is already on the roster."))
                continue
            self._plan(row, org, current, user, specialties)

    def _users(self, rows) -> dict:
        names = {row.get("username") for row in rows if row.get("username")}
        found = User.objects.filter(username__in=names).select_related("mediator")
        for user in found:
            user.mediator_pk = getattr(getattr(user, "mediator", None), "pk", None)
        return {user.username: user for user in found}

    def _user(self, row: Row, users: dict, seen: dict):
        name = row.get("username")
        if not name:
            return None
        if name not in users:
            self.error(row, "username", _("No account has this username."))
            return None
        return users[name] if self.once(seen, row, name, "username") else None

    def _categories(self, rows) -> dict[str, Category]:
        wanted = {item for row in rows for item in split_list(row.get("specialties"))}
        found = Category.objects.filter(code__in=wanted) | Category.objects.filter(name__in=wanted)
        by_key = {}
        for category in found:
            by_key[category.code] = by_key[category.name] = category
        return by_key

    def _specialties(self, row: Row, categories: dict) -> list[Category]:
        items = split_list(row.get("specialties"))
        unknown = [item for item in items if item not in categories]
        if unknown:
            self.error(row, "specialties", _("Unknown category: %(items)s.") % {"items": "、".join(unknown)})
        return sorted({categories[item] for item in items if item in categories}, key=lambda c: c.pk)

    def _plan(self, row, org, current, user, specialties) -> None:
        key = f"{org.name} {row.get('name')}"
        values = {
            "certificate": row.get("certificate"),
            "phone": row.get("phone"),
            "is_chief_consultant": row.get("is_chief_consultant") == "yes",
            "is_active": row.get("status") != STATUS_RETIRED,
        }
        if user is not None:
            values["user_id"] = user.pk
        if current is None:
            if not values["is_active"]:
                self.error(row, "status", _("Nothing to retire: there is no such entry yet."))
                return
            self.record(
                Verb.CREATED, key, row, org=org, name=row.get("name"), user=user, values=values, specialties=specialties
            )
            return
        verb, fields = _changed(current, values)
        before = sorted(c.pk for c in current.specialties.all())
        if before != [c.pk for c in specialties]:
            fields["specialties"] = [before, [c.pk for c in specialties]]
            verb = Verb.UPDATED if verb == Verb.UNCHANGED else verb
        changes = {name: pair[1] for name, pair in fields.items() if name != "specialties"}
        if "user_id" in changes:
            changes["user"] = user
            del changes["user_id"]
        if "specialties" in fields:
            changes["specialties"] = specialties
        self.record(verb, key, row, fields, obj=current, changes=changes)

    def apply(self) -> None:
        for change in self.of(Verb.CREATED):
            values = dict(change.payload["values"])
            values.pop("is_active")
            values.pop("user_id", None)
            services.mediator_create(
                actor=self.actor,
                org=change.payload["org"],
                name=change.payload["name"],
                user=change.payload["user"],
                specialties=change.payload["specialties"],
                **values,
            )
        for change in self.of(Verb.UPDATED, Verb.RETIRED):
            services.mediator_update(actor=self.actor, mediator=change.payload["obj"], **change.payload["changes"])

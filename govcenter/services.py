"""Writes of the core: one function per verb, each in a transaction, each audited."""

from datetime import date

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcenter import access, audit
from govcenter.divisions import DivisionCodeError, check_code, is_within, parent_code
from govcenter.errors import DomainError, NotAllowed
from govcenter.models import CalendarOverride, Center, Department, Membership, Role
from govcenter.signals import calendar_changed

User = get_user_model()


@transaction.atomic
def center_create(*, actor, code: str, name: str, parent_code_given: str | None = None, **details) -> Center:
    """Create a center under its parent; the parent is implied by the code when not given."""
    try:
        level = check_code(code)
    except DivisionCodeError as error:
        raise DomainError(str(error), field="code") from error
    expected_parent = parent_code(code)
    if parent_code_given is not None and parent_code_given != expected_parent:
        raise DomainError(
            _("Center %(code)s cannot hang under %(parent)s: its parent is %(expected)s.")
            % {"code": code, "parent": parent_code_given, "expected": expected_parent or "—"},
            field="parent",
        )
    if expected_parent and not Center.objects.filter(code=expected_parent).exists():
        raise DomainError(
            _("The parent center %(parent)s does not exist.") % {"parent": expected_parent}, field="parent"
        )
    if Center.objects.filter(code=code).exists():
        raise DomainError(_("A center with the division code %(code)s already exists.") % {"code": code}, field="code")
    center = Center.objects.create(code=code, level=level, name=name, parent_id=expected_parent, **details)
    audit.record(actor=actor, action="center.create", obj=center, center_code=code, data={"name": name})
    return center


@transaction.atomic
def department_create(*, actor, center: Center, name: str, kind: str, phone: str = "") -> Department:
    if kind not in Department.Kind.values:
        raise DomainError(_("Unknown department kind: %(kind)s.") % {"kind": kind}, field="kind")
    if Department.objects.filter(center=center, name=name).exists():
        raise DomainError(_("This center already has a department named %(name)s.") % {"name": name}, field="name")
    department = Department.objects.create(center=center, center_code=center.code, name=name, kind=kind, phone=phone)
    audit.record(actor=actor, action="department.create", obj=department, data={"name": name, "kind": kind})
    return department


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(
            _("Unknown role %(role)s. Known roles: %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )


def _check_department(role: str, department: Department | None, center: Center) -> None:
    if department is None:
        return
    if role != Role.DEPARTMENT:
        raise DomainError(_("Only a department officer belongs to a department."), field="department")
    if not is_within(center.code, department.center_code):
        raise DomainError(_("The department must belong to the member's center or one above it."), field="department")


def _user_for_membership(*, username: str, password: str | None, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        if password:
            raise DomainError(
                _("User %(username)s already exists: leave the password empty to add a role.") % {"username": username},
                field="password",
            )
        return user
    if not password:
        raise DomainError(_("A new user needs a password."), field="password")
    candidate = User(username=username, first_name=name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from error
    candidate.set_password(password)
    candidate.save()
    return candidate


@transaction.atomic
def member_create(
    *,
    actor,
    username: str,
    center: Center,
    role: str,
    password: str | None = None,
    name: str = "",
    department: Department | None = None,
) -> Membership:
    """Give a user (new, or existing when no password is given) a role at a center."""
    _check_may_place(actor, center, role)
    user = _user_for_membership(username=username, password=password, name=name)
    return membership_add(actor=actor, user=user, center=center, role=role, department=department)


def _check_may_place(actor, center: Center, role: str) -> None:
    """A director may only place people inside their own subtree; a superuser anywhere."""
    _check_role(role)
    if access.member_may_create(actor, center.code):
        return
    if access.has_action_anywhere(actor, access.Action.MEMBER_CREATE):
        raise DomainError(
            _("You may only add members to centers inside your own subtree; %(code)s is outside it.")
            % {"code": center.code},
            field="center",
        )
    raise NotAllowed(_("Only a center director or an administrator may add members."))


@transaction.atomic
def membership_add(*, actor, user, center: Center, role: str, department: Department | None = None) -> Membership:
    """Give an existing user a role at a center (the API and the admin both end here)."""
    _check_may_place(actor, center, role)
    _check_department(role, department, center)
    if Membership.objects.filter(user=user, center=center, role=role).exists():
        raise DomainError(
            _("%(username)s already holds this role at this center.") % {"username": user.get_username()},
            field="role",
        )
    membership = Membership.objects.create(
        user=user, center=center, center_code=center.code, role=role, department=department, created_by=actor
    )
    audit.record(
        actor=actor,
        action="member.create",
        obj=membership,
        data={"username": user.get_username(), "role": role, "center": center.code},
    )
    access.forget(user)
    return membership


@transaction.atomic
def membership_deactivate(*, actor, membership: Membership) -> Membership:
    if not access.member_may_create(actor, membership.center_code):
        raise NotAllowed(_("Only a director of this center or one above it may remove its members."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record(actor=actor, action="member.deactivate", obj=membership)
    return membership


def _announce_calendar_change(days: list[date]) -> None:
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarOverride, dates=sorted(days)))


@transaction.atomic
def calendar_override_set(*, actor, day: date, is_workday: bool, reason: str) -> CalendarOverride:
    """Declare a day a working day or a day off; open deadlines past it are recomputed."""
    if not reason.strip():
        raise DomainError(_("Say why this day differs, e.g. the State Council notice."), field="reason")
    override, created = CalendarOverride.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "reason": reason.strip()}
    )
    audit.record(
        actor=actor,
        action="calendar.override_set",
        obj=override,
        data={"date": day.isoformat(), "is_workday": is_workday, "reason": reason, "created": created},
    )
    _announce_calendar_change([day])
    return override


@transaction.atomic
def calendar_override_remove(*, actor, override: CalendarOverride) -> None:
    day = override.date
    audit.record(actor=actor, action="calendar.override_remove", obj=override, data={"date": day.isoformat()})
    override.delete()
    _announce_calendar_change([day])

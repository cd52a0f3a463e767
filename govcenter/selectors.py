"""Reads of the core, always starting from the access policy."""

from django.db.models import QuerySet

from govcenter import access
from govcenter.access import Action
from govcenter.models import Center, Department, Membership


def center_list_visible(*, user) -> QuerySet[Center]:
    return access.scope(user, Center.objects.all(), Action.CENTER_VIEW)


def department_list_visible(*, user) -> QuerySet[Department]:
    return access.scope(user, Department.objects.select_related("center"), Action.DEPARTMENT_VIEW)


def membership_list_visible(*, user) -> QuerySet[Membership]:
    """Members of the user's subtrees (for directors and auditors), and always the user's own."""
    scoped = access.scope(user, Membership.objects.all(), Action.MEMBER_VIEW)
    own = Membership.objects.filter(user_id=user.pk)
    return (scoped | own).select_related("user", "center", "department", "created_by")


def memberships_of(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk, is_active=True).select_related("center", "department")

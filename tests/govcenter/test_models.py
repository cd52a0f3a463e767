"""The tree's invariants hold in the database itself, not only in forms and services."""

import pytest
from django.db import IntegrityError, transaction

from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership, Role
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"code": "620", "level": Level.CITY, "parent_id": "62"}, "code length does not match the level"),
        ({"code": "6301", "level": Level.CITY, "parent_id": "62"}, "code does not extend the parent's"),
        ({"code": "620103", "level": Level.COUNTY, "parent_id": "62"}, "parent is two levels up"),
        ({"code": "63", "level": Level.PROVINCE, "parent_id": "62"}, "a province under a province"),
        ({"code": "62x1", "level": Level.CITY, "parent_id": "62"}, "letters in the code"),
        ({"code": "6203", "level": Level.CITY, "parent_id": None}, "a city without a parent"),
    ],
)
def test_database_refuses_a_broken_tree(tree, fields, why):
    with pytest.raises(IntegrityError), transaction.atomic():
        Center.objects.create(name="坏数据", **fields)


def test_database_accepts_a_well_formed_child(tree):
    Center.objects.create(code="620102003", level=Level.TOWNSHIP, name="新设街道", parent_id="620102")
    assert Center.objects.filter(code__startswith="620102").count() == 5


def test_a_user_holds_a_role_at_a_center_once(tree):
    user = UserFactory()
    Membership.objects.create(user=user, center=tree["620102"], center_code="620102", role=Role.DIRECTOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, center=tree["620102"], center_code="620102", role=Role.DIRECTOR)


def test_an_unknown_role_is_refused_by_the_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), center=tree["620102"], center_code="620102", role="king")


def test_only_department_officers_belong_to_a_department(tree):
    department = Department.objects.get(center_code="620102")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), center=tree["620102"], center_code="620102", role=Role.CLERK, department=department
        )


def test_a_center_with_children_cannot_be_deleted(tree):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        tree["620102"].delete()

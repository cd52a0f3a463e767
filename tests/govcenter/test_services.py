import pytest

from govcenter import services
from govcenter.errors import DomainError, NotAllowed
from govcenter.models import AuditEvent, Center, Membership, Role


class TestCenterCreate:
    def test_parent_is_implied_by_the_code(self, tree, superuser):
        center = services.center_create(actor=superuser, code="620102003", name="新设街道")
        assert (center.level, center.parent_id) == (4, "620102")
        assert AuditEvent.objects.filter(action="center.create", object_id=str(center.pk)).exists()

    @pytest.mark.parametrize(
        ("code", "parent", "field"),
        [
            ("6201020031", None, "code"),  # ten digits
            ("62010200a", None, "code"),
            ("620102003", "620103", "parent"),  # a child under the wrong parent
            ("620109001", None, "parent"),  # its county does not exist
            ("620102001", None, "code"),  # exists already
        ],
    )
    def test_bad_codes_are_refused_naming_the_field(self, tree, superuser, code, parent, field):
        before = Center.objects.count()
        with pytest.raises(DomainError) as error:
            services.center_create(actor=superuser, code=code, name="坏", parent_code_given=parent)
        assert error.value.field == field
        assert Center.objects.count() == before


class TestMembership:
    def test_clerk_may_not_add_members(self, member_at, tree):
        clerk = member_at("own", Role.CLERK)
        with pytest.raises(NotAllowed):
            services.member_create(
                actor=clerk, username="x", password="Gansu-2026-ok", center=tree["620102001"], role=Role.CLERK
            )

    def test_department_officer_belongs_to_a_department_at_or_above_the_center(self, member_at, tree):
        director = member_at("parent", Role.DIRECTOR)
        sibling_department = tree["620102002"].departments.get()
        with pytest.raises(DomainError) as error:
            services.member_create(
                actor=director,
                username="dept",
                password="Gansu-2026-ok",
                center=tree["620102001"],
                role=Role.DEPARTMENT,
                department=sibling_department,
            )
        assert error.value.field == "department"
        county_department = tree["620102"].departments.get()
        membership = services.member_create(
            actor=director,
            username="dept",
            password="Gansu-2026-ok",
            center=tree["620102001"],
            role=Role.DEPARTMENT,
            department=county_department,
        )
        assert membership.department == county_department

    def test_deactivation_is_audited_and_removes_the_rights(self, member_at, tree, api_as):
        director = member_at("parent", Role.DIRECTOR)
        clerk = member_at("own", Role.CLERK)
        membership = Membership.objects.get(user=clerk)
        services.membership_deactivate(actor=director, membership=membership)
        assert AuditEvent.objects.filter(action="member.deactivate").count() == 1
        assert api_as(clerk).get("/api/v1/centers/620102001/").status_code == 404

    def test_sibling_director_may_not_deactivate(self, member_at):
        sibling_director = member_at("sibling", Role.DIRECTOR)
        clerk = member_at("own", Role.CLERK)
        with pytest.raises(NotAllowed):
            services.membership_deactivate(actor=sibling_director, membership=Membership.objects.get(user=clerk))

from django.core.management import call_command

from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership


def _snapshot():
    return (
        sorted(Center.objects.values_list("code", "name", "public_token")),
        sorted(Department.objects.values_list("center_code", "name")),
        sorted(Membership.objects.values_list("user__username", "center_code", "role")),
    )


def test_small_demo_is_a_real_tree_with_one_login_per_role(db, capsys):
    call_command("seed_demo", "--scale", "small")
    output = capsys.readouterr().out
    assert Center.objects.get(code="6201").name == "兰州市"
    assert Center.objects.filter(level=Level.CITY).count() == 14
    assert Center.objects.filter(level=Level.VILLAGE).count() == 40
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "director",
        "clerk",
        "mediator",
        "grid_worker",
        "court",
        "police",
        "petition",
        "department",
        "auditor",
        "expert",
    }
    for username in ("admin", "director", "clerk", "mediator", "grid", "court", "auditor"):
        assert username in output


def test_seeding_twice_changes_nothing(db):
    call_command("seed_demo", "--scale", "small")
    first = _snapshot()
    call_command("seed_demo", "--scale", "small")
    assert _snapshot() == first


def _wipe():
    from cases.models import Case, CaseNumberCounter, Handoff
    from grids.models import AssessmentPolicy, AuxiliaryOfficer, Grid, GridAssignment, PoliceGrid, Visit
    from mediation.models import Agreement, MediationOrg, Mediator

    Agreement.objects.all().delete()
    Handoff.objects.all().delete()
    Case.objects.all().delete()
    for model in (Visit, GridAssignment, AuxiliaryOfficer, Grid, PoliceGrid, AssessmentPolicy, Membership):
        model.objects.all().delete()
    Mediator.objects.all().delete()
    MediationOrg.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    Department.objects.all().delete()
    for level in sorted(Level.values, reverse=True):
        Center.objects.filter(level=level).delete()


def test_same_seed_same_tree_and_another_seed_another(db):
    call_command("seed_demo", "--scale", "small", "--seed", "7", "--no-users")
    first = _snapshot()
    _wipe()
    call_command("seed_demo", "--scale", "small", "--seed", "7", "--no-users")
    assert _snapshot() == first
    _wipe()
    call_command("seed_demo", "--scale", "small", "--seed", "8", "--no-users")
    assert _snapshot() != first

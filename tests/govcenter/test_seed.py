import random

import pytest
from django.core.management import call_command

from govcenter.demo import Draws
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


def test_the_seeders_generator_draws_what_the_librarys_draws():
    """Same seed, same data: demo.Draws only makes the library's draws cheaper."""
    for seed in range(40):
        ours, theirs = Draws(seed), random.Random(seed)
        for size in (1, 2, 3, 7, 31, 32, 33, 1000, 2**40 + 7):
            items = list(range(size)) if size < 2000 else range(size)
            assert ours.choice(items) == theirs.choice(items)
            assert ours.randint(-size, size) == theirs.randint(-size, size)
            assert ours.randrange(size) == theirs.randrange(size)
            assert ours.randrange(5, 5 + size) == theirs.randrange(5, 5 + size)
            assert ours.randrange(0, 10 * size, 3) == theirs.randrange(0, 10 * size, 3)
            assert ours.random() == theirs.random()
            assert ours.sample(range(50), 3) == theirs.sample(range(50), 3)
            assert ours.choices("abc", cum_weights=[1, 2, 3]) == theirs.choices("abc", cum_weights=[1, 2, 3])
    for draws in (Draws(1), random.Random(1)):
        with pytest.raises(IndexError):
            draws.choice([])
        with pytest.raises(ValueError):
            draws.randint(5, 4)
        with pytest.raises(ValueError):
            draws.randrange(0)

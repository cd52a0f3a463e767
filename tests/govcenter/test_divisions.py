import pytest

from govcenter.divisions import (
    DivisionCodeError,
    Level,
    ancestor_codes,
    check_code,
    minimal_roots,
    parent_code,
    subtree_bounds,
)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("62", Level.PROVINCE),
        ("6201", Level.CITY),
        ("620102", Level.COUNTY),
        ("620102001", Level.TOWNSHIP),
        ("620102001001", Level.VILLAGE),
    ],
)
def test_code_length_gives_level(code, level):
    assert check_code(code) == level


@pytest.mark.parametrize("code", ["", "6", "62010", "6201020011", "62a1", "６２", "62 01", None])
def test_malformed_codes_are_refused_with_a_reason(code):
    with pytest.raises(DivisionCodeError) as error:
        check_code(code)
    assert str(error.value)


def test_parents_and_ancestors():
    assert parent_code("620102001001") == "620102001"
    assert parent_code("62") is None
    assert ancestor_codes("620102001001") == ["62", "6201", "620102", "620102001"]


def test_subtree_bounds_are_the_prefix_plus_one():
    assert subtree_bounds("620102") == ("620102", "620103")
    assert subtree_bounds("620199") == ("620199", "620200")
    assert subtree_bounds("99") == ("99", None)


def test_minimal_roots_drop_nested_codes():
    assert minimal_roots(["6201", "62", "6301", "630102"]) == ["62", "6301"]


def test_common_ancestor():
    from govcenter.divisions import common_ancestor

    assert common_ancestor(["620102001", "620102002"]) == "620102"
    assert common_ancestor(["620102001001", "620102"]) == "620102"
    assert common_ancestor(["620102001"]) == "620102001"
    assert common_ancestor(["6201", "6301"]) == ""
    assert common_ancestor([]) == ""

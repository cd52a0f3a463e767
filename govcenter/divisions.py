"""Division codes (统计用区划代码): levels, validation and subtree ranges.

A center's code is a prefix of every code below it: 62 → 6201 → 620102 → 620102001 → 620102001001.
"Everything under 620102" is the range ``'620102' <= code < '620103'``, which an ordinary B-tree
index serves on SQLite and PostgreSQL alike, whatever the collation (the codes are digits only).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village or community")


CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
PREFIX_LENGTHS = sorted(LEVEL_BY_LENGTH)


class DivisionCodeError(ValueError):
    """A code that is not a division code; the message is for the user."""


def check_code(code: str) -> Level:
    """Return the level a code belongs to, or raise DivisionCodeError saying what is wrong."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        raise DivisionCodeError(gettext("A division code consists of digits only."))
    level = LEVEL_BY_LENGTH.get(len(code))
    if level is None:
        raise DivisionCodeError(
            gettext("A division code has 2, 4, 6, 9 or 12 digits; %(code)s has %(n)d.") % {"code": code, "n": len(code)}
        )
    return level


def parent_code(code: str) -> str | None:
    """The code of the level just above, or None for a province."""
    index = PREFIX_LENGTHS.index(len(code))
    return code[: PREFIX_LENGTHS[index - 1]] if index else None


def ancestor_codes(code: str) -> list[str]:
    """Codes of every center above this one, province first."""
    return [code[:length] for length in PREFIX_LENGTHS if length < len(code)]


def lineage(code: str) -> list[str]:
    """The code and every code above it, province first: the centers whose departments, rosters or
    rights reach this one."""
    return [*ancestor_codes(code), code]


def is_within(code: str, root: str) -> bool:
    """Whether `code` lies in the subtree of `root` (a code is within its own subtree)."""
    return code.startswith(root)


def subtree_bounds(code: str) -> tuple[str, str | None]:
    """The half-open range of codes in the subtree of `code`.

    The upper bound is the prefix plus one, at the same width: 620102 → 620103. A prefix of nines
    has no digit string above it that does not start with it, so it needs no upper bound.
    """
    if set(code) == {"9"}:
        return code, None
    return code, str(int(code) + 1).zfill(len(code))


def subtree_q(field: str, code: str) -> Q:
    """A filter for rows whose `field` holds a code inside the subtree of `code`."""
    low, high = subtree_bounds(code)
    q = Q(**{f"{field}__gte": low})
    if high is not None:
        q &= Q(**{f"{field}__lt": high})
    return q


def subtrees_q(field: str, codes) -> Q:
    """A filter for rows inside any of the given subtrees; nested roots are merged first."""
    roots = minimal_roots(codes)
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= subtree_q(field, root)
    return q


def common_ancestor(codes) -> str:
    """The deepest center whose subtree holds all the codes ("" when they lie in different provinces,
    or none is given)."""
    codes = list(codes)
    for length in reversed(PREFIX_LENGTHS):
        prefixes = {code[:length] for code in codes if len(code) >= length}
        if codes and len(prefixes) == 1 and all(len(code) >= length for code in codes):
            return prefixes.pop()
    return ""


def minimal_roots(codes) -> list[str]:
    """Drop codes that lie under another code in the list: {62, 6201, 6301} → [62, 6301]."""
    roots: list[str] = []
    for code in sorted(set(codes), key=lambda c: (len(c), c)):
        if not any(code.startswith(root) for root in roots):
            roots.append(code)
    return sorted(roots)

"""No page shows an English source string in Chinese mode, and the catalog translates everything."""

import re

import pytest

from tests.i18n import catalog
from tests.i18n.pages import parse, visible_text

# The walk needs the test database (its pages are fetched in the package fixture).
pytestmark = pytest.mark.django_db

# Two or more English words in a row: text a template or a view left out of the catalog altogether.
ENGLISH_RUN = re.compile(r"(?<![\w.@/-])[A-Za-z][a-z]+(?:[ -][A-Za-z][a-z]+)+(?![\w.@/-])")
# English that belongs on a Chinese page: names of formats and products, the demo's Latin names.
ALLOWED_ENGLISH = {"Noto Sans", "Swagger UI"}


def untranslated_on(text: str, fragments: dict[str, str]) -> set[str]:
    found = set()
    for piece, source in fragments.items():
        if piece in text and re.search(rf"(?<![A-Za-z0-9_]){re.escape(piece)}(?![A-Za-z0-9_])", text):
            found.add(source)
    return found


def test_every_catalog_entry_has_a_chinese_translation():
    missing = [entry.msgid for entry in catalog.entries() if not entry.translated]
    assert not missing, f"{len(missing)} entries without a translation (or fuzzy): {missing[:20]}"


def test_the_walk_reached_every_role_and_their_pages(walked_pages):
    by_who = {}
    for page in walked_pages:
        by_who.setdefault(page.who, set()).add(page.url)
    assert len(by_who) == 11, sorted(by_who)
    for who, urls in by_who.items():
        assert len(urls) >= 4, f"{who} reached only {sorted(urls)}"
    assert sum(len(urls) for urls in by_who.values()) >= 150


def test_no_page_breaks_on_the_walk(walked_pages):
    broken = [f"{page.who} {page.url}: {page.html[-500:]}" for page in walked_pages if page.status >= 500]
    assert not broken, "\n\n".join(broken)


def test_no_page_shows_english_source_strings_in_chinese(walked_pages):
    fragments = catalog.english_fragments()
    findings = {}
    for page in walked_pages:
        if page.status >= 500:
            continue
        text = visible_text(parse(page.html))
        for source in untranslated_on(text, fragments):
            findings.setdefault(source, []).append(f"{page.who} {page.url}")
        for run in set(ENGLISH_RUN.findall(text)) - ALLOWED_ENGLISH:
            findings.setdefault(run, []).append(f"{page.who} {page.url}")
    report = "\n".join(f"{source!r}: {', '.join(sorted(set(where))[:3])}" for source, where in sorted(findings.items()))
    assert not findings, f"{len(findings)} English strings on Chinese pages:\n{report}"

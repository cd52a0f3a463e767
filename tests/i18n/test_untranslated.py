"""No page shows an English source string in Chinese mode, and the catalog translates everything."""

import re

import pytest

from tests.i18n import catalog
from tests.i18n.pages import parse, visible_text, where_found

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
    assert {page.who for page in walked_pages if page.language == "en"} == {"director", "grid", "auditor"}
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
        if page.status >= 500 or page.language != "zh-hans":
            continue
        text = visible_text(parse(page.html))
        for source in untranslated_on(text, fragments):
            findings.setdefault(source, []).append(f"{page.who} {page.url}")
        for run in set(ENGLISH_RUN.findall(text)) - ALLOWED_ENGLISH:
            findings.setdefault(run, []).append(f"{page.who} {page.url}")
    report = "\n".join(f"{source!r}: {where_found(where)}" for source, where in sorted(findings.items()))
    assert not findings, f"{len(findings)} English strings on Chinese pages:\n{report}"


def test_english_pages_show_no_chinese_text_of_the_catalog(walked_pages):
    """In English, a Chinese translation standing alone on the page means text translated once at
    import time (gettext where gettext_lazy was needed) or fixed in Chinese. Short terms and text
    inside longer names are also data (a department called 人力资源和社会保障局), so only whole
    pieces of text of four or more characters are looked for."""
    translations = {t: e.msgid for e in catalog.entries() for t in e.translations if len(t) >= 4 and "%" not in t}
    findings = {}
    for page in walked_pages:
        if page.language != "en" or page.status >= 500:
            continue
        for line in set(visible_text(parse(page.html)).splitlines()):
            if line in translations:
                findings.setdefault(f"{line} ({translations[line]})", []).append(f"{page.who} {page.url}")
    report = "\n".join(f"{found}: {where_found(where)}" for found, where in sorted(findings.items()))
    assert not findings, f"{len(findings)} Chinese texts on English pages:\n{report}"

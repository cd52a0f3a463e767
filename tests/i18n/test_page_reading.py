"""The walk's readers find what they are meant to: an untranslated string, an unlabelled control."""

from tests.i18n import catalog
from tests.i18n.pages import accessibility_problems, parse, visible_text, where_found
from tests.i18n.test_untranslated import ENGLISH_RUN, untranslated_on

PAGE = """<!DOCTYPE html><html lang="zh-hans"><head><title>Not read</title></head><body>
<p>案件列表 <code>export.fetch</code></p><button title="Log out"></button>
<input type="search" placeholder="Number, summary, facts, place"><script>var Cases = 1;</script>
</body></html>"""


def test_visible_text_has_what_people_read_or_hear_and_leaves_code_out():
    text = visible_text(parse(PAGE))
    assert "案件列表" in text and "Log out" in text and "Number, summary, facts, place" in text
    assert "export.fetch" not in text and "Cases" not in text and "Not read" not in text


def test_an_english_source_string_is_found_by_its_words_only():
    fragments = {"Log out": "Log out", "Case list": "Case list", "Cases": "Cases"}
    assert untranslated_on("退出 Log out", fragments) == {"Log out"}
    assert untranslated_on("Caseship 案件", fragments) == set()


def test_english_text_missing_from_the_catalog_is_found_too():
    assert ENGLISH_RUN.findall("审计日志 Audit log 620102-2026-000001 dossier-1.pdf") == ["Audit log"]


def test_placeholders_split_a_source_string_into_what_a_page_would_show():
    assert catalog.fragments("Page %(number)s of %(total)s") == ["Page"]
    assert catalog.fragments("page %(number)s of %(total)s") == []  # lowercase words may be logins
    assert catalog.fragments("Publish the list of {{ month }}") == ["Publish the list of"]
    assert catalog.fragments("case_dossier") == [] and catalog.fragments("PDF") == []


def test_a_catalog_entry_without_translation_is_told_apart():
    entries = catalog.parse_po(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        'msgid "Cases"\nmsgstr "案件"\n\n'
        '#, fuzzy\nmsgid "Case list"\nmsgstr "案件"\n\n'
        'msgid "one case"\nmsgid_plural "%(n)s cases"\nmsgstr[0] ""\n\n'
        'msgctxt "visited"\nmsgid "Place"\nmsgstr ""\n"场所"\n'
    )
    assert [(e.msgid, e.translated) for e in entries] == [
        ("Cases", True),
        ("Case list", False),
        ("one case", False),
        ("Place", True),
    ]
    assert entries[3].context == "visited" and entries[3].translations == ("场所",)


def test_accessibility_problems_are_found():
    html = """<html><body>
    <label for="a">名称</label><input id="a" name="a">
    <label>日期 <input type="date" name="b"></label>
    <input name="c" aria-label="搜索"><input name="d"><select name="e"></select>
    <div aria-hidden="true"><input name="honeypot"></div><input type="hidden" name="f">
    <img src="x.png"><img src="y.png" alt="">
    <button></button><button>提交</button><a href="/x/"></a><a href="/y/">链接</a>
    <span tabindex="3">跳</span><p id="a"></p>
    </body></html>"""
    problems = accessibility_problems(html)
    assert sorted(problems) == sorted(
        [
            "the page does not say its language (<html lang>)",
            'control without a label: <input name="d">',
            'control without a label: <select name="e">',
            "image without alt: <img > src=x.png",
            "button without text: <button >",
            'link without text: <a href="/x/">',
            "positive tabindex breaks the focus order: <span >",
            'id used twice: <p id="a">',
        ]
    )


def test_findings_name_a_few_pages_each_cut_short():
    places = ["clerk /cases/", "clerk /cases/", "grid /grids/mine/", "auditor /audit/?" + "x" * 200, "court /"]
    text = where_found(places, shown=3, width=20)
    assert text.startswith("auditor /audit/?xxx…, clerk /cases/, court /") and text.endswith(" and 1 more")

"""Keyboard and screen-reader basics a journey checks on each key screen: every control has a name
a screen reader can say, ids are unique (a label's `for` must find its one input), one h1 says what
the page is, and the page's language is declared; and, in English, no Chinese left in the
interface."""

import re

UNNAMED_CONTROLS = """
() => {
  const named = (el) => {
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const by = el.getAttribute("aria-labelledby");
    if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || "").trim())) return true;
    if (el.labels && [...el.labels].some((label) => label.textContent.trim())) return true;
    if ((el.getAttribute("title") || "").trim()) return true;
    if (el.matches("button, summary, a")) {
      return (el.textContent || "").trim() !== "" || !!el.querySelector("img[alt]:not([alt=''])");
    }
    if (el.matches("input[type=submit], input[type=button]")) return (el.value || "").trim() !== "";
    return false;
  };
  const shown = (el) =>
    !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) || el.closest("details:not([open])");
  const controls = document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, summary, a[href]"
  );
  return [...controls]
    .filter((el) => shown(el) && !el.closest("[aria-hidden=true]") && !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}
"""

DUPLICATE_IDS = """
() => {
  const seen = {};
  document.querySelectorAll("[id]").forEach((el) => { seen[el.id] = (seen[el.id] || 0) + 1; });
  return Object.keys(seen).filter((id) => seen[id] > 1);
}
"""


def assert_accessible_basics(page) -> None:
    """Fail with the offending markup when a control has no accessible name, an id repeats or text
    is too faint to read."""
    unnamed = page.evaluate(UNNAMED_CONTROLS)
    assert not unnamed, f"controls without an accessible name on {page.url}: {unnamed}"
    duplicates = page.evaluate(DUPLICATE_IDS)
    assert not duplicates, f"ids used more than once on {page.url}: {duplicates}"
    assert page.locator("h1").count() == 1, f"{page.url} should have exactly one h1"
    assert page.locator("html").get_attribute("lang"), f"{page.url} does not declare its language"
    assert_readable_contrast(page)


UNTRANSLATED = """
() => [...document.querySelectorAll(
    "main h2, main h3, main th, main dt, main summary, main label, main legend, main button, main .stat > span, "
    + "main .tabs a, header nav a"
  )]
  .filter((el) => el.offsetParent !== null || el.closest("details"))
  .map((el) => el.textContent.replace(/\\s+/g, " ").trim())
  .filter((text) => /[\\u4e00-\\u9fff]/.test(text))
"""


def switch_language(page, name: str) -> None:
    """Choose the page's language in the top bar, as a person would (the page reloads in it)."""
    with page.expect_navigation():
        page.get_by_role("combobox", name=re.compile("^(语言|Language)$")).select_option(label=name)


def assert_no_chinese_in_the_interface(page) -> None:
    """In English, the page's own words (headings, table heads, labels, buttons, the menu) carry no
    Chinese; the data (names, places, categories) may."""
    leftovers = page.evaluate(UNTRANSLATED)
    assert not leftovers, f"untranslated interface text on {page.url}: {leftovers}"


LOW_CONTRAST = """
() => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const over = (top, bottom) => {
    const a = top.length > 3 ? top[3] : 1;
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a));
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.length > 3 && colour[3] === 0) continue;
      layers.push(colour);
      if (colour.length === 3 || colour[3] === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
  };
  const failures = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest("[aria-hidden=true], .visually-hidden, option")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || el.matches(":disabled")) continue;
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const text = el.textContent.trim().slice(0, 30);
      failures.push(`${ratio.toFixed(2)} ${el.tagName.toLowerCase()}.${el.className} "${text}"`);
    }
  }
  return failures;
}
"""


def assert_readable_contrast(page) -> None:
    """Every piece of text on the screen meets WCAG AA contrast against what lies behind it
    (4.5:1, large text 3:1)."""
    failures = page.evaluate(LOW_CONTRAST)
    assert not failures, f"text below WCAG AA contrast on {page.url}: {failures}"

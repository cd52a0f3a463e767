"""Keyboard and screen-reader basics a journey checks on each key screen: every control has a name
a screen reader can say, ids are unique (a label's `for` must find its one input), one h1 says what
the page is, and the page's language is declared."""

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
    """Fail with the offending markup when a control has no accessible name or an id repeats."""
    unnamed = page.evaluate(UNNAMED_CONTROLS)
    assert not unnamed, f"controls without an accessible name on {page.url}: {unnamed}"
    duplicates = page.evaluate(DUPLICATE_IDS)
    assert not duplicates, f"ids used more than once on {page.url}: {duplicates}"
    assert page.locator("h1").count() == 1, f"{page.url} should have exactly one h1"
    assert page.locator("html").get_attribute("lang"), f"{page.url} does not declare its language"

"""Pages as a person meets them: fetched with the test client, read into a small element tree, their
visible text and the accessibility basics of their controls."""

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements whose content is never shown as text (code-like content is shown, but as data).
NOT_TEXT = {"script", "style", "template", "code", "noscript", "head", "title"}
# Attributes a person reads or hears.
SPOKEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    children: list = field(default_factory=list)  # Elements and strings

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style", "template"):
                parts.append(child.alt_text() if child.tag == "img" else child.text())
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def alt_text(self) -> str:
        return self.attrs.get("alt") or ""

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def is_hidden(self) -> bool:
        for node in (self, *self.ancestors()):
            if (
                node.attrs.get("aria-hidden") == "true"
                or "hidden" in node.attrs
                or node.tag in ("template", "noscript")
            ):
                return True
        return False

    def describe(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items() if k in ("name", "id", "type", "class", "href"))
        return f"<{self.tag} {shown}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def visible_text(root: Element) -> str:
    """What the page says: its text outside scripts, styles and code, and the attributes people read
    or hear (title, placeholder, aria-label, alt, a button's value), one piece a line."""
    lines = []

    def visit(node: Element):
        if node.tag in NOT_TEXT:
            return
        for name in SPOKEN_ATTRIBUTES:
            if node.attrs.get(name):
                lines.append(node.attrs[name])
        if node.tag == "input" and node.attrs.get("type") in ("submit", "button", "reset") and node.attrs.get("value"):
            lines.append(node.attrs["value"])
        for child in node.children:
            if isinstance(child, str):
                lines.append(child)
            else:
                visit(child)

    visit(root)
    return unescape("\n".join(line.strip() for line in lines if line.strip()))


# --- Accessibility basics ----------------------------------------------------------------------------

UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


def _labels(root: Element) -> tuple[set[str], set[str]]:
    """The ids that a <label for> names, and all ids of the page."""
    label_for = {node.attrs["for"] for node in root.walk() if node.tag == "label" and node.attrs.get("for")}
    ids = {node.attrs["id"] for node in root.walk() if node.attrs.get("id")}
    return label_for, ids


def accessible_name_missing(node: Element, label_for: set[str], ids: set[str]) -> bool:
    if node.attrs.get("aria-label", "").strip() or node.attrs.get("title", "").strip():
        return False
    labelledby = node.attrs.get("aria-labelledby", "").split()
    if labelledby and all(i in ids for i in labelledby):
        return False
    if node.attrs.get("id") in label_for:
        return False
    return not any(a.tag == "label" for a in node.ancestors())


def accessibility_problems(html: str) -> list[str]:
    """Controls without a name, images without alt, buttons and links without text, a positive
    tabindex (it breaks the focus order), ids used twice, a page without its language."""
    root = parse(html)
    label_for, ids = _labels(root)
    problems = []
    seen_ids = set()
    for node in root.walk():
        if node.attrs.get("id"):
            if node.attrs["id"] in seen_ids:
                problems.append(f"id used twice: {node.describe()}")
            seen_ids.add(node.attrs["id"])
        if node.tag == "html" and not node.attrs.get("lang"):
            problems.append("the page does not say its language (<html lang>)")
        tabindex = node.attrs.get("tabindex", "")
        if tabindex.lstrip("-").isdigit() and int(tabindex) > 0:
            problems.append(f"positive tabindex breaks the focus order: {node.describe()}")
        if node.is_hidden():
            continue
        if node.tag == "img" and "alt" not in node.attrs:
            problems.append(f"image without alt: {node.describe()} src={node.attrs.get('src')}")
        elif node.tag in ("select", "textarea") or (
            node.tag == "input" and node.attrs.get("type", "text") not in UNLABELLED_INPUT_TYPES
        ):
            if accessible_name_missing(node, label_for, ids):
                problems.append(f"control without a label: {node.describe()}")
        elif node.tag == "button" and not (node.text() or node.attrs.get("aria-label") or node.attrs.get("title")):
            problems.append(f"button without text: {node.describe()}")
        elif node.tag == "input" and node.attrs.get("type") in ("submit", "button") and not node.attrs.get("value"):
            problems.append(f"button without text: {node.describe()}")
        elif node.tag == "a" and node.attrs.get("href") and not (node.text() or node.attrs.get("aria-label")):
            problems.append(f"link without text: {node.describe()}")
    return problems


def where_found(places: list[str], shown: int = 3, width: int = 90) -> str:
    """A few of the pages a finding was on, each cut to a readable length."""
    cut = [place if len(place) <= width else place[: width - 1] + "…" for place in sorted(set(places))]
    more = f" and {len(cut) - shown} more" if len(cut) > shown else ""
    return ", ".join(cut[:shown]) + more

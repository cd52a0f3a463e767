"""Contrast of the text and background colour pairs of the portal's stylesheets: WCAG AA, 4.5:1."""

import re
from pathlib import Path

import pytest
from django.conf import settings

STYLESHEETS = sorted(p for p in (Path(settings.BASE_DIR) / "static").rglob("*.css") if "vendor" not in p.parts)
AA_BODY_TEXT = 4.5
HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
NAMED = {"white": "#ffffff", "black": "#000000"}


def relative_luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rules(css: str) -> list[tuple[str, dict]]:
    """(selector, declarations) of every rule, one selector of a list at a time; @media blocks flattened."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip().lower()] = value.strip()
        for selector in selectors.split(","):
            found.append((" ".join(selector.split()), declarations))
    return found


class Palette:
    def __init__(self, all_rules):
        self.variables = {}
        for selector, declarations in all_rules:
            if selector == ":root":
                self.variables.update({k: v for k, v in declarations.items() if k.startswith("--")})

    def colour(self, value: str | None) -> str | None:
        """The solid colour a colour or background value paints, or None (none, transparent, a gradient)."""
        if not value or "gradient" in value or "rgba" in value:
            return None
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: self.variables.get(m.group(1), ""), value)
        match = HEX.search(value)
        if match:
            return match.group(0)
        return NAMED.get(value.split()[0].lower()) if value.split() else None


def pairs() -> list[tuple[str, str, str]]:
    """(where, text colour, background colour) of every rule that sets either, with what it inherits:
    the colour or background of the rule of the enclosing selector, else the body's text on the page's
    ground and on a white card."""
    all_rules = [rule for sheet in STYLESHEETS for rule in rules(sheet.read_text(encoding="utf-8"))]
    palette = Palette(all_rules)
    colours, backgrounds = {}, {}
    for selector, declarations in all_rules:
        if palette.colour(declarations.get("color")):
            colours[selector] = palette.colour(declarations["color"])
        background = declarations.get("background-color") or declarations.get("background")
        if palette.colour(background):
            backgrounds[selector] = palette.colour(background)
    body_text, ground, paper = colours["body"], backgrounds["body"], palette.colour("var(--paper)")

    def inherited(table: dict, selector: str) -> str | None:
        """The value of the selector's own rule, else of the same element's simpler rules (`.btn` for
        `.btn.secondary:hover`), else of the enclosing elements' (`.topbar` for `.topbar a`)."""
        parts = selector.split(" ")
        for end in range(len(parts), 0, -1):
            compound = parts[end - 1]
            while compound:
                candidate = " ".join([*parts[: end - 1], compound])
                if candidate in table:
                    return table[candidate]
                shorter = re.sub(r"(?:\.[\w-]+|:{1,2}[\w-]+(?:\([^)]*\))?|\[[^\]]*\])$", "", compound)
                compound = shorter if shorter != compound else ""
        return None

    found = []
    for selector in dict.fromkeys(s for s, _ in all_rules):
        if selector not in colours and selector not in backgrounds:
            continue
        text = inherited(colours, selector) or body_text
        background = inherited(backgrounds, selector)
        for ground_colour in [background] if background else [ground, paper]:
            found.append((selector, text, ground_colour))
    return found


def test_the_stylesheets_are_found_and_read():
    assert any(sheet.name == "govcenter.css" for sheet in STYLESHEETS)
    assert len(pairs()) > 50


@pytest.mark.parametrize(
    ("a", "b", "ratio"), [("#000", "#fff", 21.0), ("#777777", "#ffffff", 4.48), ("#fff", "#fff", 1.0)]
)
def test_the_ratio_is_computed_as_wcag_does(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)


def test_text_and_its_background_contrast_at_least_4_5_to_1():
    weak = {
        f"{selector}: {text} on {ground} is {ratio:.2f}:1"
        for selector, text, ground in pairs()
        if (ratio := contrast(text, ground)) < AA_BODY_TEXT
    }
    assert not weak, "\n".join(sorted(weak))

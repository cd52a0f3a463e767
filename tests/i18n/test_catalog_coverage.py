"""Every string the templates and the code mark for translation is in the Chinese catalog, so no page
can show it in English, reachable by the walk or not. (A string written across several lines in the
code is left to `make messages`; the single-line ones are nearly all.)"""

import ast
import re
from pathlib import Path

from django.conf import settings

from tests.i18n import catalog

ROOT = Path(settings.BASE_DIR)
APPS = ("govcenter", "grids", "cases", "mediation", "reports", "onboarding")
TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')(?:\s+context\s+(?:"[^"]*"|'[^']*'))?""")
BLOCK = re.compile(r"\{%\s*blocktranslate(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktranslate\s*%\}", re.S)
CODE_GETTEXT = re.compile(
    r"""(?<![\w.])(?:_|gettext|gettext_lazy|ngettext|ngettext_lazy)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]"""
)


def _block_msgid(args: str, body: str) -> str | None:
    """The msgid makemessages takes from a blocktranslate: variables as %(name)s, the singular part."""
    if "count" in args.split() or "{%" in body:
        body = body.split("{% plural %}")[0]
        if "{%" in body:
            return None
    if "trimmed" in args.split():
        body = " ".join(line.strip() for line in body.strip().splitlines())
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body).replace("%%", "%")


def used_msgids() -> dict[str, str]:
    """msgid → the file that uses it."""
    used = {}
    for template in (ROOT / "templates").rglob("*.html"):
        if template.parts[-2] == "pdf":
            continue  # the printed documents are in Chinese only, by design
        text = template.read_text(encoding="utf-8")
        for match in TEMPLATE_TRANSLATE.finditer(text):
            used.setdefault(match.group(1) if match.group(1) is not None else match.group(2), str(template))
        for match in BLOCK.finditer(text):
            msgid = _block_msgid(match.group("args"), match.group("body"))
            if msgid:
                used.setdefault(msgid, str(template))
    for app in APPS:
        for module in (ROOT / app).rglob("*.py"):
            if "migrations" in module.parts:
                continue
            for match in CODE_GETTEXT.finditer(module.read_text(encoding="utf-8")):
                used.setdefault(ast.literal_eval(f'"{match.group(1)}"'), str(module))
    return {msgid: where for msgid, where in used.items() if re.search("[A-Za-z]", msgid)}


def test_the_scan_finds_the_strings_of_templates_and_code():
    used = used_msgids()
    assert "Audit log" in used and "Log a visit" in used and "Publish the list of %(month)s" in used
    assert len(used) > 1000


def test_every_string_marked_for_translation_is_in_the_catalog():
    known = {entry.msgid for entry in catalog.entries()}
    missing = {msgid: where for msgid, where in used_msgids().items() if msgid not in known}
    report = "\n".join(f"{where.removeprefix(str(ROOT) + '/')}: {msgid!r}" for msgid, where in sorted(missing.items()))
    assert not missing, f"{len(missing)} strings not in the catalog:\n{report}"

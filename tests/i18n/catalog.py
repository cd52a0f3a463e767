"""The project's Chinese message catalog, read from its .po file, and the English source strings a
page in Chinese must not show."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "govcenter" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Placeholders of gettext and Django templates: what is left between them is the translated text.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\{[^}]*\}\}|\{\w*\}")
# A fragment worth looking for: some letters, and either several words or one word of 3+ letters.
LETTERS = re.compile(r"[A-Za-z]{2,}")
# Tokens a page may show as data rather than as its own words: codes (snake_case, dotted names, paths,
# abbreviations) such as an audit log's action codes, and single lowercase words, which are also the
# logins of people ("mediator", "clerk"). Not looked for; sentences and capitalised words are.
CODE_LIKE = re.compile(r"[\w\-]*[_./:][\w.\-/:]*|[A-Z0-9]+|[a-z]+")


@dataclass(frozen=True)
class Entry:
    context: str
    msgid: str
    plural: str
    translations: tuple[str, ...]
    fuzzy: bool

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.translations) and all(self.translations)


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (the header and obsolete `#~` entries left out)."""
    entries, fields, flags, current = [], {}, "", None

    def flush():
        if "msgid" in fields and fields["msgid"]:
            translations = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
            entries.append(
                Entry(
                    fields.get("msgctxt", ""),
                    fields["msgid"],
                    fields.get("msgid_plural", ""),
                    translations,
                    "fuzzy" in flags,
                )
            )

    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            fields, flags, current = {}, "", None
        elif line.startswith("#,"):
            flags += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += _unquote(line)
        else:
            current = line.split(" ", 1)[0]
            fields[current] = _unquote(line)
    return entries


@cache
def entries() -> tuple[Entry, ...]:
    return tuple(parse_po(CATALOG.read_text(encoding="utf-8")))


def fragments(msgid: str) -> list[str]:
    """The pieces of a source string that a page would show word for word if it were not translated."""
    pieces = [piece.strip(" \n\t.,:;!?()·—–-‹›“”\"'") for piece in PLACEHOLDER.split(msgid)]
    return [
        piece
        for piece in pieces
        if LETTERS.search(piece) and not CODE_LIKE.fullmatch(piece) and (" " in piece or len(piece) >= 3)
    ]


@cache
def english_fragments() -> dict[str, str]:
    """Fragment → the source string it comes from, for every translated entry; fragments that a
    translation itself contains (PDF, Excel, ZIP, 110 …) are left out, they are right in Chinese too."""
    all_entries = entries()
    chinese = "\n".join(t for e in all_entries for t in e.translations)
    found = {}
    for entry in all_entries:
        for source in filter(None, (entry.msgid, entry.plural)):
            for piece in fragments(source):
                if not re.search(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", chinese):
                    found.setdefault(piece, source)
    return found

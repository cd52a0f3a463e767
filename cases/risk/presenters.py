"""How the reasons of a score are shown: in the reader's language, whenever they were scored.

A reason is kept untranslated (cases.risk.scoring): its English source message (`why_msgid`) and its
values (`why_params`), the values that are labels kept as codes (a case field, a choice, a party's
flags) or, for a category, as both its names. It is put into words here, when it is read, with
the language of the request. Reasons kept before that (only the text `why`, in the language of the
scoring) are shown as they were written. The indicator's name is kept in both languages (`name`,
`name_en`) and shown in the reader's; a row kept with the Chinese name only shows that.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext, pgettext

from cases.models import Case, in_reader_language
from cases.risk.models import PersonFlag

# What an API or a page shows of a reason: the indicator and the fact, as before the change.
SHOWN_KEYS = ("code", "name", "weight")


def _field_label(name: str):
    try:
        return Case._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def _choice_label(field: str, value):
    try:
        choices = dict(Case._meta.get_field(field).flatchoices)
    except FieldDoesNotExist:
        return value
    return choices.get(value, value)


def _category_label(category) -> str:
    if not isinstance(category, dict):
        return str(category)
    return in_reader_language(category.get("name") or category.get("code") or "", category.get("name_en"))


def _flags_label(flags) -> str:
    if not isinstance(flags, list):
        return str(flags)
    labels = [str(PersonFlag(flag).label) if flag in PersonFlag.values else str(flag) for flag in flags]
    # Not ", ": the English labels have commas of their own.
    return pgettext("between the flags of a party", "; ").join(labels)


def _in_words(params: dict) -> dict:
    """The values of a reason as the reader reads them: codes turned into labels of this language."""
    shown = dict(params)
    if "field" in params:
        shown["field"] = _field_label(params["field"])
        if "value" in params:
            shown["value"] = _choice_label(params["field"], params["value"])
    if "category" in params:
        shown["category"] = _category_label(params["category"])
    if "flags" in params:
        shown["flags"] = _flags_label(params["flags"])
    return shown


def reason_text(row: dict) -> str:
    """Why the indicator fired, in the active language; a reason kept as text only is shown as kept."""
    msgid, params = row.get("why_msgid"), row.get("why_params")
    if isinstance(msgid, str) and msgid and isinstance(params, dict):
        try:
            return gettext(msgid) % _in_words(params)
        except (KeyError, TypeError, ValueError):
            pass  # a message and values that no longer fit: the text kept at scoring time
    why = row.get("why")
    return why if isinstance(why, str) else ""


def indicator_name(row: dict) -> str | None:
    """The indicator's name as RiskIndicator.label gives it: the English one, kept at scoring time,
    when the reader reads English and there is one; otherwise (rows kept before indicators had an
    English name, an indicator without one) the Chinese name."""
    name_en = row.get("name_en")
    return in_reader_language(row.get("name"), name_en if isinstance(name_en, str) else None)


def reasons_shown(rows) -> list[dict]:
    """The reasons as pages and the API show them: code, name, weight and why, the name and why in
    the reader's language."""
    if not isinstance(rows, list):
        return []
    return [
        {**{key: row.get(key) for key in SHOWN_KEYS}, "name": indicator_name(row), "why": reason_text(row)}
        for row in rows
        if isinstance(row, dict)
    ]

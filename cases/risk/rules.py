"""Risk rules: what each kind of indicator takes, checked when it is saved (a rule that does not parse
is refused with the reason, so the nightly scoring never meets one), and how it is evaluated against
a case's facts, giving the reason it fired: a message and its values, put into words a director
reads when the reason is shown (cases.risk.presenters), in the reader's language.

Kinds and their parameters:
- attribute: {"field": …, "op": "in" | "gte" | "true", "value": …} on the case itself; "in" on the
  category matches the code or its parent (a top-level type takes its sub-types);
- history: {"measure": "party_cases" | "failed_mediations" | "reports", "min": n, "months": m};
  party_cases counts the other cases of the same people (ID number or phone) in the last m months;
- age: {"days": n}: still open n days after it was received (长期纠纷);
- link: {"link": "police" | "petition" | "court"}: it came through that channel or was handed over by it;
- keyword: {"words": [...], "where": ["facts", "records"]}: a word in the facts (and title), or in
  the records (mediation sessions, the patrol visit);
- person: {"flags": [...]}: a party carries one of these flags.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import OPEN_STATUSES
from cases.risk.models import PersonFlag, RuleKind

ATTRIBUTE_FIELDS = {
    "category": "in",
    "kind": "in",
    "channel": "in",
    "severity": "in",
    "amount": "gte",
    "people_count": "gte",
    "is_group_incident": "true",
    "is_emergency": "true",
    "is_petition_related": "true",
    "is_difficult": "true",
}
HISTORY_MEASURES = ("party_cases", "failed_mediations", "reports")
LINKS = ("police", "petition", "court")
WHERE = ("facts", "records")
PERSON_FLAGS = tuple(PersonFlag.values)


class RuleError(ValueError):
    """A rule that does not parse; the message says why, for the one who wrote it."""


def _int(params: dict, name: str, low: int, high: int) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(
            _("“%(name)s” must be a whole number from %(low)d to %(high)d.") % {"name": name, "low": low, "high": high}
        )
    return value


def _words(value, name: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(w, str) and w.strip() for w in value):
        raise RuleError(_("“%(name)s” must be a non-empty list of words.") % {"name": name})
    return [w.strip() for w in value]


def check_rule(kind: str, params) -> dict:
    """The parameters, normalised, or a RuleError saying what is wrong with them."""
    if not isinstance(params, dict):
        raise RuleError(_("The rule's parameters must be an object of names and values."))
    if kind == RuleKind.ATTRIBUTE:
        name = params.get("field")
        if not isinstance(name, str) or name not in ATTRIBUTE_FIELDS:
            raise RuleError(_("Unknown case attribute: %(field)s.") % {"field": name})
        op = ATTRIBUTE_FIELDS[name]
        if op == "in":
            return {"field": name, "op": op, "value": _words(params.get("value"), "value")}
        if op == "gte":
            try:
                number = Decimal(str(params.get("value")))
            except (InvalidOperation, ValueError) as error:
                raise RuleError(_("“value” must be a number.")) from error
            if not number.is_finite() or number < 0:
                raise RuleError(_("“value” must be a number."))
            return {"field": name, "op": op, "value": str(number)}
        return {"field": name, "op": op}
    if kind == RuleKind.HISTORY:
        measure = params.get("measure")
        if not isinstance(measure, str) or measure not in HISTORY_MEASURES:
            raise RuleError(_("Unknown history measure: %(measure)s.") % {"measure": measure})
        rule = {"measure": measure, "min": _int(params, "min", 1, 1000)}
        if measure == "party_cases":
            rule["months"] = _int(params, "months", 1, 120)
        return rule
    if kind == RuleKind.AGE:
        return {"days": _int(params, "days", 1, 3650)}
    if kind == RuleKind.LINK:
        if not isinstance(params.get("link"), str) or params["link"] not in LINKS:
            raise RuleError(_("Unknown link: %(link)s.") % {"link": params.get("link")})
        return {"link": params["link"]}
    if kind == RuleKind.KEYWORD:
        where = params.get("where", list(WHERE))
        if not isinstance(where, list) or not where or any(w not in WHERE for w in where):
            raise RuleError(_("“where” lists facts and/or records."))
        return {"words": _words(params.get("words"), "words"), "where": where}
    if kind == RuleKind.PERSON:
        flags = _words(params.get("flags"), "flags")
        unknown = [f for f in flags if f not in PERSON_FLAGS]
        if unknown:
            raise RuleError(_("Unknown person flag: %(flags)s.") % {"flags": ", ".join(unknown)})
        return {"flags": flags}
    raise RuleError(_("Unknown kind of rule: %(kind)s.") % {"kind": kind})


@dataclass(frozen=True)
class Reason:
    """Why a rule fired, untranslated: the English source message and its values, codes rather than
    labels (a case field, a choice, a party's flags), so that it is put into words in the language of
    whoever reads it (cases.risk.presenters.reason_text)."""

    msgid: str
    params: dict


@dataclass
class CaseFacts:
    """What the rules look at, gathered once per case (cases.risk.scoring)."""

    case: object
    now: datetime
    category_codes: set[str] = field(default_factory=set)
    category_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (name, name_en)
    links: set[str] = field(default_factory=set)
    failed_mediations: int = 0
    party_case_times: list[datetime] = field(default_factory=list)  # other cases of the same people
    party_flags: set[str] = field(default_factory=set)
    records: list[str] = field(default_factory=list)


def _attribute(params: dict, facts: CaseFacts) -> Reason | None:
    case, name = facts.case, params["field"]
    if name == "category":
        hit = facts.category_codes & set(params["value"])
        if not hit:
            return None
        code = sorted(hit)[0]
        # Both names, as the category has them: the reader's language picks one when it is shown.
        zh, en = facts.category_names.get(code, (code, ""))
        return Reason(gettext_noop("category is %(category)s"), {"category": {"code": code, "name": zh, "name_en": en}})
    if params["op"] == "in":
        value = getattr(case, name)
        if value in params["value"]:
            return Reason(gettext_noop("%(field)s is %(value)s"), {"field": name, "value": value})
        return None
    if params["op"] == "gte":
        value = getattr(case, name)
        threshold = Decimal(params["value"])
        if value is not None and Decimal(value) >= threshold:
            return Reason(
                gettext_noop("%(field)s is %(value)s, at least %(threshold)s"),
                {"field": name, "value": str(value), "threshold": str(threshold)},
            )
        return None
    return Reason(gettext_noop("%(field)s is set"), {"field": name}) if getattr(case, name) else None


def _history(params: dict, facts: CaseFacts) -> Reason | None:
    measure, least = params["measure"], params["min"]
    if measure == "party_cases":
        since = facts.now - timedelta(days=30 * params["months"])
        count = 1 + sum(1 for at in facts.party_case_times if at >= since)  # this case and the others
        if count >= least:
            return Reason(
                gettext_noop("the same people are in %(n)d cases in %(months)d months"),
                {"n": count, "months": params["months"]},
            )
        return None
    if measure == "failed_mediations":
        count = facts.failed_mediations
        return Reason(gettext_noop("mediation failed %(n)d times"), {"n": count}) if count >= least else None
    count = facts.case.report_count
    return Reason(gettext_noop("reported %(n)d times"), {"n": count}) if count >= least else None


def _age(params: dict, facts: CaseFacts) -> Reason | None:
    case = facts.case
    days = (facts.now - case.received_at).days
    if case.status in OPEN_STATUSES and days >= params["days"]:
        return Reason(gettext_noop("open for %(n)d days"), {"n": days})
    return None


LINK_REASONS = {
    "police": gettext_noop("a 110 police alert exists"),
    "petition": gettext_noop("a petition exists"),
    "court": gettext_noop("the court is involved"),
}


def _link(params: dict, facts: CaseFacts) -> Reason | None:
    link = params["link"]
    return Reason(LINK_REASONS[link], {}) if link in facts.links else None


def _keyword(params: dict, facts: CaseFacts) -> Reason | None:
    texts = []
    if "facts" in params["where"]:
        texts += [facts.case.title or "", facts.case.facts or ""]
    if "records" in params["where"]:
        texts += facts.records
    for word in params["words"]:
        if any(word in text for text in texts):
            return Reason(gettext_noop("“%(word)s” is written in the file"), {"word": word})
    return None


def _person(params: dict, facts: CaseFacts) -> Reason | None:
    hit = facts.party_flags & set(params["flags"])
    return Reason(gettext_noop("a party is flagged: %(flags)s"), {"flags": sorted(hit)}) if hit else None


EVALUATORS = {
    RuleKind.ATTRIBUTE: _attribute,
    RuleKind.HISTORY: _history,
    RuleKind.AGE: _age,
    RuleKind.LINK: _link,
    RuleKind.KEYWORD: _keyword,
    RuleKind.PERSON: _person,
}


def evaluate(kind: str, params: dict, facts: CaseFacts) -> Reason | None:
    """Why the rule fires on these facts, or None when it does not."""
    return EVALUATORS[kind](params, facts)

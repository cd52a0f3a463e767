"""Scoring a case: its facts gathered in a fixed number of queries, every active indicator evaluated,
the points added up to a level, and the result kept in `CaseRisk` with the reasons."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from cases import hooks
from cases.models import OPEN_STATUSES, Case, CaseEvent, Handoff, Party
from cases.risk import warnings
from cases.risk.models import CaseRisk, RiskIndicator, RiskLevel, RuleKind
from cases.risk.presenters import reason_text
from cases.risk.rules import CaseFacts, RuleError, check_rule, evaluate

logger = logging.getLogger("govcenter.risk")

# Points from which a case is at each level: 红 60, 橙 35, 黄 15.
LEVEL_FLOORS = ((60, RiskLevel.RED), (35, RiskLevel.ORANGE), (15, RiskLevel.YELLOW))
MAX_SCORE = 100
CHANNEL_LINKS = {"police": "police", "petition": "petition", "court": "court"}


def level_for(score: int) -> str:
    return next((level for floor, level in LEVEL_FLOORS if score >= floor), RiskLevel.NONE)


def active_indicators() -> list[RiskIndicator]:
    """The active indicators whose rules parse: one saved without the admin's check (from a shell or
    a bulk load) is skipped with a log line, never a crash of the nightly pass."""
    usable = []
    for indicator in RiskIndicator.objects.filter(is_active=True).order_by("-weight", "code"):
        try:
            indicator.params = check_rule(indicator.kind, indicator.params)
        except RuleError:
            logger.warning("risk indicator %s skipped: its rule does not parse", indicator.code)
            continue
        usable.append(indicator)
    return usable


def _history_months(indicators) -> int:
    months = [i.params.get("months", 0) for i in indicators if i.kind == RuleKind.HISTORY]
    return max([m for m in months if m] or [0])


def gather(case: Case, indicators, now=None) -> CaseFacts:
    """The facts the rules need: six queries, whatever the case."""
    now = now or timezone.now()
    case = Case.objects.select_related("category__parent", "visit").get(pk=case.pk)
    facts = CaseFacts(case=case, now=now)
    if case.category_id:
        categories = [case.category] + ([case.category.parent] if case.category.parent_id else [])
        facts.category_codes = {c.code for c in categories}
        facts.category_names = {c.code: (c.name, c.name_en) for c in categories}
    facts.links = {CHANNEL_LINKS[case.channel]} if case.channel in CHANNEL_LINKS else set()
    facts.links |= set(Handoff.objects.filter(case=case).values_list("source", flat=True))
    facts.failed_mediations = CaseEvent.objects.filter(case=case, verb="fail").count()
    parties = list(Party.objects.filter(case=case).values_list("id_number", "phone", "flags"))
    for _id, _phone, flags in parties:
        # Flags are a list of codes; anything else in the column (a string, an object) is no flag.
        if isinstance(flags, list):
            facts.party_flags |= {flag for flag in flags if isinstance(flag, str)}
    months = _history_months(indicators)
    ids = {id_number for id_number, _p, _f in parties if id_number}
    phones = {phone for _i, phone, _f in parties if phone}
    if months and (ids or phones):
        who = Q(parties__id_number__in=ids) | Q(parties__phone__in=phones)
        facts.party_case_times = list(
            Case.objects.filter(who, received_at__gte=now - timedelta(days=30 * months))
            .exclude(pk=case.pk)
            .distinct()
            .values_list("received_at", flat=True)
        )
    facts.records = hooks.risk_records([case.pk]).get(case.pk, [])
    if case.visit_id:
        facts.records.append(case.visit.notes)
    return facts


def fired_row(indicator: RiskIndicator, reason) -> dict:
    """What is kept of an indicator that fired: its names in both languages, the reason untranslated
    (`why_msgid`, `why_params`), shown in the reader's language (cases.risk.presenters), and `why`,
    its text in the portal's language, for whoever reads the row without the presenter."""
    row = {"code": indicator.code, "name": indicator.name, "name_en": indicator.name_en, "weight": indicator.weight}
    row |= {"why_msgid": reason.msgid, "why_params": reason.params}
    with translation.override(settings.LANGUAGE_CODE):
        row["why"] = reason_text(row)
    return row


def assess(case: Case, indicators=None, now=None) -> tuple[int, str, list[dict]]:
    """The score, the level and the indicators that fired (code, name, name_en, weight, why, why_msgid,
    why_params)."""
    indicators = active_indicators() if indicators is None else indicators
    facts = gather(case, indicators, now)
    fired = []
    for indicator in indicators:
        reason = evaluate(indicator.kind, indicator.params, facts)
        if reason:
            fired.append(fired_row(indicator, reason))
    score = min(MAX_SCORE, sum(row["weight"] for row in fired))
    return score, level_for(score), fired


@transaction.atomic
def score_case(case: Case, indicators=None, now=None) -> CaseRisk:
    """Score the case, keep the result (one row per case) and raise or raise the level of its warning."""
    score, level, fired = assess(case, indicators, now)
    risk, _created = CaseRisk.objects.update_or_create(
        case_id=case.pk,
        defaults={
            "center_code": case.center_code,
            "score": score,
            "level": level,
            "fired": fired,
            "computed_at": now or timezone.now(),
        },
    )
    warnings.raise_or_update(case, risk)
    return risk


def score_open_cases(batch: int = 500) -> int:
    """The nightly pass: every open case (age rules move with the clock), idempotent."""
    indicators = active_indicators()
    done = 0
    for case in (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .only("pk", "center_code")
        .order_by("pk")
        .iterator(chunk_size=batch)
    ):
        score_case(case, indicators)
        done += 1
    # A case that ended is no longer a risk to watch: its last score stays, its level goes.
    CaseRisk.objects.exclude(level=RiskLevel.NONE).exclude(case__status__in=OPEN_STATUSES).update(level=RiskLevel.NONE)
    return done

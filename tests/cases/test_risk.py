"""Early warning: each kind of rule firing and not, bad rules refused, the explanation, the levels, the
seeded catalog, a fixed number of queries per case and the nightly pass."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import hooks
from cases.models import Case, CaseEvent, Category, Handoff, Party
from cases.risk import scoring
from cases.risk.catalog import INDICATORS
from cases.risk.models import CaseRisk, RiskIndicator, RiskLevel, RuleKind
from cases.risk.rules import PERSON_FLAGS, RuleError, check_rule
from tests.fixtures_cases import valid_id


def rule(kind, params, weight=20, code="t"):
    return RiskIndicator(code=code, name=code, kind=kind, params=check_rule(kind, params), weight=weight)


def fired(case, *indicators):
    _score, _level, rows = scoring.assess(case, list(indicators))
    return rows


def why(case, indicator):
    rows = fired(case, indicator)
    return rows[0]["why"] if rows else None


def fail_mediation(case, times):
    for n in range(times):
        CaseEvent.objects.create(
            case=case, at=timezone.now(), verb="fail", center_code=case.center_code, version=100 + n
        )


def handoff(case, source, sender):
    return Handoff.objects.create(
        source=source,
        external_ref=f"REF-{source}-{case.pk}",
        case=case,
        center=case.center,
        center_code=case.center_code,
        sender_code="620102",
        sent_by=sender,
        sent_at=timezone.now(),
        status="accepted",
    )


# --- each kind of rule, firing and not -------------------------------------------------------


def test_attribute_category_takes_the_sub_types_of_a_type(make_case):
    neighbour = rule("attribute", {"field": "category", "value": ["d-neighbour"]})
    # The type that matched, by its name (邻里), not the sub-type of the case (噪音扰民) nor a code.
    assert "邻里" in why(make_case(category=Category.objects.get(code="d-neighbour--noise")), neighbour)
    assert why(make_case(category=Category.objects.get(code="d-labour--wages")), neighbour) is None
    assert why(make_case(), neighbour) is None  # no category at all


@pytest.mark.parametrize(
    ("params", "fields", "fires"),
    [
        ({"field": "amount", "value": 50000}, {"amount": Decimal("50000")}, True),
        ({"field": "amount", "value": 50000}, {"amount": Decimal("49999.99")}, False),
        ({"field": "amount", "value": 50000}, {}, False),  # no amount given
        ({"field": "people_count", "value": 5}, {"people_count": 6}, True),
        ({"field": "people_count", "value": 5}, {"people_count": 4}, False),
        ({"field": "is_group_incident"}, {"is_group_incident": True}, True),
        ({"field": "is_group_incident"}, {}, False),
        ({"field": "is_emergency"}, {"is_emergency": True}, True),
        ({"field": "is_petition_related"}, {"is_petition_related": True}, True),
        ({"field": "is_difficult"}, {"is_difficult": False}, False),
        ({"field": "severity", "value": ["critical"]}, {"severity": "critical"}, True),
        ({"field": "channel", "value": ["hotline"]}, {"channel": "walk_in"}, False),
    ],
)
def test_attribute_rules(make_case, params, fields, fires):
    assert (why(make_case(**fields), rule("attribute", params)) is not None) is fires


def test_attribute_reason_names_the_amount(make_case):
    reason = why(make_case(amount=Decimal("230000")), rule("attribute", {"field": "amount", "value": "200000"}))
    assert "230000" in reason and "200000" in reason


def test_history_the_same_people_in_several_cases(make_case):
    person = valid_id(901)
    three = rule("history", {"measure": "party_cases", "min": 3, "months": 12})
    make_case(applicant_id=person, received_at=timezone.now() - timedelta(days=200))
    second = make_case(applicant_id=person)
    assert why(second, three) is None  # two cases so far
    make_case(applicant_id=person, received_at=timezone.now() - timedelta(days=500))  # too long ago
    assert why(second, three) is None
    make_case(phone="13912345678", applicant_id=valid_id(902))
    third = make_case(applicant_id=person)
    reason = why(third, three)
    assert reason and "3" in reason and "12" in reason
    # A shorter window counts only the recent ones.
    assert why(third, rule("history", {"measure": "party_cases", "min": 3, "months": 6})) is None
    # The same phone number is the same person too.
    assert why(make_case(phone="13912345678"), rule("history", {"measure": "party_cases", "min": 2, "months": 1}))


def test_history_failed_mediations_and_reports(make_case):
    case = make_case()
    twice = rule("history", {"measure": "failed_mediations", "min": 2})
    fail_mediation(case, 1)
    assert why(case, twice) is None
    fail_mediation(case, 1)
    assert "2" in why(case, twice)
    reported = rule("history", {"measure": "reports", "min": 3})
    assert why(case, reported) is None
    Case.objects.filter(pk=case.pk).update(report_count=4)
    assert "4" in why(case, reported)


def test_age_counts_only_open_cases(make_case):
    ninety = rule("age", {"days": 90})
    old = make_case(received_at=timezone.now() - timedelta(days=100))
    assert "100" in why(old, ninety)
    assert why(make_case(received_at=timezone.now() - timedelta(days=80)), ninety) is None
    Case.objects.filter(pk=old.pk).update(status="closed")
    assert why(old, ninety) is None


def test_link_by_channel_or_by_handoff(make_case, member_at):
    police = rule("link", {"link": "police"})
    assert why(make_case(channel="police"), police) == "已有110报警记录"
    case = make_case()
    assert why(case, police) is None
    assert why(case, rule("link", {"link": "court"})) is None
    handoff(case, "court", member_at("parent"))
    assert why(case, rule("link", {"link": "court"}))
    assert why(case, police) is None


def test_keyword_in_the_facts_names_the_word(make_case):
    threats = rule("keyword", {"words": ["同归于尽", "报复"]})
    assert "报复" in why(make_case(facts="被申请人扬言要报复全家。"), threats)
    assert "同归于尽" in why(make_case(title="扬言同归于尽"), threats)
    assert why(make_case(facts="楼上漏水，多次协商未果。"), threats) is None


def test_keyword_in_the_records_only_where_asked(make_case, monkeypatch):
    case = make_case()
    monkeypatch.setattr(hooks, "_RISK_RECORDS", [lambda ids: {i: ["调解时当事人说要喝农药"] for i in ids}])
    assert "喝农药" in why(case, rule("keyword", {"words": ["喝农药"], "where": ["records"]}))
    assert why(case, rule("keyword", {"words": ["喝农药"], "where": ["facts"]})) is None


def test_person_flags(make_case):
    case = make_case()
    watch = rule("person", {"flags": ["mental_illness", "released"]})
    assert why(case, watch) is None
    Party.objects.filter(case=case, role="respondent").update(flags=["released"])
    assert "刑满释放人员" in why(case, watch)  # the flag's label, not its code
    assert why(case, rule("person", {"flags": ["drug"]})) is None


# --- bad rules are refused with the reason ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "says"),
    [
        ("attribute", {"field": "colour", "value": ["red"]}, "colour"),
        ("attribute", {"field": "amount", "value": "lots"}, "value"),
        ("attribute", {"field": "amount", "value": -1}, "value"),
        ("attribute", {"field": "category", "value": []}, "value"),
        ("history", {"measure": "rumours", "min": 2}, "rumours"),
        ("history", {"measure": "party_cases", "min": 3, "months": "twelve"}, "months"),
        ("history", {"measure": "failed_mediations", "min": 0}, "min"),
        ("age", {"days": "30"}, "days"),
        ("age", {"days": 30.5}, "days"),
        ("age", {"days": True}, "days"),
        ("age", {}, "days"),
        ("link", {"link": "media"}, "media"),
        ("keyword", {"words": []}, "words"),
        ("keyword", {"words": ["  "]}, "words"),
        ("keyword", {"words": "报复"}, "words"),
        ("keyword", {"words": ["报复"], "where": ["diary"]}, "where"),
        ("person", {"flags": ["gambler"]}, "gambler"),
        ("person", {"flags": []}, "flags"),
        ("weather", {}, "weather"),
        ("age", ["days", 30], ""),
    ],
)
def test_check_rule_refuses_with_the_reason(kind, params, says):
    with pytest.raises(RuleError) as error:
        check_rule(kind, params)
    assert says in str(error.value)


def test_check_rule_normalises():
    assert check_rule("keyword", {"words": [" 刀 "]}) == {"words": ["刀"], "where": ["facts", "records"]}
    assert check_rule("attribute", {"field": "amount", "value": 50000}) == {
        "field": "amount",
        "op": "gte",
        "value": "50000",
    }
    assert check_rule("history", {"measure": "reports", "min": 3, "months": 99}) == {"measure": "reports", "min": 3}


def test_check_rule_refuses_a_list_as_field():
    with pytest.raises(RuleError):
        check_rule("attribute", {"field": ["amount"], "value": 1})


@pytest.mark.parametrize(
    ("fields", "error_on"),
    [
        ({"kind": "keyword", "params": {"words": []}, "weight": 10}, "params"),
        ({"kind": "person", "params": {"flags": ["gambler"]}, "weight": 10}, "params"),
        ({"kind": "age", "params": {"days": 30}, "weight": 0}, "__all__"),
        ({"kind": "age", "params": {"days": 30}, "weight": 101}, "__all__"),
    ],
)
def test_model_validation_refuses_bad_indicators(db, fields, error_on):
    indicator = RiskIndicator(code="bad", name="坏规则", **fields)
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert error_on in error.value.message_dict


def test_model_validation_normalises_a_good_rule(db):
    indicator = RiskIndicator(code="ok", name="好规则", kind="keyword", params={"words": [" 刀"]}, weight=30)
    indicator.full_clean()
    assert indicator.params == {"words": ["刀"], "where": ["facts", "records"]}


# --- the score, its explanation and its level ------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, ""), (14, ""), (15, "yellow"), (34, "yellow"), (35, "orange"), (59, "orange"), (60, "red"), (100, "red")],
)
def test_levels_from_the_floors(score, level):
    assert scoring.level_for(score) == level


def test_score_explains_which_facts_raised_the_level(make_case):
    case = make_case(facts="他说要拿刀跟我同归于尽。", category=Category.objects.get(code="d-neighbour--passage"))
    indicators = [
        rule("keyword", {"words": ["同归于尽"]}, weight=40, code="kw-kill"),
        rule("keyword", {"words": ["刀"]}, weight=30, code="kw-blade"),
        rule("attribute", {"field": "category", "value": ["d-neighbour"]}, weight=10, code="attr-neighbour"),
        rule("person", {"flags": ["drug"]}, weight=30, code="person-drug"),
    ]
    score, level, rows = scoring.assess(case, indicators)
    assert (score, level) == (80, RiskLevel.RED)
    assert [row["code"] for row in rows] == ["kw-kill", "kw-blade", "attr-neighbour"]
    assert set(rows[0]) == {"code", "name", "name_en", "weight", "why", "why_msgid", "why_params"}
    assert "同归于尽" in rows[0]["why"] and "刀" in rows[1]["why"] and "邻里" in rows[2]["why"]
    assert rows[0]["weight"] == 40


def test_score_is_capped_and_a_quiet_case_has_no_level(make_case):
    loud = make_case(facts="报复 同归于尽 刀 汽油")
    many = [rule("keyword", {"words": [w]}, weight=40, code=w) for w in ("报复", "同归于尽", "刀", "汽油")]
    assert scoring.assess(loud, many)[:2] == (100, RiskLevel.RED)
    assert scoring.assess(make_case(), many) == (0, RiskLevel.NONE, [])


def test_the_catalog_one_strong_sign_is_orange_two_are_red(make_case):
    indicators = scoring.active_indicators()
    one = make_case(facts="他扬言要同归于尽。")
    assert scoring.assess(one, indicators)[1] == RiskLevel.ORANGE
    two = make_case(facts="他扬言要同归于尽。")
    Party.objects.filter(case=two).update(flags=["mental_illness"])
    assert scoring.assess(two, indicators)[1] == RiskLevel.RED
    assert scoring.assess(make_case(facts="楼上漏水，多次协商未果。"), indicators)[1] == RiskLevel.NONE


# --- the seeded catalog ----------------------------------------------------------------------


def test_catalog_is_large_valid_and_covers_every_kind():
    assert len(INDICATORS) >= 40
    assert len({row["code"] for row in INDICATORS}) == len(INDICATORS)
    assert set(Counter(row["kind"] for row in INDICATORS)) == set(RuleKind.values)
    for row in INDICATORS:
        check_rule(row["kind"], row["params"])
        RiskIndicator(**row).full_clean(validate_unique=False, validate_constraints=False)
        assert 1 <= row["weight"] <= 100
    flagged = {flag for row in INDICATORS if row["kind"] == "person" for flag in row["params"]["flags"]}
    assert flagged == set(PERSON_FLAGS)


def test_catalog_category_codes_exist(db):
    codes = {c for row in INDICATORS if row["params"].get("field") == "category" for c in row["params"]["value"]}
    assert set(Category.objects.filter(code__in=codes).values_list("code", flat=True)) == codes


def test_catalog_is_seeded_by_the_migration(db):
    assert set(RiskIndicator.objects.values_list("code", flat=True)) >= {row["code"] for row in INDICATORS}


def test_the_seed_keeps_what_an_administrator_edited(db):
    from importlib import import_module

    from django.apps import apps

    seed = import_module("cases.migrations.0009_risk_indicators").seed
    RiskIndicator.objects.filter(code="age-30").update(weight=9)
    RiskIndicator.objects.filter(code="age-90").delete()
    seed(apps, None)
    assert RiskIndicator.objects.get(code="age-30").weight == 9
    assert RiskIndicator.objects.filter(code="age-90").exists()


# --- a fixed number of queries ---------------------------------------------------------------


def _queries(case):
    with CaptureQueriesContext(connection) as queries:
        scoring.score_case(case)
    return len(queries)


def test_scoring_runs_a_fixed_number_of_queries(make_case):
    small = make_case()
    Party.objects.filter(case=small, role="respondent").delete()
    big = make_case()
    for n in range(4):
        Party.objects.create(case=big, role="third_party", name=f"第三人{n}", id_number=valid_id(800 + n))
    assert Party.objects.filter(case=small).count() == 1 and Party.objects.filter(case=big).count() == 6
    fail_mediation(big, 2)
    scoring.score_case(small), scoring.score_case(big)  # the row exists: every pass below updates it

    codes = list(RiskIndicator.objects.order_by("code").values_list("code", flat=True))
    RiskIndicator.objects.exclude(code__in=codes[:10]).update(is_active=False)
    RiskIndicator.objects.filter(code="hist-parties-3-12m").update(is_active=True)  # party lookups in both
    few = {_queries(small), _queries(big)}
    RiskIndicator.objects.filter(code__in=codes[:40]).update(is_active=True)
    many = {_queries(small), _queries(big)}
    assert len(few) == 1 and few == many


# --- the nightly pass ------------------------------------------------------------------------


def test_nightly_pass_scores_open_cases_only_and_is_idempotent(make_case):
    risky = make_case(facts="扬言要报复，还说要拿刀。")
    quiet = make_case()
    closed = make_case(facts="扬言要报复。")
    Case.objects.filter(pk=closed.pk).update(status="closed")
    assert scoring.score_open_cases() == 2
    assert set(CaseRisk.objects.values_list("case_id", flat=True)) == {risky.pk, quiet.pk}
    first = {r.case_id: (r.score, r.level, r.fired) for r in CaseRisk.objects.all()}
    assert first[risky.pk][1] == RiskLevel.RED and first[quiet.pk][1] == RiskLevel.NONE
    assert scoring.score_open_cases() == 2
    assert CaseRisk.objects.count() == 2
    assert {r.case_id: (r.score, r.level, r.fired) for r in CaseRisk.objects.all()} == first


def test_nightly_pass_skips_a_rule_saved_without_validation(make_case):
    make_case()
    RiskIndicator.objects.create(code="raw", name="未校验", kind="keyword", params={"words": ["刀"]}, weight=10)
    scoring.score_open_cases()

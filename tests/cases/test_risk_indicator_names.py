"""A risk indicator's name is shown in the reader's language: the seeded indicators carry an English
name (from the catalog, filled by migration 0014), each reason keeps both names when the case is
scored, and pages and APIs show the English one to English readers; an indicator without one, and
a reason kept before there were English names, show the Chinese name."""

import importlib
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from cases.risk.catalog import INDICATORS
from cases.risk.models import CaseRisk, RiskIndicator, RiskWarning
from cases.risk.presenters import reasons_shown

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
KILL_ZH, KILL_EN = "扬言杀人", "Threat to kill"
RELEASED_ZH, RELEASED_EN = "刑满释放人员", "Released prisoner"
# An indicator added in the admin, given no English name.
BARE_ZH = "提及讨说法"


@pytest.fixture
def scored(db, make_case, django_capture_on_commit_callbacks):
    """A red case, scored in Chinese by the seeded kill-threat and released-prisoner indicators and
    one added without an English name, with its open warning."""
    RiskIndicator.objects.exclude(code__in=["kw-kill-threat", "person-released"]).update(is_active=False)
    RiskIndicator.objects.create(code="t-bare", name=BARE_ZH, kind="keyword", params={"words": ["讨说法"]}, weight=5)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="被申请人扬言要同归于尽，还要讨说法。")
        case.parties.update(flags=["released"])
        # Scored by the task the case queued, when the block ends: after the flags are set.
    return case


def names(rows) -> set[str]:
    return {row["name"] for row in rows}


# --- the catalog and the migration -----------------------------------------------------------


def test_every_catalog_indicator_has_an_english_name():
    english = [row["name_en"] for row in INDICATORS]
    assert len(english) == 44
    for row in INDICATORS:
        name_en = row["name_en"]
        assert name_en and name_en == name_en.strip() and not CJK.search(name_en), row["code"]
        assert len(name_en) <= RiskIndicator._meta.get_field("name_en").max_length
    assert len(set(english)) == len(english), "two indicators share an English name"


def test_the_seeded_indicators_have_their_english_names(db):
    seeded = dict(RiskIndicator.objects.values_list("code", "name_en"))
    assert {row["code"]: seeded.get(row["code"]) for row in INDICATORS} == {
        row["code"]: row["name_en"] for row in INDICATORS
    }


def test_the_fill_leaves_unknown_codes_blank_and_english_names_already_given(db):
    fill = importlib.import_module("cases.migrations.0014_risk_indicator_name_en").fill_english_names
    RiskIndicator.objects.filter(code="attr-group").update(name_en="")
    RiskIndicator.objects.filter(code="attr-difficult").update(name_en="Hard case")
    RiskIndicator.objects.create(code="t-local", name="本地指标", kind="keyword", params={"words": ["某"]}, weight=5)
    fill(apps, None)
    assert RiskIndicator.objects.get(code="attr-group").name_en == "Group incident"
    assert RiskIndicator.objects.get(code="attr-difficult").name_en == "Hard case"
    assert RiskIndicator.objects.get(code="t-local").name_en == ""


def test_the_label_is_the_name_in_the_active_language():
    indicator = RiskIndicator(name="群体性事件", name_en="Group incident")
    bare = RiskIndicator(name=BARE_ZH)
    with translation.override("en"):
        assert indicator.label == "Group incident" and bare.label == BARE_ZH
    with translation.override("zh-hans"):
        assert indicator.label == "群体性事件" and bare.label == BARE_ZH


# --- scoring and showing ---------------------------------------------------------------------


def test_a_reason_keeps_both_names_of_its_indicator(scored):
    rows = {row["code"]: row for row in CaseRisk.objects.get(case=scored).fired}
    assert set(rows) == {"kw-kill-threat", "person-released", "t-bare"}
    assert (rows["kw-kill-threat"]["name"], rows["kw-kill-threat"]["name_en"]) == (KILL_ZH, KILL_EN)
    assert (rows["t-bare"]["name"], rows["t-bare"]["name_en"]) == (BARE_ZH, "")


def test_a_reason_kept_without_an_english_name_shows_its_chinese_name():
    old = {"code": "kw-kill-threat", "name": KILL_ZH, "weight": 40, "why": "事实中有“砍死”"}
    with translation.override("en"):
        assert reasons_shown([old])[0]["name"] == KILL_ZH
        assert reasons_shown([{**old, "name_en": None}])[0]["name"] == KILL_ZH
        assert reasons_shown([{**old, "name_en": KILL_EN}])[0]["name"] == KILL_EN
    with translation.override("zh-hans"):
        assert reasons_shown([{**old, "name_en": KILL_EN}])[0]["name"] == KILL_ZH


def test_an_english_reader_sees_the_english_names_on_the_case_and_warning_pages(scored, clerk, client):
    warning = RiskWarning.objects.get(case=scored)
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (f"/cases/{scored.pk}/", f"/warnings/{warning.pk}/"):
        body = client.get(url).content.decode()
        assert f"<strong>{KILL_EN}</strong>" in body and f"<strong>{RELEASED_EN}</strong>" in body, url
        assert f"<strong>{KILL_ZH}</strong>" not in body and f"<strong>{RELEASED_ZH}</strong>" not in body, url
        assert f"<strong>{BARE_ZH}</strong>" in body, url  # no English name: the Chinese one


def test_a_chinese_reader_sees_the_chinese_names_on_the_case_and_warning_pages(scored, clerk, client):
    warning = RiskWarning.objects.get(case=scored)
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    for url in (f"/cases/{scored.pk}/", f"/warnings/{warning.pk}/"):
        body = client.get(url).content.decode()
        assert f"<strong>{KILL_ZH}</strong>" in body and f"<strong>{RELEASED_ZH}</strong>" in body, url
        assert KILL_EN not in body and RELEASED_EN not in body, url
        assert f"<strong>{BARE_ZH}</strong>" in body, url


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", {KILL_EN, RELEASED_EN, BARE_ZH}), ("zh-hans", {KILL_ZH, RELEASED_ZH, BARE_ZH})],
)
def test_the_apis_give_the_names_in_the_language_of_the_request(scored, clerk, api_as, language, expected):
    client = api_as(clerk)
    fired = client.get(f"/api/v1/cases/{scored.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()["risk"]["fired"]
    assert names(fired) == expected
    assert set(fired[0]) == {"code", "name", "weight", "why"}  # the same shape as before
    warning = RiskWarning.objects.get(case=scored)
    reasons = client.get(f"/api/v1/risk-warnings/{warning.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()["reasons"]
    assert names(reasons) == expected


# --- the admin -------------------------------------------------------------------------------


def test_the_admin_lists_both_names_and_edits_the_english_one(client, superuser, tree):
    client.force_login(superuser)
    page = client.get("/admin/cases/riskindicator/?q=attr-group")
    assert page.status_code == 200
    body = page.content.decode()
    assert "群体性事件" in body and 'name="form-0-name_en"' in body and 'value="Group incident"' in body
    indicator = RiskIndicator.objects.get(code="kw-kill-threat")
    data = {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": "Threat to take a life",
        "kind": indicator.kind,
        "params": '{"words": ["弄死"]}',
        "weight": str(indicator.weight),
        "description": indicator.description,
        "is_active": "on",
    }
    assert client.post(f"/admin/cases/riskindicator/{indicator.pk}/change/", data).status_code == 302
    assert RiskIndicator.objects.get(pk=indicator.pk).name_en == "Threat to take a life"

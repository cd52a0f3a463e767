"""The reasons of a risk score are read in the reader's language, whatever language the case was
scored in: kept as the source message and its values, put into words when shown (pages and API);
reasons kept before that, as text only, still show."""

import pytest
from django.conf import settings
from django.utils import translation

from cases.models import Case, Category, Party
from cases.risk.models import CaseRisk, RiskIndicator, RiskWarning
from cases.risk.presenters import reason_text, reasons_shown

THREAT_ZH = "案卷中出现“同归于尽”"
THREAT_EN = "“同归于尽” is written in the file"
FLAG_ZH = "当事人有标记：刑满释放人员"
FLAG_EN = "a party is flagged: Recently released from prison"
CHANNEL_ZH = "来源渠道为110警情"
CHANNEL_EN = "channel is 110 police alert"
# What a warning kept before the reasons were stored untranslated: the text, in Chinese.
OLD_REASON = {"code": "t-old", "name": "旧指标", "weight": 40, "why": "事实中有“砍死”"}


@pytest.fixture
def indicators(db):
    RiskIndicator.objects.all().delete()  # only these, whatever the catalog holds
    RiskIndicator.objects.create(
        code="t-threat", name="扬言同归于尽", kind="keyword", params={"words": ["同归于尽"]}, weight=40
    )
    RiskIndicator.objects.create(
        code="t-released", name="刑满释放人员", kind="person", params={"flags": ["released"]}, weight=25
    )
    RiskIndicator.objects.create(
        code="t-police",
        name="110来源",
        kind="attribute",
        params={"field": "channel", "value": ["police"]},
        weight=5,
    )
    RiskIndicator.objects.create(
        code="t-neighbour",
        name="邻里纠纷",
        kind="attribute",
        params={"field": "category", "value": ["d-neighbour"]},
        weight=5,
    )


@pytest.fixture
def scored(indicators, make_case, django_capture_on_commit_callbacks):
    """A red case scored by the worker in Chinese, with its open warning."""
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            facts="被申请人扬言要同归于尽。",
            channel="police",
            category=Category.objects.get(code="d-neighbour--noise"),
        )
        Party.objects.filter(case=case, role=Party.Role.RESPONDENT).update(flags=["released"])
        # Scored by the task the case queued, when the block ends: after the flags are set.
    return Case.objects.get(pk=case.pk)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def whys(rows) -> dict[str, str]:
    return {row["code"]: row["why"] for row in rows}


def test_reasons_are_kept_untranslated_with_their_text_in_the_portal_language(scored):
    rows = {row["code"]: row for row in CaseRisk.objects.get(case=scored).fired}
    assert rows["t-released"]["why_msgid"] == "a party is flagged: %(flags)s"
    assert rows["t-released"]["why_params"] == {"flags": ["released"]}  # the code, not the label
    assert rows["t-police"]["why_params"] == {"field": "channel", "value": "police"}
    assert rows["t-released"]["why"] == FLAG_ZH and rows["t-threat"]["why"] == THREAT_ZH


def test_a_case_scored_while_english_is_active_still_keeps_its_text_in_chinese(indicators, make_case):
    from cases.risk.scoring import assess

    case = make_case(facts="他说要同归于尽")
    with translation.override("en"):
        _score, _level, rows = assess(case)
    assert whys(rows)["t-threat"] == THREAT_ZH


def test_the_case_page_shows_the_reasons_in_english_to_an_english_reader(scored, clerk, client):
    client.force_login(clerk)
    body = english(client).get(f"/cases/{scored.pk}/").content.decode()
    assert THREAT_EN in body and FLAG_EN in body and CHANNEL_EN in body
    assert "category is Neighbours" in body  # the category's English name
    assert THREAT_ZH not in body and FLAG_ZH not in body and CHANNEL_ZH not in body


def test_the_case_page_shows_the_reasons_in_chinese_to_a_chinese_reader(scored, clerk, client):
    client.force_login(clerk)
    body = client.get(f"/cases/{scored.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert THREAT_ZH in body and FLAG_ZH in body and CHANNEL_ZH in body
    assert THREAT_EN not in body and FLAG_EN not in body


def test_the_warning_page_shows_why_it_fired_in_the_readers_language(scored, clerk, client):
    warning = RiskWarning.objects.get(case=scored)
    client.force_login(clerk)
    body = english(client).get(f"/warnings/{warning.pk}/").content.decode()
    assert "Why it fired" in body and THREAT_EN in body and FLAG_EN in body
    assert FLAG_ZH not in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(f"/warnings/{warning.pk}/").content.decode()
    assert THREAT_ZH in body and FLAG_ZH in body and FLAG_EN not in body


@pytest.mark.parametrize(("language", "threat", "flag"), [("en", THREAT_EN, FLAG_EN), ("zh-hans", THREAT_ZH, FLAG_ZH)])
def test_the_api_gives_why_in_the_language_of_the_request(scored, clerk, api_as, language, threat, flag):
    client = api_as(clerk)
    fired = client.get(f"/api/v1/cases/{scored.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()["risk"]["fired"]
    assert whys(fired)["t-threat"] == threat and whys(fired)["t-released"] == flag
    # The shape of before: the indicator and the fact, nothing of how it is kept.
    assert set(fired[0]) == {"code", "name", "weight", "why"} and fired[0]["name"] == "扬言同归于尽"
    warning = RiskWarning.objects.get(case=scored)
    reasons = client.get(f"/api/v1/risk-warnings/{warning.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()["reasons"]
    assert whys(reasons)["t-threat"] == threat and whys(reasons)["t-released"] == flag
    assert set(reasons[0]) == {"code", "name", "weight", "why"}


def test_reasons_kept_as_text_only_still_show_as_they_were_written(scored, clerk, client, api_as):
    CaseRisk.objects.filter(case=scored).update(fired=[OLD_REASON])
    warning = RiskWarning.objects.get(case=scored)
    RiskWarning.objects.filter(pk=warning.pk).update(reasons=[OLD_REASON])
    client.force_login(clerk)
    assert OLD_REASON["why"] in english(client).get(f"/cases/{scored.pk}/").content.decode()
    assert OLD_REASON["why"] in client.get(f"/warnings/{warning.pk}/").content.decode()
    api = api_as(clerk)
    fired = api.get(f"/api/v1/cases/{scored.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["risk"]["fired"]
    assert fired == [OLD_REASON]
    reasons = api.get(f"/api/v1/risk-warnings/{warning.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["reasons"]
    assert reasons == [OLD_REASON]


def test_a_message_that_no_longer_fits_its_values_falls_back_to_the_kept_text():
    row = {**OLD_REASON, "why_msgid": "open for %(n)d days", "why_params": {"days": 3}}
    assert reason_text(row) == OLD_REASON["why"]
    with translation.override("zh-hans"):
        assert reason_text({"why_msgid": "open for %(n)d days", "why_params": {"n": 3}}) == "已持续3天未化解"
    assert reasons_shown(None) == [] and reasons_shown(["not a row"]) == []

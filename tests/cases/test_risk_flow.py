"""Cases are scored again when they change, and the score shows on the case with its reasons."""

import pytest

from cases.models import Party
from cases.risk.models import CaseRisk, RiskIndicator, RiskLevel


@pytest.fixture
def indicators(db):
    RiskIndicator.objects.all().delete()  # only these two, whatever the catalog holds
    RiskIndicator.objects.create(
        code="t-threat",
        name="扬言同归于尽",
        kind="keyword",
        params={"words": ["同归于尽"], "where": ["facts"]},
        weight=40,
    )
    RiskIndicator.objects.create(
        code="t-released", name="刑满释放人员", kind="person", params={"flags": ["released"]}, weight=25
    )


def test_a_new_case_is_scored_with_its_reasons(
    indicators, make_case, clerk, api_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="被申请人扬言要同归于尽。")
    risk = CaseRisk.objects.get(case=case)
    assert (risk.score, risk.level) == (40, RiskLevel.ORANGE)
    assert risk.fired[0]["code"] == "t-threat" and "同归于尽" in risk.fired[0]["why"]
    data = api_as(clerk).get(f"/api/v1/cases/{case.pk}/").json()
    assert data["risk"]["level"] == "orange" and data["risk"]["fired"][0]["name"] == "扬言同归于尽"


def test_a_flag_on_a_party_raises_the_level(indicators, make_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="被申请人扬言要同归于尽。")
    party = Party.objects.filter(case=case).first()
    party.flags = ["released"]
    with django_capture_on_commit_callbacks(execute=True):
        party.save()
    risk = CaseRisk.objects.get(case=case)
    assert (risk.score, risk.level) == (65, RiskLevel.RED)


def test_the_case_page_explains_the_warning(indicators, make_case, client, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="他说要同归于尽")
    client.force_login(clerk)
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert "扬言同归于尽" in body and "risk-orange" in body


def test_the_nightly_pass_drops_the_level_of_a_case_that_ended(
    indicators, make_case, django_capture_on_commit_callbacks
):
    from cases.models import Case, Status
    from cases.risk.scoring import score_open_cases

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="扬言同归于尽")
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    score_open_cases()
    assert CaseRisk.objects.get(case=case).level == RiskLevel.NONE


def test_scoring_to_orange_raises_a_warning_with_its_visits(indicators, make_case, django_capture_on_commit_callbacks):
    from cases.risk.models import RiskWarning

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="被申请人扬言要同归于尽。")
    warning = RiskWarning.objects.get(case=case)
    assert warning.level == RiskLevel.ORANGE and warning.tasks.count() == 3
    assert warning.reasons[0]["code"] == "t-threat"


def test_the_reasons_are_for_those_who_may_see_the_parties_in_full(
    indicators, make_case, member_at, api_as, django_capture_on_commit_callbacks
):
    from govcenter import access
    from govcenter.access import Action
    from govcenter.models import Role

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="扬言同归于尽")
    auditor = member_at("parent", Role.AUDITOR)
    assert not access.can(auditor, Action.CASE_PII_VIEW, case)
    data = api_as(auditor).get(f"/api/v1/cases/{case.pk}/").json()["risk"]
    assert data["level"] == "orange" and data["fired"] is None


def test_a_closed_warning_is_not_raised_again_by_the_same_facts(
    indicators, make_case, clerk, django_capture_on_commit_callbacks
):
    from cases.risk import warnings
    from cases.risk.models import RiskWarning
    from cases.risk.scoring import score_case

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(facts="扬言同归于尽")
    warning = RiskWarning.objects.get(case=case)
    warnings.warning_close(actor=clerk, warning=warning, note="已调解，双方和解")
    score_case(case)
    assert RiskWarning.objects.filter(case=case).count() == 1
    Party.objects.filter(case=case).update(flags=["released"])
    score_case(case)  # red now: a higher level raises a new warning
    assert RiskWarning.objects.filter(case=case, status="open", level="red").count() == 1


def test_the_intake_notes_a_flag_on_a_party_and_the_person_rule_fires(
    indicators, clerk, api_as, category, django_capture_on_commit_callbacks
):
    payload = {
        "center": "620102001",
        "kind": "dispute",
        "channel": "walk_in",
        "title": "邻里纠纷",
        "parties": [
            {"role": "applicant", "name": "张三"},
            {"role": "respondent", "name": "李四", "flags": ["released"]},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(clerk).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 201, response.content
    risk = CaseRisk.objects.get(case_id=response.json()["id"])
    assert [row["code"] for row in risk.fired] == ["t-released"]
    bad = api_as(clerk).post(
        "/api/v1/cases/",
        {**payload, "parties": [{"role": "applicant", "name": "王五", "flags": ["werewolf"]}]},
        format="json",
    )
    assert bad.status_code == 400

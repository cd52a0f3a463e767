"""The indicators are edited in the admin; a rule that does not parse is refused there with the reason."""

import json

import pytest

from cases.risk import scoring
from cases.risk.models import RiskIndicator


@pytest.mark.parametrize(
    "path", ["/admin/cases/riskindicator/", "/admin/cases/riskindicator/add/", "/admin/cases/caserisk/"]
)
def test_risk_admin_pages_open(client, superuser, tree, path):
    client.force_login(superuser)
    assert client.get(path).status_code == 200


def _post(client, **fields):
    data = {"code": "kw-new", "name": "新指标", "kind": "keyword", "weight": "30", "description": "", "is_active": "on"}
    data.update(fields)
    return client.post("/admin/cases/riskindicator/add/", data)


def test_a_bad_rule_is_refused_in_the_admin_with_the_reason(client, superuser, tree):
    client.force_login(superuser)
    before = RiskIndicator.objects.count()
    response = _post(client, params=json.dumps({"words": []}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "params" in errors and "words" in errors["params"][0]
    response = _post(client, kind="person", params=json.dumps({"flags": ["gambler"]}))
    assert "gambler" in response.context["adminform"].form.errors["params"][0]
    assert RiskIndicator.objects.count() == before


def test_a_good_rule_is_saved_normalised(client, superuser, tree):
    client.force_login(superuser)
    assert _post(client, params=json.dumps({"words": [" 砍刀 "]})).status_code == 302
    assert RiskIndicator.objects.get(code="kw-new").params == {"words": ["砍刀"], "where": ["facts", "records"]}


def test_case_risks_are_read_only(client, superuser, make_case):
    risk = scoring.score_case(make_case(facts="扬言报复"))
    client.force_login(superuser)
    page = client.get(f"/admin/cases/caserisk/{risk.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/cases/caserisk/?level=orange").status_code == 200

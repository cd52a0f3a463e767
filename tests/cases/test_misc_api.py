import pytest

from cases import services
from cases.models import Notification


def test_categories_are_listed_in_two_levels(api_as, clerk):
    rows = api_as(clerk).get("/api/v1/categories/").json()
    codes = {row["code"]: row for row in rows}
    assert len([r for r in rows if r["group"] == "dispute" and r["parent"] is None]) == 15
    assert codes["d-labour--wages"]["parent"] == "d-labour" and codes["d-labour--wages"]["name"] == "欠薪"
    assert {
        "r-civil-affairs",
        "r-education",
        "r-employment",
        "r-social-security",
        "r-household",
        "r-health",
        "r-elderly",
    } <= set(codes)


def test_category_labels_follow_the_language(api_as, clerk):
    rows = api_as(clerk).get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {row["code"]: row["label"] for row in rows}["d-labour--wages"] == "Unpaid wages"


def test_a_new_case_notifies_the_center_and_the_clerk_marks_it_read(make_case, clerk, api_as):
    case = make_case()
    client = api_as(clerk)
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [row["case_number"] for row in unread] == [case.number]
    assert client.post(f"/api/v1/notifications/{unread[0]['id']}/read/").status_code == 200
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []


def test_nobody_reads_anyone_elses_notifications(make_case, clerk, member_at, api_as):
    make_case()
    other = member_at("sibling", "clerk")
    notification = Notification.objects.get(recipient=clerk)
    assert api_as(other).post(f"/api/v1/notifications/{notification.pk}/read/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/admin/cases/case/", "/admin/cases/category/", "/admin/cases/slapolicy/", "/admin/cases/slapolicy/add/"]
)
def test_case_admin_pages_open(client, superuser, make_case, path):
    make_case()
    client.force_login(superuser)
    assert client.get(path).status_code == 200


def test_case_admin_detail_is_read_only(client, superuser, make_case):
    case = make_case()
    client.force_login(superuser)
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_the_schema_documents_every_workflow_verb(api_as, superuser):
    paths = api_as(superuser).get("/api/schema/", {"format": "json"}).json()["paths"]
    for verb in services.TRANSITIONS:
        if verb != "fail":
            assert f"/api/v1/cases/{{id}}/{verb}/" in paths, verb


def test_notifications_are_written_in_the_portals_language_whoever_acts(make_case, clerk):
    from django.utils import translation

    with translation.override("en"):
        case = make_case()
    assert Notification.objects.get(recipient=clerk, case=case).text.startswith("新")

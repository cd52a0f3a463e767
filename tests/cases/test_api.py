import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, CaseNumberCounter, Category, Status
from govcenter.models import AuditEvent, Center, Department, Membership, Role
from tests.conftest import make_member
from tests.fixtures_cases import ID_APPLICANT, valid_id

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _intake(**overrides):
    payload = {
        "center": "620102001",
        "kind": "dispute",
        "channel": "walk_in",
        "title": "宅基地边界纠纷",
        "facts": "两户因院墙位置发生争执。",
        "parties": [
            {"role": "applicant", "name": "王大山", "id_number": ID_APPLICANT, "phone": "13912345678"},
            {"role": "respondent", "name": "赵小河"},
        ],
    }
    payload.update(overrides)
    return payload


class TestIntake:
    def test_a_clerk_records_a_case_with_a_number_per_county_and_year(self, clerk, api_as, tree):
        response = api_as(clerk).post("/api/v1/cases/", _intake(), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["number"].startswith("620102-") and body["number"].endswith("-000001")
        assert (body["status"], body["center"], body["origin"]) == ("received", "620102001", "620102001")
        assert body["parties"][0]["id_number"] == ID_APPLICANT  # the clerk may see it in full
        assert body["receipt"]

    def test_numbers_follow_on_within_a_county(self, clerk, api_as, member_at):
        village_clerk = member_at("child", Role.CLERK)
        first = api_as(clerk).post("/api/v1/cases/", _intake(), format="json").json()["number"]
        second = (
            api_as(village_clerk)
            .post(
                "/api/v1/cases/",
                _intake(center="620102001001", parties=[{"role": "applicant", "name": "甲"}]),
                format="json",
            )
            .json()["number"]
        )
        assert (first[-6:], second[-6:]) == ("000001", "000002")

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"category": "d-nonsense"}, "category"),
            ({"channel": "pigeon"}, "channel"),
            ({"kind": "gossip"}, "kind"),
            ({"center": "62010200"}, "center"),
            ({"amount": "-5"}, "amount"),
            ({"title": ""}, "title"),
            ({"parties": []}, "parties"),
            ({"parties": [{"role": "respondent", "name": "只有被申请人"}]}, "parties"),
            ({"parties": [{"role": "applicant", "name": "甲", "id_number": "110105194912310021"}]}, "parties"),
            ({"parties": [{"role": "applicant", "name": "甲", "id_number": "1101051949"}]}, "parties"),
            ({"parties": [{"role": "applicant", "name": "甲", "phone": "call me"}]}, "parties"),
        ],
    )
    def test_bad_input_is_400_naming_what_is_wrong_and_saves_nothing(self, clerk, api_as, change, field):
        response = api_as(clerk).post("/api/v1/cases/", _intake(**change), format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert Case.objects.count() == 0
        assert CaseNumberCounter.objects.filter(last__gt=0).count() == 0  # no number was used up

    def test_a_city_center_does_not_handle_cases(self, superuser, api_as):
        response = api_as(superuser).post("/api/v1/cases/", _intake(center="6201"), format="json")
        assert response.status_code == 400 and "center" in response.json()

    def test_malformed_id_number_message_says_why(self, clerk, api_as):
        bad = _intake(parties=[{"role": "applicant", "name": "甲", "id_number": "110105194912310021"}])
        response = api_as(clerk).post("/api/v1/cases/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert "check digit" in response.json()["parties"][0]

    def test_a_repeated_report_is_offered_for_linking(self, clerk, api_as):
        client = api_as(clerk)
        first = client.post("/api/v1/cases/", _intake(), format="json").json()
        again = client.post("/api/v1/cases/", _intake(title="又来反映院墙的事"), format="json")
        assert again.status_code == 409
        assert again.json()["duplicates"][0]["number"] == first["number"]
        linked = client.post("/api/v1/cases/", _intake(link_to=first["id"]), format="json")
        assert linked.status_code == 200 and linked.json()["report_count"] == 2
        forced = client.post("/api/v1/cases/", _intake(force_new=True), format="json")
        assert forced.status_code == 201
        assert Case.objects.count() == 2

    def test_outsiders_may_not_record_cases_here(self, member_at, api_as):
        sibling_clerk = member_at("sibling", Role.CLERK)
        response = api_as(sibling_clerk).post("/api/v1/cases/", _intake(), format="json")
        assert response.status_code == 403
        auditor = member_at("own", Role.AUDITOR)
        assert api_as(auditor).post("/api/v1/cases/", _intake(), format="json").status_code == 403


class TestPersonalData:
    def test_lists_and_readers_without_the_right_see_masked_numbers(self, clerk, member_at, api_as):
        case_id = api_as(clerk).post("/api/v1/cases/", _intake(), format="json").json()["id"]
        auditor = member_at("own", Role.AUDITOR)
        party = api_as(auditor).get(f"/api/v1/cases/{case_id}/").json()["parties"][0]
        assert party["id_number"] == "1101**********002X"
        assert party["phone"] == "139****5678"
        assert not AuditEvent.objects.filter(action="case.pii_view", actor=auditor).exists()

    def test_each_full_view_is_audited(self, clerk, api_as):
        client = api_as(clerk)
        case_id = client.post("/api/v1/cases/", _intake(), format="json").json()["id"]
        client.get(f"/api/v1/cases/{case_id}/")
        client.get(f"/api/v1/cases/{case_id}/")
        assert AuditEvent.objects.filter(action="case.pii_view", actor=clerk).count() == 3  # create + 2 reads


# --- The permission matrix for cases -----------------------------------------------------------------
# A case at the own township; who sees it (GET) and who may classify it (POST).

CASE_READERS = {
    # role at relation → expected status of GET /cases/{id}/
    (Role.CLERK, "own"): 200,
    (Role.CLERK, "parent"): 200,
    (Role.CLERK, "child"): 404,
    (Role.CLERK, "sibling"): 404,
    (Role.CLERK, "unrelated"): 404,
    (Role.DIRECTOR, "own"): 200,
    (Role.DIRECTOR, "parent"): 200,
    (Role.DIRECTOR, "child"): 404,
    (Role.DIRECTOR, "sibling"): 404,
    (Role.DIRECTOR, "unrelated"): 404,
    (Role.AUDITOR, "parent"): 200,
    (Role.AUDITOR, "sibling"): 404,
    (Role.MEDIATOR, "own"): 404,  # a mediator sees the cases assigned to them (test_workflow)
    (Role.GRID_WORKER, "child"): 404,
    (Role.DEPARTMENT, "parent"): 404,  # no dispatch to its department yet
    (Role.COURT, "parent"): 404,  # court staff follow only what they handed over
    (Role.POLICE, "own"): 404,
    (Role.EXPERT, "parent"): 404,
}

CASE_CLASSIFIERS = {
    (Role.CLERK, "own"): 200,
    (Role.CLERK, "parent"): 200,
    (Role.CLERK, "sibling"): 404,
    (Role.DIRECTOR, "parent"): 200,
    (Role.AUDITOR, "parent"): 403,  # sees it, may not change it
    (Role.MEDIATOR, "own"): 404,
    (Role.DEPARTMENT, "parent"): 404,
}


@pytest.mark.parametrize(("seat", "expected"), CASE_READERS.items(), ids=lambda v: str(v))
def test_case_read_matrix(seat, expected, make_case, member_at, api_as):
    role, relation = seat
    case = make_case()
    actor = member_at(relation, role)
    assert api_as(actor).get(f"/api/v1/cases/{case.pk}/").status_code == expected


@pytest.mark.parametrize(("seat", "expected"), CASE_CLASSIFIERS.items(), ids=lambda v: str(v))
def test_case_classify_matrix(seat, expected, make_case, member_at, api_as, category):
    role, relation = seat
    case = make_case()
    actor = member_at(relation, role)
    response = api_as(actor).post(f"/api/v1/cases/{case.pk}/classify/", {"category": category.code}, format="json")
    assert response.status_code == expected, response.content
    case.refresh_from_db()
    assert (case.status == Status.CLASSIFIED) == (expected == 200)


def test_a_department_given_a_dispatch_sees_and_accepts_that_case_only(make_case, clerk, api_as, tree, category):
    department = Department.objects.get(center_code="620102")
    officer = make_member(tree["620102"], Role.DEPARTMENT)
    Membership.objects.filter(pk=officer.pk).update(department=department)
    officer = officer.user
    case, other = make_case(category=category), make_case(category=category)
    services.case_dispatch(actor=clerk, case=case, departments=[department])
    client = api_as(officer)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{other.pk}/").status_code == 404
    assert [row["id"] for row in client.get("/api/v1/cases/").json()["results"]] == [case.pk]
    assert client.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json").status_code == 200
    assert client.post(f"/api/v1/cases/{case.pk}/close/", {}, format="json").status_code == 409


def test_a_department_that_declined_no_longer_sees_the_case(make_case, clerk, api_as, tree, category):
    department = Department.objects.get(center_code="620102")
    officer = make_member(tree["620102"], Role.DEPARTMENT)
    Membership.objects.filter(pk=officer.pk).update(department=department)
    case = make_case(category=category)
    services.case_dispatch(actor=clerk, case=case, departments=[department])
    client = api_as(officer.user)
    assert (
        client.post(f"/api/v1/cases/{case.pk}/decline/", {"reason": "非本部门职责"}, format="json").status_code == 200
    )
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_a_mediator_of_another_county_cannot_be_assigned(make_case, clerk, api_as, tree, category):
    from govcenter.divisions import Level

    other_county = Center.objects.create(code="620103", level=Level.COUNTY, name="七里河区", parent_id="6201")
    far_mediator = make_member(other_county, Role.MEDIATOR).user
    case = make_case(category=category)
    for usernames in ([far_mediator.username], ["nobody-at-all"]):
        response = api_as(clerk).post(
            f"/api/v1/cases/{case.pk}/assign-mediator/", {"mediators": usernames}, format="json"
        )
        assert response.status_code == 400
        assert "cannot be assigned" in response.json()["mediators"][0] or "不能" in response.json()["mediators"][0]


def test_sibling_township_lists_never_include_each_other(make_case, member_at, api_as):
    make_case()
    make_case(center_code="620102002", actor=member_at("sibling", Role.CLERK))
    own = api_as(member_at("own", Role.CLERK)).get("/api/v1/cases/").json()
    assert [row["center"] for row in own["results"]] == ["620102001"]
    county = api_as(member_at("parent", Role.DIRECTOR)).get("/api/v1/cases/").json()
    assert county["count"] == 2


def test_an_object_grant_opens_one_case(make_case, member_at, api_as):
    from govcenter import access

    case, other = make_case(), make_case()
    inspector = member_at("unrelated", Role.AUDITOR)
    access.grant(inspector, access.Action.CASE_VIEW, case)
    client = api_as(inspector)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["parties"][0]["id_number"].count("*") == 10


# --- Filters and query counts ---------------------------------------------------------------------------


class TestFilters:
    @pytest.fixture
    def cases(self, make_case, category, member_at):
        labour = Category.objects.get(code="d-labour--wages")
        return {
            "neighbour": make_case(category=category, title="排水沟堵塞"),
            "wages": make_case(category=labour, channel="hotline", title="工地欠薪"),
            "village": make_case(center_code="620102001001", actor=member_at("child", Role.CLERK), title="村道"),
        }

    def _ids(self, client, **params):
        return {row["id"] for row in client.get("/api/v1/cases/", params).json()["results"]}

    def test_filters(self, cases, director, api_as):
        client = api_as(director)
        assert self._ids(client, channel="hotline") == {cases["wages"].pk}
        assert self._ids(client, category="d-labour") == {cases["wages"].pk}  # a type includes its sub-types
        assert self._ids(client, under="620102001001") == {cases["village"].pk}
        assert self._ids(client, q="欠薪") == {cases["wages"].pk}
        assert self._ids(client, status="classified") == {cases["neighbour"].pk, cases["wages"].pk}
        assert self._ids(client, overdue="true") == set()
        assert self._ids(client, created_after="2000-01-01T00:00:00Z") == {c.pk for c in cases.values()}
        assert self._ids(client, created_before="2000-01-01T00:00:00Z") == set()

    @pytest.mark.parametrize(
        "params", [{"status": "nonsense"}, {"category": "d-nope"}, {"under": "62x"}, {"created_after": "yesterday"}]
    )
    def test_bad_filters_are_400(self, cases, director, api_as, params):
        response = api_as(director).get("/api/v1/cases/", params)
        assert response.status_code == 400 and set(params) <= set(response.json())


def test_case_list_query_count_stays_flat(make_case, director, api_as, django_assert_max_num_queries, category):
    client = api_as(director)
    make_case(category=category)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/cases/").status_code == 200
    for _ in range(30):
        make_case(category=category)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/cases/")
    assert response.json()["count"] == 31


def test_case_detail_query_count_does_not_grow_with_its_timeline(
    make_case, clerk, api_as, django_assert_max_num_queries, category
):
    client = api_as(clerk)
    case = make_case()
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/cases/{case.pk}/")
    services.case_classify(actor=clerk, case=case, category=category)
    for index in range(8):
        services.case_update(
            actor=clerk,
            case=case,
            changes={"place": f"地点{index}"},
            expected_version=Case.objects.get(pk=case.pk).version,
        )
    services.case_dispatch(
        actor=clerk,
        case=Case.objects.get(pk=case.pk),
        departments=list(Department.objects.filter(center_code__in=["620102", "620102001"])),
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/api/v1/cases/{case.pk}/")
    assert len(response.json()["timeline"]) == 11


# --- Attachments ---------------------------------------------------------------------------------------


class TestAttachments:
    def test_upload_and_download_through_the_access_check(
        self, make_case, clerk, member_at, api_as, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        case = make_case()
        client = api_as(clerk)
        upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
        response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": upload}, format="multipart")
        assert response.status_code == 201, response.content
        url = response.json()["url"]
        download = client.get(url)
        assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
        outsider = member_at("sibling", Role.CLERK)
        assert api_as(outsider).get(url).status_code == 404

    @pytest.mark.parametrize(
        ("name", "content"),
        [("virus.exe", b"MZ" + b"\x00" * 20), ("fake.png", b"GIF89a" + b"\x00" * 20), ("empty.pdf", b"")],
    )
    def test_forbidden_or_fake_files_are_refused(self, make_case, clerk, api_as, settings, tmp_path, name, content):
        settings.MEDIA_ROOT = tmp_path
        case = make_case()
        response = api_as(clerk).post(
            f"/api/v1/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
        )
        assert response.status_code == 400 and "file" in response.json()
        assert case.attachments.count() == 0

    def test_too_large_is_refused_with_the_limit(self, make_case, clerk, api_as, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        settings.ATTACHMENT_MAX_BYTES = 1024
        case = make_case()
        big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 4096)
        response = api_as(clerk).post(f"/api/v1/cases/{case.pk}/attachments/", {"file": big}, format="multipart")
        assert response.status_code == 400
        assert not list(tmp_path.rglob("*"))  # nothing written to disk


# --- Public intake ---------------------------------------------------------------------------------------


class TestPublicIntake:
    def _report(self, api, token, **overrides):
        payload = {
            "token": token,
            "name": "市民甲",
            "phone": "13700001111",
            "title": "路灯不亮",
            "facts": "小区门口路灯坏了一周。",
            "kind": "request",
        }
        payload.update(overrides)
        return api.post("/api/v1/public/reports/", payload, format="json")

    def test_from_qr_token_to_receipt_to_status_to_rating(self, api, tree, clerk, category):
        token = tree["620102001"].public_token
        response = self._report(api, token)
        assert response.status_code == 201, response.content
        receipt = response.json()["receipt"]
        case = Case.objects.get(receipt=receipt)
        assert (case.channel, case.center_code, case.created_by) == ("qr", "620102001", None)
        status = api.get(f"/api/v1/public/reports/{receipt}/").json()
        assert status["status"] == "received" and status["can_rate"] is False
        assert "市民甲" not in str(status) and "1370000" not in str(status) and case.number not in str(status)
        rate = {"value": "satisfied", "phone_last4": "1111"}
        assert api.post(f"/api/v1/public/reports/{receipt}/rating/", rate).status_code == 409
        services.case_classify(actor=clerk, case=case, category=category)
        services.case_resolve(actor=clerk, case=Case.objects.get(pk=case.pk), outcome="resolved", note="已修复")
        services.case_feedback(actor=clerk, case=Case.objects.get(pk=case.pk), note="已电话告知")
        assert api.get(f"/api/v1/public/reports/{receipt}/").json()["can_rate"] is True
        # The receipt alone does not do: staff see it too, and must not rate their own work.
        guessed = {"value": "satisfied", "phone_last4": "0000"}
        assert api.post(f"/api/v1/public/reports/{receipt}/rating/", guessed).status_code == 400
        rated = api.post(
            f"/api/v1/public/reports/{receipt}/rating/",
            {"value": "dissatisfied", "comment": "太慢", "phone_last4": "1111"},
        )
        assert rated.status_code == 201
        case.refresh_from_db()
        assert case.review_required and case.rating.value == "dissatisfied"
        assert api.post(f"/api/v1/public/reports/{receipt}/rating/", rate).status_code == 409

    def test_a_dissatisfied_rating_goes_before_the_director(self, api, tree, clerk, director, category, api_as):
        case_receipt = self._report(api, tree["620102001"].public_token).json()["receipt"]
        case = Case.objects.get(receipt=case_receipt)
        services.case_classify(actor=clerk, case=case, category=category)
        services.case_resolve(actor=clerk, case=Case.objects.get(pk=case.pk), outcome="resolved", note="好了")
        services.case_feedback(actor=clerk, case=Case.objects.get(pk=case.pk), note="告知")
        services.rating_submit_public(receipt=case_receipt, value="dissatisfied", phone_last4="1111")
        services.case_follow_up(actor=clerk, case=Case.objects.get(pk=case.pk), note="仍不满意")
        client = api_as(director)
        assert client.post(f"/api/v1/cases/{case.pk}/close/", {}, format="json").status_code == 409
        assert (
            client.post(f"/api/v1/cases/{case.pk}/confirm-outcome/", {"note": "已依法处理"}, format="json").status_code
            == 200
        )
        assert client.post(f"/api/v1/cases/{case.pk}/close/", {}, format="json").status_code == 200

    def test_unknown_token_is_refused_and_the_honeypot_keeps_nothing(self, api, tree):
        assert self._report(api, "not-a-token").status_code == 400
        # A robot that fills the hidden field gets what a person would, with a receipt that leads nowhere.
        robot = self._report(api, tree["620102001"].public_token, website="http://spam")
        assert robot.status_code == 201
        assert api.get(f"/api/v1/public/reports/{robot.json()['receipt']}/").status_code == 404
        assert Case.objects.count() == 0

    def test_unknown_receipt_is_404(self, api, db):
        assert api.get("/api/v1/public/reports/NOSUCHCODE/").status_code == 404

    def test_reports_are_rate_limited(self, api, tree, settings):
        token = tree["620102001"].public_token
        codes = [self._report(api, token, phone=f"1370000{i:04d}").status_code for i in range(22)]
        assert codes[:20] == [201] * 20 and codes[-1] == 429


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_case_numbers_stay_unique_and_gapless_under_concurrent_intake():
    from govcenter.divisions import Level

    Center.objects.create(code="62", level=Level.PROVINCE, name="甘肃省")
    Center.objects.create(code="6201", level=Level.CITY, name="兰州市", parent_id="62")
    Center.objects.create(code="620102", level=Level.COUNTY, name="城关区", parent_id="6201")
    township = Center.objects.create(code="620102001", level=Level.TOWNSHIP, name="东岗街道", parent_id="620102")
    clerks = [make_member(township, Role.CLERK).user for _ in range(6)]
    errors = []

    def intake(actor, worker):
        try:
            for index in range(8):
                data = services.CaseInput(
                    kind="dispute",
                    channel="walk_in",
                    title=f"并发{worker}-{index}",
                    parties=[services.PartyInput(role="applicant", name="甲", id_number=valid_id(worker * 10 + index))],
                )
                services.case_create(actor=actor, center=township, data=data, force_new=True)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(clerk, n)) for n, clerk in enumerate(clerks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    serials = sorted(Case.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 49))
    assert CaseNumberCounter.objects.get().last == 48


def test_a_case_recorded_after_midnight_on_new_years_eve_counts_in_the_new_year(make_case):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # 17:30 UTC on 31 December is 01:30 on 1 January in Lanzhou.
    case = make_case(received_at=datetime(2026, 12, 31, 17, 30, tzinfo=ZoneInfo("UTC")))
    assert (case.year, case.number) == (2027, "620102-2027-000001")


@pytest.mark.parametrize("path", ["/api/v1/cases/abc/", "/api/v1/handoffs/abc/"])
def test_a_non_numeric_id_is_404_not_500(path, clerk, api_as):
    assert api_as(clerk).get(path).status_code == 404


def test_a_non_numeric_notification_is_404(clerk, api_as):
    assert api_as(clerk).post("/api/v1/notifications/abc/read/").status_code == 404


def test_resolving_withdraws_the_live_dispatches(make_case, clerk, category):
    case = make_case(category=category)
    services.case_dispatch(actor=clerk, case=case, departments=[Department.objects.get(center_code="620102")])
    Case.objects.filter(pk=case.pk).update(status=Status.ACCEPTED)  # as if the department took it
    services.case_resolve(actor=clerk, case=Case.objects.get(pk=case.pk), outcome="resolved", note="中心直接化解")
    assert list(case.dispatches.values_list("status", flat=True)) == ["withdrawn"]


def test_a_phone_rating_after_an_online_one_is_refused_before_anything_changes(make_case, clerk, category):
    from govcenter.errors import DomainError

    case = make_case(category=category, phone="13700001111")
    services.case_resolve(actor=clerk, case=case, outcome="resolved", note="已解决")
    services.case_feedback(actor=clerk, case=Case.objects.get(pk=case.pk), note="已告知")
    services.rating_submit_public(receipt=case.receipt, value="satisfied", phone_last4="1111")
    with pytest.raises(DomainError):
        services.case_follow_up(actor=clerk, case=Case.objects.get(pk=case.pk), note="回访", rating="dissatisfied")
    assert Case.objects.get(pk=case.pk).status == Status.FEEDBACK_GIVEN

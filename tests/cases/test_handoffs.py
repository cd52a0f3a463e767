"""三调对接 end to end through the API: court, police and petition hand-offs, sent, received, handled,
and back; the court's confirmation and filing; the all-or-nothing import; who sees what."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from cases.models import Case, Handoff, Status
from govcenter.models import Department, Membership, Role
from tests.conftest import make_member
from tests.fixtures_cases import ID_APPLICANT, valid_id

COURT_REF = "(2026)甘0102民诉前调123号"


@pytest.fixture
def court(member_at):
    return member_at("parent", Role.COURT, username="court_clerk")


@pytest.fixture
def police(member_at):
    return member_at("own", Role.POLICE, username="police_liaison")


@pytest.fixture
def petition(member_at):
    return member_at("parent", Role.PETITION, username="petition_officer")


@pytest.fixture
def housing(tree):
    return Department.objects.create(
        center=tree["620102"], center_code="620102", name="城关区住建局", kind=Department.Kind.HOUSING
    )


def _send(client, **overrides):
    payload = {
        "source": "court",
        "external_ref": COURT_REF,
        "center": "620102001",
        "title": "民间借贷纠纷",
        "facts": "借款五万元逾期未还。",
        "claim": "判令被告归还借款五万元",
        "amount": "50000",
        "category": "d-contract--loan",
        "parties": [
            {"role": "applicant", "name": "王大山", "id_number": ID_APPLICANT, "phone": "13912345678"},
            {"role": "respondent", "name": "赵小河"},
        ],
    }
    payload.update(overrides)
    return client.post("/api/v1/handoffs/", payload, format="json")


class TestCourtPath:
    def test_transfer_mediate_succeed_and_confirm(self, court, clerk, api_as):
        court_api, center_api = api_as(court), api_as(clerk)
        sent = _send(court_api)
        assert sent.status_code == 201, sent.content
        handoff = sent.json()
        assert (handoff["status"], handoff["center"], handoff["sender_code"]) == ("sent", "620102001", "620102")
        case_id = handoff["case"]["id"]
        case = Case.objects.get(pk=case_id)
        assert case.channel == "court"
        # The mediation limit is the court's 30 calendar days, not 5 working days.
        resolve_due = case.deadlines.get(stage="resolve").due_at
        assert timedelta(days=29) < resolve_due - case.received_at <= timedelta(days=30, minutes=1)

        assert center_api.post(f"/api/v1/handoffs/{handoff['id']}/receive/").json()["status"] == "received"
        assert center_api.post(f"/api/v1/handoffs/{handoff['id']}/accept/", {}).json()["status"] == "accepted"
        # The court cannot confirm before there is an agreement.
        early = court_api.post(f"/api/v1/handoffs/{handoff['id']}/confirmation/", {"status": "requested"})
        assert early.status_code == 409
        center_api.post(
            f"/api/v1/cases/{case_id}/resolve/", {"outcome": "resolved", "note": "双方达成还款协议"}, format="json"
        )

        followed = court_api.get(f"/api/v1/handoffs/{handoff['id']}/").json()
        assert followed["case"]["resolved"] is True
        assert [step["note"] for step in followed["outcome"]] == ["双方达成还款协议"]
        assert (
            court_api.post(f"/api/v1/handoffs/{handoff['id']}/confirmation/", {"status": "requested"}).status_code
            == 200
        )
        confirmed = court_api.post(f"/api/v1/handoffs/{handoff['id']}/confirmation/", {"status": "confirmed"})
        assert confirmed.json()["confirmation"] == "confirmed"
        assert [e["verb"] for e in confirmed.json()["timeline"]] == [
            "send",
            "receive",
            "accept",
            "confirmation-requested",
            "confirmation-confirmed",
        ]
        # The court follows the case it sent, and nothing else of the center.
        assert court_api.get(f"/api/v1/cases/{case_id}/").status_code == 200

    def test_failed_mediation_goes_back_to_the_court_which_files_it(self, court, clerk, api_as, category):
        court_api, center_api = api_as(court), api_as(clerk)
        handoff = _send(court_api).json()
        case_id = handoff["case"]["id"]
        center_api.post(f"/api/v1/cases/{case_id}/hand-back/", {"reason": "调解不成，退回法院"}, format="json")
        back = court_api.get(f"/api/v1/handoffs/{handoff['id']}/").json()
        assert (back["status"], back["return_reason"]) == ("returned", "调解不成，退回法院")
        assert back["outcome"][-1]["verb"] == "hand-back"
        filed = court_api.post(f"/api/v1/handoffs/{handoff['id']}/file/", {"filing_number": "(2026)甘0102民初456号"})
        assert filed.status_code == 200 and filed.json()["status"] == "closed"

    def test_the_center_may_return_an_unsuitable_transfer(self, court, clerk, api_as):
        handoff = _send(api_as(court)).json()
        response = api_as(clerk).post(f"/api/v1/handoffs/{handoff['id']}/hand-back/", {"reason": "不属于调解范围"})
        assert response.json()["status"] == "returned"
        assert Case.objects.get(pk=handoff["case"]["id"]).status == Status.HANDED_BACK

    def test_the_time_limit_runs_out_and_the_case_goes_back(self, court, api_as):
        handoff = _send(api_as(court)).json()
        assert services.expire_court_handoffs(now=timezone.now() + timedelta(days=31)) == 1
        assert Handoff.objects.get(pk=handoff["id"]).status == "returned"
        assert services.expire_court_handoffs(now=timezone.now() + timedelta(days=31)) == 0

    def test_extension_once_with_a_reason(self, court, api_as):
        court_api = api_as(court)
        handoff = _send(court_api).json()
        assert court_api.post(f"/api/v1/handoffs/{handoff['id']}/extend/", {}).status_code == 400
        extended = court_api.post(f"/api/v1/handoffs/{handoff['id']}/extend/", {"reason": "当事人申请延长", "days": 15})
        assert extended.status_code == 200
        case = Case.objects.get(pk=handoff["case"]["id"])
        assert case.deadlines.get(stage="resolve").amount == 45
        again = court_api.post(f"/api/v1/handoffs/{handoff['id']}/extend/", {"reason": "再次延长"})
        assert again.status_code == 409

    def test_a_case_kept_at_the_court_counts_as_not_diverted(self, court, api_as):
        kept = _send(api_as(court), keep_at_court=True)
        assert kept.status_code == 201 and kept.json()["status"] == "kept" and kept.json()["case"] is None

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"external_ref": "甘0102民诉前调123号"}, "external_ref"),
            ({"external_ref": "(2026)甘0102民初123号"}, "external_ref"),
            ({"center": "620102001001"}, "center"),  # a village
            ({"center": "6201"}, "center"),
            ({"due_days": 0}, "due_days"),
            ({"source": "army"}, "source"),
        ],
    )
    def test_bad_transfers_are_refused_and_nothing_is_saved(self, court, api_as, change, field):
        response = _send(api_as(court), **change)
        assert response.status_code in (400, 403), response.content
        if response.status_code == 400:
            assert field in response.json()
        assert Handoff.objects.count() == 0 and Case.objects.count() == 0

    def test_a_reference_is_handed_over_once(self, court, api_as):
        court_api = api_as(court)
        assert _send(court_api).status_code == 201
        again = _send(court_api, parties=[{"role": "applicant", "name": "另一人"}])
        assert again.status_code == 400 and "external_ref" in again.json()
        assert Handoff.objects.count() == 1 and Case.objects.count() == 1


class TestCourtImport:
    def _csv(self, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "案号",
                "接收中心区划代码",
                "案由类别代码",
                "事由摘要",
                "事实经过",
                "诉讼请求",
                "标的额（元）",
                "申请人姓名",
                "申请人身份证号",
                "申请人电话",
                "被申请人姓名",
            ]
        )
        writer.writerows(rows)
        return SimpleUploadedFile("transfers.csv", buffer.getvalue().encode("gb18030"))

    def _row(self, n, **changes):
        row = {
            "ref": f"(2026)甘0102民诉前调{n}号",
            "center": "620102001",
            "category": "d-contract--loan",
            "title": f"借款纠纷{n}",
            "facts": "逾期未还",
            "claim": "归还借款",
            "amount": "1000",
            "name": f"申请人{n}",
            "id": valid_id(n),
            "phone": f"1390000{n:04d}",
            "respondent": "被申请人",
        }
        row.update(changes)
        return list(row.values())

    def test_ten_good_rows_are_imported_together(self, court, api_as):
        upload = self._csv([self._row(n) for n in range(1, 11)])
        response = api_as(court).post("/api/v1/handoffs/import/", {"file": upload}, format="multipart")
        assert response.status_code == 201, response.content
        assert len(response.json()) == 10 and Handoff.objects.count() == 10 and Case.objects.count() == 10

    def test_one_bad_row_refuses_the_whole_file_with_a_report(self, court, api_as):
        rows = [self._row(n) for n in range(1, 11)]
        rows[3] = self._row(4, id="110105194912310021")  # bad check digit
        rows[6] = self._row(7, center="620102001001")  # a village
        rows[8] = self._row(2)  # the same case number as row 3
        response = api_as(court).post("/api/v1/handoffs/import/", {"file": self._csv(rows)}, format="multipart")
        assert response.status_code == 400
        errors = {(e["row"], e["column"]) for e in response.json()["errors"]}
        assert {(5, "申请人身份证号"), (8, "接收中心区划代码"), (10, "案号")} <= errors
        assert Handoff.objects.count() == 0 and Case.objects.count() == 0

    def test_the_template_opens_with_chinese_headers_and_an_example(self, court, api_as):
        response = api_as(court).get("/api/v1/handoffs/import-template/")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["A1"].value == "案号" and sheet["A2"].value.endswith("民诉前调123号")

    def test_the_filled_in_template_imports(self, court, api_as):
        template = api_as(court).get("/api/v1/handoffs/import-template/").content
        upload = SimpleUploadedFile("委派.xlsx", template)
        response = api_as(court).post("/api/v1/handoffs/import/", {"file": upload}, format="multipart")
        assert response.status_code == 201, response.content

    def test_a_file_of_another_kind_is_refused(self, court, api_as):
        upload = SimpleUploadedFile("transfers.pdf", b"%PDF-1.4")
        response = api_as(court).post("/api/v1/handoffs/import/", {"file": upload}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()


class TestPolicePath:
    def _alert(self, client, number, **overrides):
        payload = {
            "source": "police",
            "external_ref": f"J620102202611{number:04d}",
            "center": "620102001",
            "title": "邻里因停车发生口角",
            "place": "东岗社区3号楼下",
            "alert_at": "2026-11-29T21:30:00+08:00",
            "parties": [
                {"role": "applicant", "name": "李四", "phone": "13700001111"},
                {"role": "respondent", "name": "张三", "phone": "13700002222"},
            ],
        }
        payload.update(overrides)
        return client.post("/api/v1/handoffs/", payload, format="json")

    def test_push_accept_follow_and_see_the_outcome(self, police, clerk, api_as):
        police_api = api_as(police)
        alert = self._alert(police_api, 1)
        assert alert.status_code == 201, alert.content
        body = alert.json()
        case_id = body["case"]["id"]
        center_api = api_as(clerk)
        assert (
            center_api.post(f"/api/v1/handoffs/{body['id']}/accept/", {"note": "纳入长效管控"}).json()["status"]
            == "accepted"
        )
        for verb, payload in [
            ("classify", {"category": "d-neighbour--passage"}),
            ("resolve", {"outcome": "resolved", "note": "双方和解"}),
            ("feedback", {"note": "已告知民警和当事人"}),
            ("follow-up", {"note": "未再发生冲突"}),
            ("close", {}),
        ]:
            assert center_api.post(f"/api/v1/cases/{case_id}/{verb}/", payload, format="json").status_code == 200
        seen = police_api.get(f"/api/v1/handoffs/{body['id']}/").json()
        assert seen["status"] == "closed" and seen["case"]["resolved"] is True

    def test_a_repeated_alert_about_the_same_people_joins_the_case(self, police, api_as):
        police_api = api_as(police)
        first = self._alert(police_api, 1).json()
        second = self._alert(police_api, 2, title="又因停车争吵").json()
        assert second["case"]["id"] == first["case"]["id"]
        assert second["case"]["report_count"] == 2
        assert Case.objects.count() == 1 and Handoff.objects.count() == 2

    def test_police_send_only_police_alerts_and_only_to_their_township(self, police, api_as):
        police_api = api_as(police)
        assert self._alert(police_api, 1, source="court", external_ref=COURT_REF).status_code == 403
        assert self._alert(police_api, 2, center="620102002").status_code == 403


class TestPetitionPath:
    def _petition(self, client, number, category, **overrides):
        payload = {
            "source": "petition",
            "external_ref": f"XF6201022026{number:06d}",
            "center": "620102001",
            "petition_category": category,
            "title": "反映事项",
            "category": "d-labour--wages",
            "parties": [{"role": "applicant", "name": "孙七", "id_number": ID_APPLICANT}],
        }
        payload.update(overrides)
        return client.post("/api/v1/handoffs/", payload, format="json")

    def test_an_appeal_is_dispatched_to_the_responsible_department(self, petition, housing, api_as):
        response = self._petition(api_as(petition), 1, "appeal", departments=[housing.pk])
        assert response.status_code == 201, response.content
        case = Case.objects.get(pk=response.json()["case"]["id"])
        assert case.status == Status.DISPATCHED and case.is_petition_related
        assert list(case.dispatches.values_list("department__name", flat=True)) == ["城关区住建局"]

    def test_a_dispute_stays_at_the_center_for_mediation(self, petition, api_as):
        response = self._petition(api_as(petition), 1, "dispute")
        case = Case.objects.get(pk=response.json()["case"]["id"])
        assert case.status == Status.CLASSIFIED and case.dispatches.count() == 0

    def test_law_related_goes_to_the_court_channel(self, petition, tree, api_as):
        Department.objects.create(
            center=tree["620102"], center_code="620102", name="城关区人民法院", kind=Department.Kind.COURT
        )
        response = self._petition(api_as(petition), 1, "law")
        case = Case.objects.get(pk=response.json()["case"]["id"])
        assert list(case.dispatches.values_list("department__name", flat=True)) == ["城关区人民法院"]

    def test_repeat_petitions_are_linked_and_counted(self, petition, api_as):
        client = api_as(petition)
        first = self._petition(client, 1, "dispute").json()
        second = self._petition(client, 2, "dispute", title="再次反映").json()
        assert second["case"]["id"] == first["case"]["id"] and second["repeat_count"] == 1
        figures = client.get("/api/v1/handoffs/figures/").json()["petition"]
        assert figures["total"] == 2 and figures["repeat"] == 1

    @pytest.mark.parametrize(
        ("category", "extra", "field"),
        [("gossip", {}, "petition_category"), ("appeal", {}, "departments"), ("", {}, "petition_category")],
    )
    def test_bad_petitions_are_refused(self, petition, api_as, category, extra, field):
        response = self._petition(api_as(petition), 1, category, **extra)
        assert response.status_code == 400 and field in response.json()
        assert Handoff.objects.count() == 0


# --- Who sees what ------------------------------------------------------------------------------------

HANDOFF_READERS = {
    # role at relation → GET /handoffs/{id}/ for a court hand-off to the own township
    (Role.CLERK, "own"): 200,
    (Role.DIRECTOR, "parent"): 200,
    (Role.AUDITOR, "parent"): 200,
    (Role.CLERK, "sibling"): 404,
    (Role.COURT, "parent"): 404,  # another court clerk: only the sender follows it
    (Role.POLICE, "own"): 404,
    (Role.PETITION, "parent"): 404,
    (Role.MEDIATOR, "own"): 404,
    (Role.DEPARTMENT, "parent"): 404,
}


@pytest.mark.parametrize(("seat", "expected"), HANDOFF_READERS.items(), ids=str)
def test_handoff_read_matrix(seat, expected, court, member_at, api_as):
    handoff_id = _send(api_as(court)).json()["id"]
    role, relation = seat
    actor = member_at(relation, role)
    assert api_as(actor).get(f"/api/v1/handoffs/{handoff_id}/").status_code == expected


@pytest.mark.parametrize(
    ("role", "relation", "verb", "payload", "expected"),
    [
        (Role.CLERK, "own", "receive", {}, 200),
        (Role.CLERK, "sibling", "receive", {}, 404),
        (Role.AUDITOR, "parent", "receive", {}, 403),
        (Role.CLERK, "own", "extend", {"reason": "x"}, 403),  # the court's step
        (Role.CLERK, "own", "file", {"filing_number": "x"}, 403),
    ],
)
def test_handoff_verb_matrix(role, relation, verb, payload, expected, court, member_at, api_as):
    handoff_id = _send(api_as(court)).json()["id"]
    actor = member_at(relation, role)
    assert api_as(actor).post(f"/api/v1/handoffs/{handoff_id}/{verb}/", payload).status_code == expected


@pytest.mark.parametrize("role", [Role.CLERK, Role.MEDIATOR, Role.AUDITOR, Role.GRID_WORKER])
def test_only_court_police_and_petition_staff_send(role, member_at, api_as):
    actor = member_at("parent", role)
    assert _send(api_as(actor)).status_code == 403


def test_the_sender_keeps_access_after_the_case_moves_on(court, clerk, api_as, tree):
    handoff = _send(api_as(court)).json()
    Membership.objects.filter(user=court).update(is_active=False)  # even leaving the court
    court.__dict__.pop("_govcenter_seats", None)
    assert api_as(court).get(f"/api/v1/handoffs/{handoff['id']}/").status_code == 200


def test_lists_show_each_side_its_own(court, police, clerk, member_at, api_as):
    _send(api_as(court))
    api_as(police).post(
        "/api/v1/handoffs/",
        {
            "source": "police",
            "external_ref": "J1",
            "center": "620102001",
            "title": "口角",
            "parties": [{"role": "applicant", "name": "甲"}],
        },
        format="json",
    )
    assert {row["source"] for row in api_as(clerk).get("/api/v1/handoffs/").json()["results"]} == {"court", "police"}
    assert [row["source"] for row in api_as(court).get("/api/v1/handoffs/").json()["results"]] == ["court"]
    other_court = make_member(member_at("parent", Role.CLERK).memberships.get().center, Role.COURT).user
    assert api_as(other_court).get("/api/v1/handoffs/").json()["count"] == 0


def test_an_alert_about_people_of_a_walk_in_case_does_not_open_that_case_to_the_police(police, make_case, api_as):
    walk_in = make_case(phone="13700001111")
    response = api_as(police).post(
        "/api/v1/handoffs/",
        {
            "source": "police",
            "external_ref": "J-walk-in",
            "center": "620102001",
            "title": "口角",
            "parties": [{"role": "applicant", "name": "李四", "phone": "13700001111"}],
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["case"]["id"] != walk_in.pk
    assert api_as(police).get(f"/api/v1/cases/{walk_in.pk}/").status_code == 404


@pytest.mark.parametrize("params", [{"from": "2026-02-30"}, {"to": "yesterday"}])
def test_impossible_dates_in_the_figures_are_400(params, clerk, api_as):
    assert api_as(clerk).get("/api/v1/handoffs/figures/", params).status_code == 400


def test_overlong_and_impossible_cells_are_reported_per_row(court, api_as):
    header = "案号,接收中心区划代码,事由摘要,申请人姓名,标的额（元）,期限天数\n"
    rows = f"(2026)甘0102民诉前调1号,620102001,{'长' * 201},甲,NaN,1e400\n"
    upload = SimpleUploadedFile("t.csv", (header + rows).encode())
    response = api_as(court).post("/api/v1/handoffs/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert {e["column"] for e in response.json()["errors"]} >= {"事由摘要", "标的额（元）", "期限天数"}
    empty = SimpleUploadedFile("t.csv", header.encode())
    assert api_as(court).post("/api/v1/handoffs/import/", {"file": empty}, format="multipart").status_code == 400

"""The case pages as their users meet them: a clerk records and works cases, an auditor reads them,
a citizen reports through a center's QR code and follows the report with a receipt code."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import ric

from cases import services
from cases.models import Case, Category, Notification, Party, Rating, Status
from govcenter.models import AuditEvent, Center, Department, Role
from tests.conftest import OWN, PARENT, SIBLING, UNRELATED

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _tasks_inline(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def id_number(serial: int) -> str:
    """A valid resident identity number (Yongdeng county, born 1980-01-01); calc_check_digit wants
    the number with a placeholder check digit."""
    body = f"62012119800101{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def login(client):
    """Log a user in; the pages speak English so the assertions do not depend on the catalog."""

    def as_user(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return as_user


@pytest.fixture
def clerk(member_at):
    return member_at("own", Role.CLERK, username="clerk_page")


@pytest.fixture
def drainage(db):
    return Category.objects.get(code="d-neighbour--drainage")


@pytest.fixture
def record(tree, clerk):
    """Record a case through the service, as the intake page would."""
    serials = iter(range(100, 1000))

    def build(center_code=OWN, actor=None, category=None, **fields):
        n = next(serials)
        data = services.CaseInput(
            kind="dispute",
            channel="walk_in",
            title=fields.pop("title", f"楼上漏水{n}"),
            facts="楼上漏水，多次协商未果。",
            category=category,
            parties=[
                services.PartyInput(
                    role=Party.Role.APPLICANT,
                    name=fields.pop("name", f"王{n}"),
                    id_number=fields.pop("id_number", id_number(n)),
                    phone=fields.pop("phone", f"1380000{n:04d}"),
                ),
                services.PartyInput(role=Party.Role.RESPONDENT, name=f"李{n}"),
            ],
            **fields,
        )
        return services.case_create(
            actor=actor or clerk, center=Center.objects.get(code=center_code), data=data, force_new=True
        )

    return build


def intake_data(**overrides) -> dict:
    data = {
        "center": OWN,
        "kind": "dispute",
        "channel": "walk_in",
        "category": "d-neighbour--drainage",
        "title": "楼上卫生间漏水",
        "facts": "楼上卫生间漏水三个月，多次协商未果。",
        "place": "东岗西路12号",
        "amount": "3000",
        "people_count": "2",
        "severity": "medium",
        "applicant-party_kind": "person",
        "applicant-name": "王秀兰",
        "applicant-id_number": id_number(1),
        "applicant-phone": "13800001111",
        "applicant-address": "东岗西路12号3单元",
        "respondent-party_kind": "person",
        "respondent-name": "李强",
        "respondent-id_number": "",
        "respondent-phone": "",
        "respondent-address": "",
        "third_party-party_kind": "person",
    }
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Intake ---------------------------------------------------------------------------------------


def test_clerk_records_a_case_and_lands_on_it_with_number_and_receipt(login, clerk, tree):
    client = login(clerk)
    form = client.get("/cases/new/")
    assert form.status_code == 200
    assert f'value="{OWN}"' in form.content.decode() and "东岗社区" in form.content.decode()
    assert f'value="{SIBLING}"' not in form.content.decode()  # only where the clerk may record cases

    response = client.post("/cases/new/", intake_data())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    page = client.get(response.url)
    html = page.content.decode()
    assert case.number in html and case.receipt in html
    assert "王秀兰" in html and "李强" in html
    assert case.status == Status.CLASSIFIED and case.category.code == "d-neighbour--drainage"
    assert case.parties.count() == 2  # the empty third-party block does not count


def test_intake_refusal_keeps_everything_typed_and_says_what_is_wrong(login, clerk, tree):
    client = login(clerk)
    response = client.post("/cases/new/", intake_data(**{"applicant-id_number": "620121198001010015"}))
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "620121198001010015 is not a valid resident identity number" in html
    assert "楼上卫生间漏水三个月" in html and 'value="王秀兰"' in html and 'value="3000"' in html


def test_intake_requires_an_applicant_name(login, clerk, tree):
    response = login(clerk).post("/cases/new/", intake_data(**{"applicant-name": ""}))
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["parties"][0].errors["name"]


def test_intake_at_a_center_outside_ones_reach_is_refused_on_the_field(login, clerk, tree):
    response = login(clerk).post("/cases/new/", intake_data(center=SIBLING))
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["form"].errors["center"]


def test_intake_page_is_forbidden_to_those_who_do_not_record_cases(login, member_at):
    assert login(member_at("own", Role.AUDITOR)).get("/cases/new/").status_code == 403


def test_second_report_by_the_same_person_offers_to_link_it(login, clerk, tree):
    client = login(clerk)
    client.post("/cases/new/", intake_data())
    first = Case.objects.get()

    again = client.post("/cases/new/", intake_data(title="又漏水了"))
    html = again.content.decode()
    assert again.status_code == 200 and Case.objects.count() == 1
    assert first.number in html and f'name="link_to" value="{first.pk}"' in html and 'name="force_new"' in html
    assert 'value="又漏水了"' in html  # what was typed is kept

    linked = client.post("/cases/new/", intake_data(title="又漏水了", link_to=str(first.pk)))
    assert linked.status_code == 302 and linked.url == f"/cases/{first.pk}/"
    first.refresh_from_db()
    assert Case.objects.count() == 1 and first.report_count == 2
    assert first.events.filter(verb="link-report", note="又漏水了").exists()


def test_second_report_can_be_recorded_as_a_new_case(login, clerk, tree):
    client = login(clerk)
    client.post("/cases/new/", intake_data())
    response = client.post("/cases/new/", intake_data(title="另一件事", force_new="1"))
    assert response.status_code == 302 and Case.objects.count() == 2


# --- The list -------------------------------------------------------------------------------------


def test_list_shows_only_the_cases_the_user_may_see(login, member_at, record):
    mine = record()
    theirs = record(center_code=SIBLING, actor=member_at("sibling", Role.CLERK))

    own_page = login(member_at("own", Role.CLERK)).get("/cases/").content.decode()
    assert mine.number in own_page and theirs.number not in own_page
    sibling_page = login(member_at("sibling", Role.CLERK)).get("/cases/").content.decode()
    assert theirs.number in sibling_page and mine.number not in sibling_page
    county_page = login(member_at("parent", Role.DIRECTOR)).get("/cases/").content.decode()
    assert mine.number in county_page and theirs.number in county_page
    assert login(member_at("unrelated", Role.CLERK)).get("/cases/").context["page"].paginator.count == 0


def test_list_query_count_stays_flat_as_cases_grow(login, clerk, record, drainage, django_assert_max_num_queries):
    record(category=drainage)
    record()
    client = login(clerk)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cases/").status_code == 200
    for _ in range(12):
        record(category=drainage)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/cases/")
    assert len(response.context["page"]) == 14


def test_list_filters_by_status_and_text(login, clerk, record, drainage):
    classified = record(category=drainage, title="排水沟堵塞")
    received = record(title="噪音扰民")
    client = login(clerk)
    page = client.get("/cases/", {"status": "classified"}).content.decode()
    assert classified.number in page and received.number not in page
    page = client.get("/cases/", {"q": "噪音", "status": "", "kind": ""}).content.decode()
    assert received.number in page and classified.number not in page
    page = client.get("/cases/", {"category": "d-neighbour"}).content.decode()
    assert classified.number in page and received.number not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "bogus"}, "Select a valid choice"),
        ({"under": "12345"}, "2, 4, 6, 9 or 12 digits"),
        ({"category": "no-such-thing"}, "Unknown category: no-such-thing"),
    ],
)
def test_a_bad_filter_value_is_explained_on_the_page(login, clerk, record, params, message):
    record()
    response = login(clerk).get("/cases/", params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_list_answers_htmx_with_the_table_only(login, clerk, record):
    case = record()
    response = login(clerk).get("/cases/", {"q": case.title}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert case.number in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_an_empty_list_says_what_to_do_next(login, clerk, member_at, record):
    empty = login(clerk).get("/cases/").content.decode()
    assert "There are no cases in your view yet." in empty and 'href="/cases/new/">Record a case</a>' in empty
    auditor = member_at("own", Role.AUDITOR, username="auditor_empty")
    assert 'href="/cases/new/"' not in login(auditor).get("/cases/").content.decode()
    record()
    filtered = login(clerk).get("/cases/", {"q": "没有这样的案件"}, headers={"HX-Request": "true"}).content.decode()
    assert "No cases match this filter." in filtered and '<a href="/cases/">Clear the filter</a>' in filtered


def test_overdue_cases_are_marked(login, clerk, record):
    case = record()
    Case.objects.filter(pk=case.pk).update(is_overdue=True)
    response = login(clerk).get("/cases/", {"overdue": "true"})
    assert 'class="overdue"' in response.content.decode() and response.context["page"].paginator.count == 1


# --- One case -------------------------------------------------------------------------------------


def test_auditor_sees_masked_identity_numbers_and_phones(login, member_at, record):
    case = record(id_number=id_number(7), phone="13912345678")
    html = login(member_at("parent", Role.AUDITOR)).get(f"/cases/{case.pk}/").content.decode()
    assert id_number(7) not in html and "13912345678" not in html
    assert "6201**********" in html and "139****5678" in html
    assert not AuditEvent.objects.filter(action="case.pii_view").exists()


def test_clerk_sees_full_identity_numbers_and_the_view_is_audited(login, clerk, record):
    case = record(id_number=id_number(8), phone="13912345678")
    html = login(clerk).get(f"/cases/{case.pk}/").content.decode()
    assert id_number(8) in html and "13912345678" in html
    event = AuditEvent.objects.get(action="case.pii_view")
    assert event.actor == clerk and event.data == {"number": case.number}


def test_case_page_offers_the_forms_of_the_allowed_verbs(login, clerk, member_at, record):
    case = record()
    html = login(clerk).get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/do/classify/"' in html
    assert f'name="version" value="{case.version}"' in html
    assert f'action="/cases/{case.pk}/do/close/"' not in html
    auditor_html = login(member_at("own", Role.AUDITOR)).get(f"/cases/{case.pk}/").content.decode()
    assert "/do/" not in auditor_html and 'name="file"' not in auditor_html


def test_classify_form_moves_the_case_on(login, clerk, record):
    case = record()
    response = login(clerk).post(
        f"/cases/{case.pk}/do/classify/",
        {"version": case.version, "category": "d-neighbour--drainage", "kind": "dispute", "severity": "high"},
    )
    assert response.status_code == 303 and response.url == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == Status.CLASSIFIED and case.severity == "high"
    assert case.category.code == "d-neighbour--drainage"


def test_dispatch_form_sends_the_case_to_the_chosen_departments(login, clerk, record, drainage):
    case = record(category=drainage)
    own, county = Department.objects.get(center_code=OWN), Department.objects.get(center_code=PARENT)
    client = login(clerk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'name="departments" value="{own.pk}"' in page and f'name="departments" value="{county.pk}"' in page
    assert f'value="{Department.objects.get(center_code=SIBLING).pk}"' not in page
    client.post(f"/cases/{case.pk}/do/dispatch/", {"version": case.version, "departments": [own.pk, county.pk]})
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert set(case.dispatches.values_list("department_id", flat=True)) == {own.pk, county.pk}


def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(login, clerk, record):
    case = record()
    client = login(clerk)
    client.post(f"/cases/{case.pk}/do/pause/", {"version": case.version, "reason": "等待当事人补充材料"})
    response = client.post(
        f"/cases/{case.pk}/do/classify/",
        {"version": case.version, "category": "d-neighbour--drainage"},
        follow=True,
    )
    assert any("changed by someone else" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.category is None and case.version == 2


def test_an_illegal_step_shows_a_message_not_an_error_page(login, clerk, record):
    case = record()
    response = login(clerk).post(f"/cases/{case.pk}/do/close/", {"version": case.version}, follow=True)
    assert response.status_code == 200
    assert any("not possible while the case is" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_a_verb_form_with_missing_input_shows_the_error_at_the_input(login, clerk, record):
    case = record()
    response = login(clerk).post(
        f"/cases/{case.pk}/do/classify/", {"version": case.version, "severity": "high"}, follow=True
    )
    assert response.status_code == 400
    html = response.content.decode()
    # The classify form is open again, the category marked and its error next to it, the rest kept.
    assert '<details class="verb" id="do-classify" open>' in html
    assert 'id="classify-category" required aria-invalid="true" aria-describedby="classify-category-error"' in html
    assert '<ul class="errorlist" id="classify-category-error"><li>' in html
    assert '<option value="high" selected>' in html
    assert messages_of(response) == []


def test_a_refused_step_with_a_reason_shows_it_at_the_reason_and_keeps_the_text(login, clerk, record):
    case = record()
    response = login(clerk).post(f"/cases/{case.pk}/do/escalate/", {"version": case.version, "reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<details class="verb" id="do-escalate" open>' in html
    assert 'aria-describedby="escalate-reason-error"' in html
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_unknown_verb_is_not_found(login, clerk, record):
    case = record()
    assert login(clerk).post(f"/cases/{case.pk}/do/explode/", {}).status_code == 404


def test_verb_pages_only_accept_posts(login, clerk, record):
    case = record()
    assert login(clerk).get(f"/cases/{case.pk}/do/classify/").status_code == 405


def test_out_of_scope_case_is_not_found_everywhere(login, member_at, record):
    case = record()
    record_attachment = services.attachment_add(
        actor=case.created_by, case=case, upload=SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    )
    client = login(member_at("sibling", Role.CLERK))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/do/classify/", {"category": "d-neighbour"}).status_code == 404
    assert client.get(f"/cases/{case.pk}/attachments/{record_attachment.pk}/").status_code == 404
    upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    assert client.post(f"/cases/{case.pk}/attachments/", {"file": upload}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.attachments.count() == 1


def test_pages_need_a_login(client, record):
    case = record()
    for url in ("/cases/", "/cases/new/", f"/cases/{case.pk}/", "/notifications/", f"/centers/{OWN}/qr.png"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


# --- Attachments ----------------------------------------------------------------------------------


def test_upload_a_photo_and_download_it_again(login, clerk, record):
    case = record()
    client = login(clerk)
    upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    response = client.post(f"/cases/{case.pk}/attachments/", {"file": upload}, follow=True)
    assert any("现场照片.png" in m for m in messages_of(response))
    attachment = case.attachments.get()
    assert f"/cases/{case.pk}/attachments/{attachment.pk}/" in response.content.decode()

    download = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG  # reading it to the end closes the file
    assert AuditEvent.objects.filter(action="case.attachment_view").exists()


def test_an_executable_is_refused_with_a_message(login, clerk, record):
    case = record()
    upload = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)
    response = login(clerk).post(f"/cases/{case.pk}/attachments/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert any("“exe” are not accepted" in m for m in messages_of(response))
    assert not case.attachments.exists()


def test_auditor_may_download_but_not_upload(login, member_at, clerk, record):
    case = record()
    attachment = services.attachment_add(
        actor=clerk, case=case, upload=SimpleUploadedFile("a.png", PNG, content_type="image/png")
    )
    client = login(member_at("parent", Role.AUDITOR))
    download = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    response = client.post(f"/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("b.png", PNG)}, follow=True)
    assert any("not add files" in m for m in messages_of(response))
    assert case.attachments.count() == 1


# --- Notifications --------------------------------------------------------------------------------


def test_notifications_are_listed_and_can_all_be_marked_read(login, member_at, record):
    colleague = member_at("own", Role.CLERK)
    case = record()  # tells the clerks of the center
    client = login(colleague)
    home = client.get("/cases/").content.decode()
    assert 'class="badge"' in home
    page = client.get("/notifications/")
    html = page.content.decode()
    assert case.number in html and 'class="card unread"' in html
    response = client.post("/notifications/")
    assert response.status_code == 303
    assert not Notification.objects.filter(recipient=colleague, read_at__isnull=True).exists()
    assert 'class="card unread"' not in client.get("/notifications/").content.decode()


def test_nav_offers_intake_only_to_those_who_record_cases(login, clerk, member_at, tree):
    assert 'href="/cases/new/"' in login(clerk).get("/cases/").content.decode()
    assert 'href="/cases/new/"' not in login(member_at("own", Role.AUDITOR)).get("/cases/").content.decode()


# --- QR code --------------------------------------------------------------------------------------


def test_center_qr_code_as_png_and_svg_for_members(login, clerk, tree):
    client = login(clerk)
    png = client.get(f"/centers/{OWN}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client.get(f"/centers/{OWN}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client.get(f"/centers/{OWN}/qr.gif").status_code == 404


def test_center_qr_code_is_not_found_for_those_who_may_not_see_the_center(login, member_at, tree):
    client = login(member_at("unrelated", Role.CLERK))
    assert client.get(f"/centers/{OWN}/qr.png").status_code == 404
    assert client.get(f"/centers/{OWN}/qr.svg").status_code == 404
    assert client.get(f"/centers/{UNRELATED}/qr.png").status_code == 200


# --- The public pages -----------------------------------------------------------------------------


def public_data(**overrides) -> dict:
    data = {
        "kind": "request",
        "title": "路灯坏了",
        "facts": "小区门口路灯坏了两周，晚上很黑。",
        "place": "东岗西路12号",
        "name": "张三丰",
        "phone": "13811112222",
        "website": "",
    }
    data.update(overrides)
    return data


def test_citizen_reports_follows_and_rates_the_outcome(client, tree, clerk, drainage):
    token = tree[OWN].public_token
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(f"/r/{token}/")
    assert form.status_code == 200 and "东岗街道" in form.content.decode()
    assert 'name="website"' in form.content.decode() and 'type="hidden" name="website"' not in form.content.decode()

    response = client.post(f"/r/{token}/", public_data())
    case = Case.objects.get()
    assert case.channel == "qr" and case.center_code == OWN
    assert response.status_code == 302 and response.url == f"/receipt/{case.receipt}/"
    receipt_page = client.get(response.url)
    html = receipt_page.content.decode()
    assert case.receipt in html and any(case.receipt in m for m in messages_of(receipt_page))
    for private in ("张三丰", "13811112222", "小区门口路灯", case.number):
        assert private not in html
    assert 'name="value"' not in html  # nothing to rate yet

    services.case_classify(actor=clerk, case=case, category=drainage)
    services.case_resolve(actor=clerk, case=case, outcome="resolved", note="已修复路灯")
    services.case_feedback(actor=clerk, case=case, note="电话告知已修复")
    html = client.get(f"/receipt/{case.receipt}/").content.decode()
    assert 'name="value"' in html
    wrong = client.post(f"/receipt/{case.receipt}/", {"value": "satisfied", "phone_last4": "0000"})
    assert wrong.status_code == 303 and not Rating.objects.filter(case=case).exists()
    rated = client.post(
        f"/receipt/{case.receipt.lower()}/", {"value": "dissatisfied", "comment": "修得太慢", "phone_last4": "2222"}
    )
    assert rated.status_code == 303
    case.refresh_from_db()
    assert case.rating.value == Rating.Value.DISSATISFIED and case.review_required
    assert 'name="value"' not in client.get(f"/receipt/{case.receipt}/").content.decode()


def test_the_honeypot_keeps_nothing_and_tells_the_robot_nothing(client, tree):
    response = client.post(f"/r/{tree[OWN].public_token}/", public_data(website="http://spam.example"))
    assert response.status_code == 302 and not Case.objects.exists()


def test_public_form_shows_what_is_missing(client, tree):
    response = client.post(f"/r/{tree[OWN].public_token}/", public_data(phone="", title=""))
    assert response.status_code == 200 and not Case.objects.exists()
    assert set(response.context["form"].errors) == {"phone", "title"}
    assert "小区门口路灯坏了两周" in response.content.decode()


def test_an_unknown_token_says_the_code_is_invalid(client, tree):
    response = client.get("/r/not-a-real-token/")
    assert response.status_code == 404 and response.templates[0].name == "cases/public_invalid.html"
    assert client.post("/r/not-a-real-token/", public_data()).status_code == 404
    assert not Case.objects.exists()


def test_a_retired_center_takes_no_reports(client, tree):
    Center.objects.filter(code=OWN).update(is_active=False)
    assert client.get(f"/r/{tree[OWN].public_token}/").status_code == 404


def test_public_reports_are_rate_limited_per_address(client, tree, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    url = f"/r/{tree[OWN].public_token}/"
    assert client.post(url, public_data(title="一")).status_code == 302
    assert client.post(url, public_data(title="二")).status_code == 302
    assert client.post(url, public_data(title="三")).status_code == 429
    assert client.post(url, public_data(), REMOTE_ADDR="10.0.0.9").status_code == 302
    assert Case.objects.count() == 3


def test_receipt_lookups_are_rate_limited(client, tree, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_lookup": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    statuses = [client.get(f"/receipt/GUESS{n}/").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_receipt_lookup_leads_to_the_status_page(client, tree):
    client.post(f"/r/{tree[OWN].public_token}/", public_data())
    case = Case.objects.get()
    assert client.get("/receipt/").status_code == 200
    response = client.get("/receipt/", {"code": f" {case.receipt.lower()} "})
    assert response.status_code == 302 and response.url == f"/receipt/{case.receipt}/"


def test_an_unknown_receipt_is_not_found(client, db):
    response = client.get("/receipt/ZZZZZZZZZZ/")
    assert response.status_code == 404 and response.templates[0].name == "cases/receipt_unknown.html"


def test_rating_before_the_outcome_is_refused(client, tree):
    client.post(f"/r/{tree[OWN].public_token}/", public_data())
    case = Case.objects.get()
    response = client.post(f"/receipt/{case.receipt}/", {"value": "satisfied"})
    assert response.status_code == 303 and not Rating.objects.exists()


def test_public_pages_have_no_staff_navigation(client, tree):
    html = client.get(f"/r/{tree[OWN].public_token}/").content.decode()
    assert 'name="viewport"' in html and "/cases/" not in html and "/admin/" not in html
    assert re.search(r'<input[^>]*name="website"[^>]*autocomplete="off"', html)


def test_home_shows_todays_work_with_links_to_the_lists(client, make_case, director):
    from cases.models import Case

    case = make_case()
    Case.objects.filter(pk=case.pk).update(is_overdue=True, review_required=True)
    client.force_login(director)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "今日工作" in html or "Work today" in html
    assert "?overdue=true" in html and "?review=true" in html
    listed = client.get("/cases/?review=true").content.decode()
    assert case.number in listed

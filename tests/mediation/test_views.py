"""The mediation pages as their users meet them: a mediator's desk, a clerk assigning mediators from
the ranked roster, a session that ends the mediation, the agreement from draft to signature, its
correction by a new version and the check of each term."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Status
from govcenter.models import Role
from mediation import services
from mediation.models import Agreement, AgreementTerm, Assignment, MediationSession, Mediator
from tests.conftest import make_member
from tests.fixtures_cases import ID_APPLICANT
from tests.mediation.conftest import specialty

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def login(client):
    """Log a user in; the pages speak English so the assertions do not depend on the catalog."""

    def as_user(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return as_user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def draft(case, org, actor, *terms) -> Agreement:
    data = services.AgreementInput(
        facts="楼上漏水致楼下天花板受损。",
        disputed_matters="维修费用的承担。",
        terms=list(terms) or [services.TermInput(text="赔偿维修费", due_date=date.today(), amount=Decimal("5000"))],
    )
    return services.agreement_draft(actor=actor, case=case, org=org, data=data)


def sign(agreement, actor) -> Agreement:
    return services.agreement_sign(
        actor=actor, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("signed.png", PNG)
    )


def local_minute(delta: timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def session_data(mediator, **overrides) -> dict:
    data = {
        "held_at": local_minute(-timedelta(hours=1)),
        "place": "东岗街道调解室",
        "mediators": [mediator.pk],
        "attendees": "申请人、被申请人",
        "notes": "双方陈述，同意由楼上住户承担维修费。",
        "next_steps": "",
        "outcome": "continue",
    }
    data.update(overrides)
    return data


def editor_data(rows: list[dict], **fields) -> dict:
    data = {
        "facts": "楼上漏水致楼下天花板受损。",
        "disputed_matters": "维修费用的承担。",
        "responsibilities": "楼上住户负主要责任。",
        "copies": "3",
        "terms-TOTAL_FORMS": str(len(rows)),
        "terms-INITIAL_FORMS": "0",
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(rows):
        for name in ("text", "manner", "place", "due_date", "amount"):
            data[f"terms-{index}-{name}"] = row.get(name, "")
    data.update(fields)
    return data


IN_TEN_DAYS = (date.today() + timedelta(days=10)).isoformat()
TWO_TERMS_AND_A_BLANK = [
    {
        "text": "被申请人赔偿申请人维修费",
        "manner": "银行转账",
        "place": "东岗街道调解室",
        "due_date": IN_TEN_DAYS,
        "amount": "5000",
    },
    {"text": "被申请人更换卫生间防水层", "due_date": IN_TEN_DAYS, "amount": "1234.56"},
    {},
]


# --- The desk -------------------------------------------------------------------------------------


def test_the_desk_lists_my_case_and_a_fulfilment_check_that_is_due(
    login, case_in_mediation, committee, mediator, clerk
):
    agreement = draft(
        case_in_mediation,
        committee,
        clerk,
        services.TermInput(text="赔偿维修费", due_date=date.today() - timedelta(days=1), amount=Decimal("800")),
        services.TermInput(text="赔礼道歉", due_date=date.today() + timedelta(days=30)),
    )
    sign(agreement, clerk)
    response = login(mediator.user).get("/mediation/")
    assert response.status_code == 200
    assert [row["case"].pk for row in response.context["my_cases"]] == [case_in_mediation.pk]
    assert [term.text for term in response.context["checks_due"]] == ["赔偿维修费"]
    page = response.content.decode()
    assert f'href="/cases/{case_in_mediation.pk}/"' in page and case_in_mediation.number in page
    assert f"/cases/{case_in_mediation.pk}/sessions/new/" in page
    assert f"/agreements/{agreement.pk}/#term-1" in page
    assert "Cases in mediation at your centers" not in page  # a mediator has no center's caseload


def test_the_desk_offers_to_draft_the_agreement_until_there_is_one(login, case_in_mediation, committee, mediator):
    client = login(mediator.user)
    assert f"/cases/{case_in_mediation.pk}/agreement/new/" in client.get("/mediation/").content.decode()
    agreement = draft(case_in_mediation, committee, mediator.user)
    page = client.get("/mediation/").content.decode()
    assert f"/cases/{case_in_mediation.pk}/agreement/new/" not in page
    assert f"/agreements/{agreement.pk}/edit/" in page


def test_an_overdue_case_is_marked_on_the_desk(login, case_in_mediation, mediator):
    Case.objects.filter(pk=case_in_mediation.pk).update(is_overdue=True)
    page = login(mediator.user).get("/mediation/").content.decode()
    assert 'class="overdue"' in page


def test_the_desk_shows_a_clerk_the_cases_in_mediation_at_their_centers(
    login, case_in_mediation, make_case, category, mediator, clerk, member_at
):
    make_case(category=category)  # classified, not in mediation
    response = login(clerk).get("/mediation/")
    assert [row["case"].pk for row in response.context["center_cases"]] == [case_in_mediation.pk]
    assert response.context["roster"] is None
    assert mediator.name in response.content.decode()
    sibling = login(member_at("sibling", Role.CLERK)).get("/mediation/")
    assert sibling.context["center_cases"] == []


def test_desk_query_count_stays_flat_as_assignments_grow(
    login, make_case, category, clerk, mediator, committee, django_assert_max_num_queries
):
    services.assign(actor=clerk, case=make_case(category=category), mediators=[mediator])
    client = login(mediator.user)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/mediation/").status_code == 200
    for _ in range(8):
        case = make_case(category=category)
        services.assign(actor=clerk, case=case, mediators=[mediator])
        draft(case, committee, clerk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/mediation/")
    assert len(response.context["my_cases"]) == 9 and len(response.context["drafts"]) == 8


def test_the_clerks_desk_query_count_stays_flat(
    login, make_case, category, clerk, mediator, committee, django_assert_max_num_queries
):
    services.assign(actor=clerk, case=make_case(category=category), mediators=[mediator])
    client = login(clerk)
    with CaptureQueriesContext(connection) as few:
        client.get("/mediation/")
    for _ in range(6):
        other = Mediator.objects.create(org=committee, center_code="620102001", name="其他调解员")
        services.assign(actor=clerk, case=make_case(category=category), mediators=[mediator, other])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/mediation/")
    assert len(response.context["center_cases"]) == 7


def test_the_nav_and_the_home_panel_lead_mediators_to_their_desk(login, mediator, clerk, member_at):
    page = login(mediator.user).get("/").content.decode()
    assert "Mediation desk" in page and "cases assigned to me" in page
    page = login(member_at("own", Role.GRID_WORKER)).get("/").content.decode()
    assert "Mediation desk" not in page and "fulfilment checks due" not in page


def test_a_mediator_without_a_roster_entry_is_told_why_the_desk_is_empty(login, member_at):
    response = login(member_at("own", Role.MEDIATOR)).get("/mediation/")
    assert "not on a mediation organisation's roster" in response.content.decode()


# --- Assigning mediators --------------------------------------------------------------------------


@pytest.fixture
def expert(county_org, tree):
    """A county expert in neighbour disputes, with an account that by itself sees no case."""
    user = make_member(tree["620102"], Role.MEDIATOR).user
    expert = Mediator.objects.create(org=county_org, center_code="620102", name="区邻里纠纷专家", user=user)
    expert.specialties.add(specialty("d-neighbour"))
    return expert


def test_the_assign_page_ranks_the_specialty_mediator_first_and_assigning_grants_the_case(
    login, make_case, category, clerk, committee, expert, client
):
    own = Mediator.objects.create(org=committee, center_code="620102001", name="本镇调解员")
    case = make_case(category=category)
    page = login(clerk).get(f"/cases/{case.pk}/mediators/")
    rows = page.context["suggestions"]
    assert [row["mediator"] for row in rows] == [expert, own]
    assert rows[0]["specialty"] and str(rows[0]["where"]) == "Higher center" and str(rows[1]["where"]) == "Own center"
    assert "specialty matches" in page.content.decode()

    response = client.post(f"/cases/{case.pk}/mediators/", {"mediators": [expert.pk], "version": case.version})
    assert response.status_code == 303
    assignment = Assignment.objects.get(case=case, mediator=expert, ended_at__isnull=True)
    assert "specialty" in assignment.reasons
    assert Case.objects.get(pk=case.pk).status == Status.IN_MEDIATION
    assert any("区邻里纠纷专家" in m for m in messages_of(client.get(f"/cases/{case.pk}/mediators/")))
    assert login(expert.user).get(f"/cases/{case.pk}/").status_code == 200


def test_ending_an_assignment_takes_the_case_away(login, make_case, category, clerk, expert):
    case = make_case(category=category)
    services.assign(actor=clerk, case=case, mediators=[expert])
    assignment = Assignment.objects.get(case=case, mediator=expert)
    response = login(clerk).post(f"/cases/{case.pk}/mediators/{assignment.pk}/end/", {"reason": "回避"})
    assert response.status_code == 303
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    assert case.events.filter(verb="unassign-mediator").exists()
    assert login(expert.user).get(f"/cases/{case.pk}/").status_code == 404


def test_assigning_nobody_says_so_and_changes_nothing(login, make_case, category, clerk, expert):
    case = make_case(category=category)
    response = login(clerk).post(f"/cases/{case.pk}/mediators/", {"version": case.version})
    assert response.status_code == 200 and response.context["form"].errors["mediators"]
    assert Case.objects.get(pk=case.pk).status == Status.CLASSIFIED


def test_a_stale_assign_page_gets_the_conflict_message(login, make_case, category, clerk, expert):
    case = make_case(category=category)
    stale = case.version + 1
    response = login(clerk).post(f"/cases/{case.pk}/mediators/", {"mediators": [expert.pk], "version": stale})
    assert response.status_code == 200
    assert "changed by someone else" in " ".join(response.context["form"].non_field_errors())
    assert not Assignment.objects.filter(case=case).exists()


def test_a_mediator_may_not_assign_mediators(login, case_in_mediation, mediator):
    assert login(mediator.user).get(f"/cases/{case_in_mediation.pk}/mediators/").status_code == 403


# --- Sessions -------------------------------------------------------------------------------------


def test_the_session_form_preselects_the_assigned_mediators(login, case_in_mediation, mediator, committee):
    Mediator.objects.create(org=committee, center_code="620102001", name="未分配调解员")
    response = login(mediator.user).get(f"/cases/{case_in_mediation.pk}/sessions/new/")
    form = response.context["form"]
    assert form["mediators"].value() == [mediator.pk]
    assert len(form.fields["mediators"].choices) == 2
    assert "Resolves the case" in response.content.decode()


def test_a_session_with_outcome_agreed_resolves_the_case(login, case_in_mediation, mediator):
    client = login(mediator.user)
    response = client.post(
        f"/cases/{case_in_mediation.pk}/sessions/new/", session_data(mediator, outcome="agreed"), follow=True
    )
    assert response.redirect_chain[-1][0] == f"/cases/{case_in_mediation.pk}/"
    assert Case.objects.get(pk=case_in_mediation.pk).status == Status.RESOLVED
    assert any("resolved" in m for m in messages_of(response))
    session = MediationSession.objects.get(case=case_in_mediation)
    assert list(session.mediators.all()) == [mediator]
    listing = client.get(f"/cases/{case_in_mediation.pk}/sessions/").content.decode()
    assert "同意由楼上住户承担维修费" in listing


def test_a_session_dated_in_the_future_is_refused_on_the_field_and_nothing_is_lost(login, case_in_mediation, mediator):
    response = login(mediator.user).post(
        f"/cases/{case_in_mediation.pk}/sessions/new/", session_data(mediator, held_at=local_minute(timedelta(days=1)))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["held_at"] == ["A session is recorded after it was held, not before."]
    assert "双方陈述，同意由楼上住户承担维修费。" in response.content.decode()
    assert not MediationSession.objects.exists()
    assert Case.objects.get(pk=case_in_mediation.pk).status == Status.IN_MEDIATION


def test_no_session_form_outside_mediation(login, make_case, category, clerk, mediator):
    case = make_case(category=category)
    response = login(clerk).get(f"/cases/{case.pk}/sessions/new/")
    assert response.status_code == 200 and "form" in response.context and not response.context["open"]
    response = login(clerk).post(f"/cases/{case.pk}/sessions/new/", session_data(mediator))
    assert "Sessions are recorded while the case is in mediation" in response.content.decode()
    assert not MediationSession.objects.exists()


# --- The agreement editor -------------------------------------------------------------------------


def test_the_editor_offers_three_blank_terms_and_the_case_facts(
    login, case_in_mediation, committee, county_org, mediator
):
    response = login(mediator.user).get(f"/cases/{case_in_mediation.pk}/agreement/new/")
    page = response.content.decode()
    for index in range(3):
        assert f'name="terms-{index}-text"' in page
    assert 'name="terms-3-text"' not in page
    form = response.context["form"]
    assert form["facts"].value() == case_in_mediation.facts
    assert [value for value, _label in form.fields["org"].choices][0] == committee.pk  # the case's center first


def test_the_editor_drafts_the_agreement_with_two_terms_and_ignores_the_blank_row(
    login, case_in_mediation, committee, mediator
):
    client = login(mediator.user)
    response = client.post(
        f"/cases/{case_in_mediation.pk}/agreement/new/",
        editor_data(TWO_TERMS_AND_A_BLANK, org=committee.pk, mediators=[mediator.pk]),
    )
    assert response.status_code == 303, response.context and response.context["form"].errors
    agreement = Agreement.objects.get(case=case_in_mediation)
    assert response.url == f"/agreements/{agreement.pk}/"
    assert [t.text for t in agreement.terms.order_by("position")] == [
        "被申请人赔偿申请人维修费",
        "被申请人更换卫生间防水层",
    ]
    assert list(agreement.mediators.all()) == [mediator]
    page = client.get(response.url).content.decode()
    assert "人民币伍仟元整" in page and "人民币壹仟贰佰叁拾肆元伍角陆分" in page
    assert f"/api/v1/agreements/{agreement.pk}/pdf/" in page
    edit = client.get(f"/agreements/{agreement.pk}/edit/").content.decode()
    assert "人民币伍仟元整" in edit and 'name="terms-4-text"' in edit  # two terms and three blank rows


def test_a_term_without_a_date_is_refused_and_nothing_is_lost(login, case_in_mediation, committee, mediator):
    rows = [{"text": "赔偿维修费", "amount": "300"}, {}, {}]
    response = login(mediator.user).post(
        f"/cases/{case_in_mediation.pk}/agreement/new/", editor_data(rows, org=committee.pk)
    )
    assert response.status_code == 200
    assert response.context["terms"].forms[0].errors["due_date"]
    assert "赔偿维修费" in response.content.decode() and "人民币叁佰元整" in response.content.decode()
    assert not Agreement.objects.exists()


def test_an_agreement_needs_a_term(login, case_in_mediation, committee, mediator):
    response = login(mediator.user).post(
        f"/cases/{case_in_mediation.pk}/agreement/new/", editor_data([{}, {}, {}], org=committee.pk)
    )
    assert response.status_code == 200
    assert response.context["term_errors"] == ["An agreement needs at least one term."]
    assert not Agreement.objects.exists()


def test_more_term_rows_without_javascript_keep_what_was_typed(login, case_in_mediation, committee, mediator):
    rows = [{"text": "赔偿维修费", "due_date": IN_TEN_DAYS}, {}, {}]
    response = login(mediator.user).post(
        f"/cases/{case_in_mediation.pk}/agreement/new/", editor_data(rows, org=committee.pk, add_rows="1")
    )
    assert response.status_code == 200 and len(response.context["terms"].forms) == 6
    assert "赔偿维修费" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_draft_is_edited(login, case_in_mediation, committee, mediator):
    agreement = draft(case_in_mediation, committee, mediator.user)
    data = editor_data(
        [{"text": "赔偿维修费", "due_date": IN_TEN_DAYS, "amount": "4800"}, {}], **{"terms-INITIAL_FORMS": "1"}
    )
    data["facts"] = "改：楼上漏水。"
    response = login(mediator.user).post(f"/agreements/{agreement.pk}/edit/", data)
    assert response.status_code == 303
    agreement.refresh_from_db()
    assert agreement.facts == "改：楼上漏水。"
    assert [t.amount for t in agreement.terms.all()] == [Decimal("4800.00")]


def test_a_second_draft_leads_to_the_first(login, case_in_mediation, committee, mediator):
    agreement = draft(case_in_mediation, committee, mediator.user)
    response = login(mediator.user).get(f"/cases/{case_in_mediation.pk}/agreement/new/")
    assert response.status_code == 303 and response.url == f"/agreements/{agreement.pk}/edit/"


def test_editing_a_signed_agreement_is_refused_with_a_message(login, case_in_mediation, committee, mediator):
    agreement = sign(draft(case_in_mediation, committee, mediator.user), mediator.user)
    client = login(mediator.user)
    page = client.get(f"/agreements/{agreement.pk}/edit/").content.decode()
    assert "is read-only" in page and "Supersede with this corrected version" in page
    data = editor_data([{"text": "改", "due_date": IN_TEN_DAYS}], **{"terms-INITIAL_FORMS": "1"})
    response = client.post(f"/agreements/{agreement.pk}/edit/", data)
    assert "A signed agreement is never edited: make a new version that supersedes it." in messages_of(response)
    agreement.refresh_from_db()
    assert agreement.facts == "楼上漏水致楼下天花板受损。" and agreement.terms.get().text == "赔偿维修费"


def test_superseding_a_signed_agreement_makes_version_two(login, case_in_mediation, committee, mediator):
    agreement = sign(draft(case_in_mediation, committee, mediator.user), mediator.user)
    client = login(mediator.user)
    rows = [{"text": "赔偿维修费", "due_date": IN_TEN_DAYS, "amount": "5500"}, {}]
    data = editor_data(rows, action="supersede", **{"terms-INITIAL_FORMS": "1"})
    refused = client.post(f"/agreements/{agreement.pk}/edit/", data)
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    response = client.post(f"/agreements/{agreement.pk}/edit/", {**data, "reason": "金额笔误"})
    new = Agreement.objects.get(supersedes=agreement)
    assert response.status_code == 303 and response.url == f"/agreements/{new.pk}/"
    assert new.version == 2 and new.status == Agreement.State.DRAFT
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.State.SUPERSEDED
    page = client.get(response.url).content.decode()
    assert "人民币伍仟伍佰元整" in page and agreement.number in page
    old_page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "no longer valid" in old_page and new.number in old_page


# --- One agreement --------------------------------------------------------------------------------


def test_a_draft_is_signed_with_its_scan(login, case_in_mediation, committee, mediator):
    agreement = draft(case_in_mediation, committee, mediator.user)
    client = login(mediator.user)
    assert "Record the signing" in client.get(f"/agreements/{agreement.pk}/").content.decode()
    response = client.post(
        f"/agreements/{agreement.pk}/sign/",
        {"signed_on": date.today().isoformat(), "scan": SimpleUploadedFile("signed.png", PNG)},
    )
    assert response.status_code == 303
    agreement.refresh_from_db()
    assert agreement.status == Agreement.State.SIGNED and agreement.signed_scan
    scan = client.get(f"/agreements/{agreement.pk}/scan/")
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PNG


def test_a_scan_of_the_wrong_type_is_refused_with_a_message(login, case_in_mediation, committee, mediator):
    agreement = draft(case_in_mediation, committee, mediator.user)
    response = login(mediator.user).post(
        f"/agreements/{agreement.pk}/sign/",
        {"signed_on": date.today().isoformat(), "scan": SimpleUploadedFile("signed.exe", b"MZ" + b"\x00" * 30)},
        follow=True,
    )
    assert any("are not accepted" in m for m in messages_of(response))
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.State.DRAFT


def test_a_term_is_checked(login, case_in_mediation, committee, mediator):
    agreement = sign(draft(case_in_mediation, committee, mediator.user), mediator.user)
    client = login(mediator.user)
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert f"/agreements/{agreement.pk}/terms/1/check/" in page and "check due" in page
    response = client.post(
        f"/agreements/{agreement.pk}/terms/1/check/",
        {"fulfilment": "partly", "checked_on": date.today().isoformat(), "note": "已付一半"},
        follow=True,
    )
    assert "Term 1: Partly fulfilled." in messages_of(response)
    term = AgreementTerm.objects.get(agreement=agreement)
    assert term.fulfilment == "partly" and term.fulfilment_note == "已付一半" and term.checked_at == date.today()
    assert login(mediator.user).get("/mediation/").context["checks_due"] == []


def test_a_check_dated_in_the_future_is_refused(login, case_in_mediation, committee, mediator):
    agreement = sign(draft(case_in_mediation, committee, mediator.user), mediator.user)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = login(mediator.user).post(
        f"/agreements/{agreement.pk}/terms/1/check/", {"fulfilment": "fulfilled", "checked_on": tomorrow}, follow=True
    )
    assert "The check date cannot be in the future." in messages_of(response)
    assert AgreementTerm.objects.get(agreement=agreement).fulfilment == "pending"


def test_identity_numbers_and_printing_are_for_those_who_may_see_them(
    login, make_case, category, clerk, committee, mediator, member_at
):
    case = make_case(category=category, applicant_id=ID_APPLICANT)
    services.assign(actor=clerk, case=case, mediators=[mediator])
    agreement = draft(case, committee, clerk)
    mine = login(mediator.user).get(f"/agreements/{agreement.pk}/").content.decode()
    assert ID_APPLICANT in mine and f"/api/v1/agreements/{agreement.pk}/pdf/" in mine
    auditor = login(member_at("parent", Role.AUDITOR))
    theirs = auditor.get(f"/agreements/{agreement.pk}/").content.decode()
    assert ID_APPLICANT not in theirs and ID_APPLICANT[-4:] in theirs
    assert "/pdf/" not in theirs and "Record the signing" not in theirs
    assert auditor.get(f"/agreements/{agreement.pk}/edit/").status_code == 403


def test_an_outsider_gets_404_everywhere(login, case_in_mediation, committee, mediator, member_at):
    agreement = sign(draft(case_in_mediation, committee, mediator.user), mediator.user)
    assignment = Assignment.objects.get(case=case_in_mediation)
    client = login(member_at("sibling", Role.CLERK))
    case_id, agreement_id = case_in_mediation.pk, agreement.pk
    for url in (
        f"/cases/{case_id}/mediators/",
        f"/cases/{case_id}/sessions/",
        f"/cases/{case_id}/sessions/new/",
        f"/cases/{case_id}/agreement/new/",
        f"/agreements/{agreement_id}/",
        f"/agreements/{agreement_id}/edit/",
        f"/agreements/{agreement_id}/scan/",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/cases/{case_id}/mediators/", {"mediators": [mediator.pk]}),
        (f"/cases/{case_id}/mediators/{assignment.pk}/end/", {}),
        (f"/cases/{case_id}/sessions/new/", session_data(mediator)),
        (f"/cases/{case_id}/agreement/new/", editor_data(TWO_TERMS_AND_A_BLANK, org=committee.pk)),
        (f"/agreements/{agreement_id}/edit/", editor_data([{}], action="supersede", reason="x")),
        (f"/agreements/{agreement_id}/sign/", {}),
        (f"/agreements/{agreement_id}/terms/1/check/", {"fulfilment": "fulfilled"}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert Assignment.objects.get(pk=assignment.pk).ended_at is None
    assert not MediationSession.objects.exists() and Agreement.objects.count() == 1


def test_the_pages_need_a_login(client, case_in_mediation):
    for url in ("/mediation/", f"/cases/{case_in_mediation.pk}/mediators/", f"/cases/{case_in_mediation.pk}/sessions/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case, Status
from govcenter.models import Center, Role
from mediation import selectors, services
from mediation.models import Agreement, Assignment, MediationOrg, Mediator
from mediation.numerals import yuan_in_capitals
from tests.conftest import make_member
from tests.mediation.conftest import specialty

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class TestRoster:
    def test_a_director_keeps_the_roster(self, director, api_as, tree):
        client = api_as(director)
        org = client.post(
            "/api/v1/mediation-orgs/",
            {"name": "城关区物业纠纷调解委员会", "kind": "industry", "center": "620102", "short_name": "城关物业"},
            format="json",
        )
        assert org.status_code == 201, org.content
        mediator = client.post(
            "/api/v1/mediators/",
            {"name": "马志远", "org": org.json()["id"], "specialties": ["d-property-mgmt"]},
            format="json",
        )
        assert mediator.status_code == 201, mediator.content
        assert mediator.json()["specialties"] == ["d-property-mgmt"] and mediator.json()["caseload"] == 0

    def test_a_clerk_may_not(self, clerk, api_as):
        response = api_as(clerk).post(
            "/api/v1/mediation-orgs/", {"name": "x", "kind": "committee", "center": "620102001", "short_name": "x"}
        )
        assert response.status_code == 403

    def test_the_roster_reaches_up_not_sideways(self, committee, county_org, member_at, api_as, tree):
        sibling_org = MediationOrg.objects.create(
            center=tree["620102002"], center_code="620102002", name="雁南调委会", kind="committee", short_name="雁南"
        )
        names = {
            row["name"] for row in api_as(member_at("own", Role.CLERK)).get("/api/v1/mediation-orgs/").json()["results"]
        }
        assert names == {committee.name, county_org.name}
        assert sibling_org.name not in names

    def test_unknown_kind_is_400(self, director, api_as):
        response = api_as(director).post(
            "/api/v1/mediation-orgs/", {"name": "x", "kind": "army", "center": "620102", "short_name": "x"}
        )
        assert response.status_code == 400 and "kind" in response.json()


class TestSuggestionsAndAssignment:
    def test_ranked_by_specialty_then_load_then_distance(self, make_case, category, committee, county_org, clerk, tree):
        own = Mediator.objects.create(org=committee, center_code="620102001", name="本镇调解员")
        expert = Mediator.objects.create(org=county_org, center_code="620102", name="区排水专家")
        expert.specialties.add(specialty("d-neighbour"))
        sibling_org = MediationOrg.objects.create(
            center=tree["620102002"], center_code="620102002", name="邻镇调委会", kind="committee", short_name="雁南"
        )
        sibling = Mediator.objects.create(org=sibling_org, center_code="620102002", name="邻镇调解员")
        busy = Mediator.objects.create(org=committee, center_code="620102001", name="忙碌调解员")
        for _ in range(2):
            services.assign(actor=clerk, case=make_case(category=category), mediators=[busy])
        case = make_case(category=category)
        ranked = [row["mediator"].name for row in selectors.suggest_mediators(case=case)]
        assert ranked == [expert.name, own.name, sibling.name, busy.name]
        reasons = selectors.suggest_mediators(case=case)[0]["reasons"]
        assert "specialty" in reasons and "distance:1" in reasons

    def test_grants_come_and_go_with_the_assignment(self, make_case, category, clerk, tree, api_as):
        sibling_org = MediationOrg.objects.create(
            center=tree["620102002"], center_code="620102002", name="邻镇调委会", kind="committee", short_name="雁南"
        )
        user = make_member(tree["620102002"], Role.MEDIATOR).user
        outsider = Mediator.objects.create(org=sibling_org, center_code="620102002", name="邻镇调解员", user=user)
        case = make_case(category=category)
        client = api_as(user)
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        response = api_as(clerk).post(
            "/api/v1/assignments/", {"case": case.pk, "mediators": [outsider.pk]}, format="json"
        )
        assert response.status_code == 201, response.content
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
        assert Case.objects.get(pk=case.pk).status == Status.IN_MEDIATION
        assignment = Assignment.objects.get(case=case, mediator=outsider)
        assert api_as(clerk).post(f"/api/v1/assignments/{assignment.pk}/end/").status_code == 200
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404

    def test_an_inactive_or_distant_mediator_cannot_be_assigned(self, make_case, category, clerk, committee):
        other_county = Center.objects.create(code="620103", level=3, name="七里河区", parent_id="6201")
        far_org = MediationOrg.objects.create(
            center=other_county, center_code="620103", name="七里河调委会", kind="committee", short_name="七里河"
        )
        far = Mediator.objects.create(org=far_org, center_code="620103", name="远方调解员")
        idle = Mediator.objects.create(org=committee, center_code="620102001", name="停用调解员", is_active=False)
        for mediator in (far, idle):
            case = make_case(category=category)
            with pytest.raises(services.MediationError):
                services.assign(actor=clerk, case=case, mediators=[mediator])
            assert Case.objects.get(pk=case.pk).status == Status.CLASSIFIED
            assert not Assignment.objects.filter(case=case).exists()


class TestSessions:
    def _session(self, client, case, mediator, **overrides):
        payload = {
            "case": case.pk,
            "held_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "place": "东岗街道调解室",
            "mediators": [mediator.pk],
            "attendees": "申请人、被申请人",
            "notes": "双方陈述并协商。",
            "outcome": "continue",
        }
        payload.update(overrides)
        return client.post("/api/v1/sessions/", payload, format="json")

    def test_a_session_goes_on_the_timeline(self, case_in_mediation, mediator, api_as):
        response = self._session(api_as(mediator.user), case_in_mediation, mediator)
        assert response.status_code == 201, response.content
        assert case_in_mediation.events.filter(verb="session").exists()
        assert Case.objects.get(pk=case_in_mediation.pk).status == Status.IN_MEDIATION

    @pytest.mark.parametrize(
        ("outcome", "status"), [("agreed", "resolved"), ("failed", "failed"), ("withdrawn", "failed")]
    )
    def test_the_outcome_drives_the_case(self, case_in_mediation, mediator, api_as, outcome, status):
        self._session(api_as(mediator.user), case_in_mediation, mediator, outcome=outcome)
        assert Case.objects.get(pk=case_in_mediation.pk).status == status

    def test_a_session_in_the_future_is_refused(self, case_in_mediation, mediator, api_as):
        tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
        response = self._session(api_as(mediator.user), case_in_mediation, mediator, held_at=tomorrow)
        assert response.status_code == 400 and "held_at" in response.json()

    def test_no_session_outside_mediation(self, make_case, category, mediator, clerk, api_as):
        case = make_case(category=category)
        assert self._session(api_as(clerk), case, mediator).status_code == 409


class TestAgreements:
    def _draft(self, client, case, org, **overrides):
        payload = {
            "case": case.pk,
            "org": org.pk,
            "facts": "楼上漏水致楼下天花板受损。",
            "disputed_matters": "维修费用的承担。",
            "responsibilities": "楼上住户负主要责任。",
            "terms": [
                {
                    "text": "被申请人赔偿申请人维修费",
                    "due_date": (date.today() + timedelta(days=10)).isoformat(),
                    "manner": "现金",
                    "place": "东岗街道调解室",
                    "amount": "5000",
                }
            ],
        }
        payload.update(overrides)
        return client.post("/api/v1/agreements/", payload, format="json")

    def test_draft_edit_sign_and_it_is_locked(self, case_in_mediation, committee, mediator, api_as, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client = api_as(mediator.user)
        draft = self._draft(client, case_in_mediation, committee)
        assert draft.status_code == 201, draft.content
        body = draft.json()
        year = timezone.localdate().year
        assert body["number"] == f"东岗人调〔{year}〕1号"
        assert body["terms"][0]["amount_in_words"] == "人民币伍仟元整"
        assert {p["name"] for p in body["parties"]} == {p.name for p in case_in_mediation.parties.all()}
        edited = client.patch(
            f"/api/v1/agreements/{body['id']}/",
            {
                "facts": "改：楼上漏水。",
                "disputed_matters": "维修费。",
                "terms": [
                    {"text": "赔偿维修费", "due_date": date.today().isoformat(), "amount": "4800"},
                    {"text": "更换防水层", "due_date": (date.today() + timedelta(days=30)).isoformat()},
                ],
            },
            format="json",
        )
        assert edited.status_code == 200 and len(edited.json()["terms"]) == 2
        scan = SimpleUploadedFile("signed.png", PNG)
        signed = client.post(
            f"/api/v1/agreements/{body['id']}/sign/",
            {"signed_on": date.today().isoformat(), "scan": scan},
            format="multipart",
        )
        assert signed.status_code == 200, signed.content
        assert signed.json()["status"] == "signed"
        again = client.patch(
            f"/api/v1/agreements/{body['id']}/",
            {"facts": "x", "disputed_matters": "x", "terms": [{"text": "x", "due_date": date.today().isoformat()}]},
            format="json",
        )
        assert again.status_code == 409
        assert Agreement.objects.get(pk=body["id"]).facts == "改：楼上漏水。"

    def test_a_correction_is_a_new_version_that_supersedes(
        self, case_in_mediation, committee, mediator, clerk, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        data = services.AgreementInput(
            facts="事实", disputed_matters="争议", terms=[services.TermInput(text="赔偿", due_date=date.today())]
        )
        agreement = services.agreement_draft(actor=clerk, case=case_in_mediation, org=committee, data=data)
        services.agreement_sign(
            actor=clerk, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
        )
        new = services.agreement_supersede(actor=clerk, agreement=agreement, data=data, reason="金额笔误")
        agreement.refresh_from_db()
        assert agreement.status == "superseded" and new.supersedes == agreement and new.version == 2
        assert new.status == "draft" and new.parties.count() == agreement.parties.count()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"terms": []}, "terms"),
            ({"terms": [{"text": "赔偿"}]}, "terms"),
            ({"facts": ""}, "facts"),
            ({"copies": 1}, "copies"),
        ],
    )
    def test_bad_agreements_are_refused_and_nothing_saved(
        self, case_in_mediation, committee, mediator, api_as, change, field
    ):
        response = self._draft(api_as(mediator.user), case_in_mediation, committee, **change)
        assert response.status_code == 400 and field in response.json()
        assert not Agreement.objects.exists()

    def test_fulfilment_is_checked_per_term_when_due(self, case_in_mediation, committee, clerk, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        data = services.AgreementInput(
            facts="事实",
            disputed_matters="争议",
            terms=[
                services.TermInput(text="赔偿", due_date=date.today() - timedelta(days=1), amount=Decimal("100")),
                services.TermInput(text="道歉", due_date=date.today() + timedelta(days=5)),
            ],
        )
        agreement = services.agreement_draft(actor=clerk, case=case_in_mediation, org=committee, data=data)
        services.agreement_sign(
            actor=clerk, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
        )
        due = list(selectors.fulfilment_checks_due(user=clerk, today=date.today()))
        assert [term.text for term in due] == ["赔偿"]
        services.term_check(actor=clerk, term=due[0], fulfilment="partly", checked_on=date.today(), note="已付一半")
        assert list(selectors.fulfilment_checks_due(user=clerk, today=date.today())) == []
        with pytest.raises(services.MediationError):
            services.term_check(
                actor=clerk, term=due[0], fulfilment="fulfilled", checked_on=date.today() + timedelta(days=2)
            )


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("50000", "人民币伍万元整"),
        ("1234.56", "人民币壹仟贰佰叁拾肆元伍角陆分"),
        ("10001", "人民币壹万零壹元整"),
        ("100.05", "人民币壹佰元零伍分"),
        ("105000", "人民币壹拾万伍仟元整"),
        ("100000000", "人民币壹亿元整"),
    ],
)
def test_amounts_in_capital_numerals(amount, words):
    assert yuan_in_capitals(Decimal(amount)) == words


def test_the_unknown_roster_objects_are_404(clerk, api_as):
    assert api_as(clerk).get("/api/v1/mediators/abc/").status_code == 404
    assert api_as(clerk).get("/api/v1/agreements/999/").status_code == 404


class TestAgreementPdf:
    def test_the_pdf_carries_the_chinese_text_and_a_code_that_verifies(
        self, case_in_mediation, committee, mediator, api_as, client
    ):
        import io

        from pypdf import PdfReader

        data = services.AgreementInput(
            facts="楼上漏水致楼下天花板受损。",
            disputed_matters="维修费用的承担。",
            terms=[
                services.TermInput(
                    text="被申请人赔偿申请人维修费",
                    due_date=date(2026, 12, 31),
                    amount=Decimal("50000"),
                    manner="银行转账",
                    place="东岗街道调解室",
                )
            ],
            mediators=[mediator],
        )
        agreement = services.agreement_draft(actor=mediator.user, case=case_in_mediation, org=committee, data=data)
        response = api_as(mediator.user).get(f"/api/v1/agreements/{agreement.pk}/pdf/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        compact = text.replace(" ", "").replace("\n", "")
        assert "人民调解协议书" in compact and agreement.number in compact
        for party in case_in_mediation.parties.all():
            assert party.name in compact
        assert "被申请人赔偿申请人维修费" in compact and "人民币伍万元整" in compact
        from govcenter.models import IssuedDocument

        document = IssuedDocument.objects.get(object_id=str(agreement.pk))
        assert document.code[:4] in compact
        page = client.get(f"/verify/{document.code}/").content.decode()
        assert agreement.number in page
        assert not any(party.name in page for party in case_in_mediation.parties.all())

    def test_only_those_who_may_see_identity_numbers_print_it(
        self, case_in_mediation, committee, clerk, member_at, api_as
    ):
        data = services.AgreementInput(
            facts="事实", disputed_matters="争议", terms=[services.TermInput(text="赔偿", due_date=date.today())]
        )
        agreement = services.agreement_draft(actor=clerk, case=case_in_mediation, org=committee, data=data)
        auditor = member_at("parent", Role.AUDITOR)
        assert api_as(auditor).get(f"/api/v1/agreements/{agreement.pk}/pdf/").status_code == 403
        outsider = member_at("sibling", Role.CLERK)
        assert api_as(outsider).get(f"/api/v1/agreements/{agreement.pk}/pdf/").status_code == 404


def test_the_session_record_and_the_confirmation_application_print(
    case_in_mediation, committee, mediator, api_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    import io

    from pypdf import PdfReader

    client = api_as(mediator.user)
    held = (timezone.now() - timedelta(hours=1)).isoformat()
    session = client.post(
        "/api/v1/sessions/",
        {
            "case": case_in_mediation.pk,
            "held_at": held,
            "place": "东岗街道调解室",
            "mediators": [mediator.pk],
            "attendees": "双方当事人",
            "notes": "双方同意分期赔偿。",
            "outcome": "agreed",
        },
        format="json",
    ).json()
    record = client.get(f"/api/v1/sessions/{session['id']}/pdf/")
    assert record.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(record.content)).pages).replace(" ", "")
    from django.utils import translation

    from mediation.models import MediationSession

    with translation.override("zh-hans"):
        outcome = str(MediationSession.Outcome.AGREED.label).replace(" ", "")
    assert "调解笔录" in text and "双方同意分期赔偿" in text and outcome in text

    data = services.AgreementInput(
        facts="事实", disputed_matters="争议", terms=[services.TermInput(text="赔偿", due_date=date.today())]
    )
    agreement = services.agreement_draft(
        actor=mediator.user, case=Case.objects.get(pk=case_in_mediation.pk), org=committee, data=data
    )
    assert client.get(f"/api/v1/agreements/{agreement.pk}/confirmation-application/").status_code == 409  # a draft
    services.agreement_sign(
        actor=mediator.user, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
    )
    application = client.get(f"/api/v1/agreements/{agreement.pk}/confirmation-application/")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(application.content)).pages).replace(" ", "")
    assert "司法确认申请书" in text and agreement.number in text


def test_a_citizen_may_name_a_preferred_mediator_from_the_public_roster(tree, mediator, committee, client):
    import mediation.public  # noqa: F401  (registered at start-up; imported here to be explicit)

    token = tree["620102001"].public_token
    page = client.get(f"/r/{token}/").content.decode()
    assert mediator.name in page and committee.name in page
    data = {
        "kind": "dispute",
        "title": "邻里纠纷",
        "facts": "噪音扰民。",
        "place": "",
        "name": "市民乙",
        "phone": "13700003333",
        "website": "",
        "preferred": f"mediator:{mediator.pk}",
    }
    client.post(f"/r/{token}/", data)
    case = Case.objects.get(channel="qr")
    assert case.preferred_mediation.startswith(mediator.name)
    bad = client.post(f"/r/{token}/", {**data, "preferred": "mediator:999999", "phone": "13700004444"})
    assert bad.status_code == 200 and Case.objects.count() == 1


def test_agreement_parties_hide_what_gives_an_identity_number_away(
    case_in_mediation, committee, clerk, member_at, api_as
):
    data = services.AgreementInput(
        facts="事实", disputed_matters="争议", terms=[services.TermInput(text="赔偿", due_date=date.today())]
    )
    agreement = services.agreement_draft(actor=clerk, case=case_in_mediation, org=committee, data=data)
    auditor = member_at("parent", Role.AUDITOR)
    for party in api_as(auditor).get(f"/api/v1/agreements/{agreement.pk}/").json()["parties"]:
        assert party["birth_date"] is None and party["sex"] == "" and party["address"] == ""
    full = api_as(clerk).get(f"/api/v1/agreements/{agreement.pk}/").json()["parties"]
    assert any(p["birth_date"] for p in full)


def test_editing_a_printed_draft_revokes_its_code_and_a_superseded_one_does_not_print(
    case_in_mediation, committee, clerk, settings, tmp_path
):
    from govcenter.models import IssuedDocument

    settings.MEDIA_ROOT = tmp_path
    data = services.AgreementInput(
        facts="事实", disputed_matters="争议", terms=[services.TermInput(text="赔偿", due_date=date.today())]
    )
    agreement = services.agreement_draft(actor=clerk, case=case_in_mediation, org=committee, data=data)
    _pdf, document = services.agreement_pdf(actor=clerk, agreement=agreement)
    services.agreement_edit(actor=clerk, agreement=agreement, data=data)
    assert IssuedDocument.objects.get(pk=document.pk).is_revoked
    services.agreement_sign(
        actor=clerk, agreement=agreement, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
    )
    new = services.agreement_supersede(actor=clerk, agreement=agreement, data=data, reason="更正")
    newer = services.agreement_supersede(
        actor=clerk,
        agreement=services.agreement_sign(
            actor=clerk, agreement=new, signed_on=date.today(), scan=SimpleUploadedFile("s.png", PNG)
        ),
        data=data,
        reason="再更正",
    )
    assert newer.number.endswith("号（第3版）") and newer.number.count("版") == 1
    with pytest.raises(services.CaseConflict):
        services.agreement_pdf(actor=clerk, agreement=Agreement.objects.get(pk=agreement.pk))


def test_the_workflow_verb_assigns_through_the_roster_so_the_grant_can_be_taken_back(
    make_case, category, clerk, mediator, api_as
):
    case = make_case(category=category)
    response = api_as(clerk).post(
        f"/api/v1/cases/{case.pk}/assign-mediator/", {"mediators": [mediator.user.username]}, format="json"
    )
    assert response.status_code == 200, response.content
    assignment = Assignment.objects.get(case=case, mediator=mediator)
    assert api_as(mediator.user).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    services.unassign(actor=clerk, assignment=assignment)
    assert api_as(mediator.user).get(f"/api/v1/cases/{case.pk}/").status_code == 404

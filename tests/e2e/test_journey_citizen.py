"""Journey: a citizen scans a center's QR code on a phone, reports, and follows it with the receipt code."""

from django.utils.translation import override

from cases.models import Case, Channel, Kind, Party
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.e2e.journeys import assert_fits_the_phone, zh

NAME, PHONE, FACTS = "李建国", "13800138000", "小区门口的下水道堵塞一周，污水漫到路面。"


def focus_order(page, start: str) -> list[str]:
    """The fields Tab reaches after `start`, by name (a button: its type), until the form's button."""
    page.locator(start).focus()
    reached = []
    while len(reached) < 20 and (not reached or reached[-1] != "submit"):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.type"))
    return reached


def test_citizen_reports_through_the_qr_form_and_follows_it(phone_page, live_server, tree):
    township = tree["620102001"]
    page = phone_page
    page.goto(f"{live_server.url}/r/{township.public_token}/")
    assert township.name in page.locator("h1").inner_text()
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "citizen-1-form")

    # Sent empty: each required field says so in place, nothing is recorded.
    page.get_by_role("button", name=zh("Send the report")).click()
    assert page.locator(".field.has-error").count() >= 3
    assert page.locator(".field.has-error").filter(has=page.get_by_label(zh("Your phone number"))).count() == 1
    assert page.get_by_label(zh("Your phone number")).get_attribute("aria-invalid") == "true"  # said, not only red
    assert not Case.objects.exists()
    assert_accessible_basics(page)
    shoot(page, "citizen-2-field-errors")

    with override("zh-hans"):
        page.get_by_label(str(Kind.REQUEST.label), exact=True).check()
    # By keyboard: Tab goes through the fields in the order they are read, past the robots' field.
    assert focus_order(page, start="input[name=kind]:checked") == ["title", "facts", "place", "name", "phone", "submit"]
    page.get_by_label(zh("In one sentence")).fill("下水道堵塞")
    page.get_by_label(zh("What happened")).fill(FACTS)
    page.get_by_label(zh("Where")).fill("东岗街道幸福小区东门")
    page.get_by_label(zh("Your name")).fill(NAME)
    page.get_by_label(zh("Your phone number")).fill(PHONE)
    page.get_by_role("button", name=zh("Send the report")).click()
    page.wait_for_url("**/receipt/*/")

    case = Case.objects.get()
    assert (case.channel, case.kind, case.center_code, case.facts) == (Channel.QR, Kind.REQUEST, township.code, FACTS)
    assert case.parties.get(role=Party.Role.APPLICANT).name == NAME
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert receipt == case.receipt
    assert receipt in page.locator(".messages").inner_text()
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "citizen-3-receipt")

    # Days later: the footer link, the code typed in, the status, and nothing personal.
    page.goto(f"{live_server.url}/r/{township.public_token}/")
    page.get_by_role("link", name=zh("Follow a report with its receipt code")).click()
    page.wait_for_url("**/receipt/")
    page.get_by_label(zh("Receipt code")).fill(receipt.lower())
    page.get_by_role("button", name=zh("Look it up")).click()
    page.wait_for_url(f"**/receipt/{receipt}/")
    text = page.locator("main").inner_text()
    assert receipt in text and township.name in text
    assert zh("Stage") in text
    for private in (NAME, PHONE, PHONE[-4:], FACTS, case.number):
        assert private not in page.content()
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "citizen-4-status")

"""Journey: a grid worker on a phone logs a patrol visit whose finding becomes a case."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from cases.models import Case, Channel
from govcenter.models import Role
from grids import services
from grids.models import Finding, Visit
from tests.conftest import make_member
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.e2e.journeys import assert_fits_the_phone, zh


def a_photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 60)).save(buffer, format="JPEG")
    return {"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture
def walked_grid(tree, with_password):
    director = make_member(tree["620102001"], Role.DIRECTOR, username="director_township").user
    worker = with_password(
        make_member(tree["620102001001"], Role.GRID_WORKER, username="grid_zhao", first_name="赵磊").user
    )
    grid = services.grid_create(
        actor=director,
        center=tree["620102001001"],
        name="东岗社区第1网格",
        kind="urban",
        households=400,
        residents=1000,
    )
    services.grid_assign(actor=director, grid=grid, worker=worker, started_at=timezone.now() - timedelta(days=7))
    return grid, worker


def test_grid_worker_logs_a_visit_that_becomes_a_case(
    phone_page, live_server, sign_in, walked_grid, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    grid, worker = walked_grid
    page = sign_in(phone_page, worker)

    page.get_by_role("link", name=zh("My grids")).first.click()
    page.wait_for_url("**/grids/mine/")
    assert grid.name in page.content()
    assert zh("No case of your grids is open.") in page.content()  # the empty state says what is so
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "grid-worker-1-my-grids")

    page.get_by_role("link", name=zh("Log a visit")).click()
    page.wait_for_url(f"**/grids/{grid.code}/visit/")
    assert_fits_the_phone(page)
    # Sent empty first: the error shows beside the field, and nothing is recorded.
    page.get_by_label(zh("Place visited")).fill("")
    page.get_by_role("button", name=zh("Record the visit")).click()
    error = zh("Say where the visit was (household, address or place).")
    assert page.locator(".field.has-error").filter(has_text=error).count() == 1
    assert not Visit.objects.exists()
    assert_accessible_basics(page)
    shoot(page, "grid-worker-2-field-error")

    page.get_by_label(zh("Place visited")).fill("东岗社区3号楼2单元")
    page.get_by_label(zh("Whom"), exact=True).fill("王秀英")
    page.get_by_text(zh("A dispute"), exact=True).click()
    page.get_by_label(zh("What was found")).fill("楼上漏水，邻里争执已两周，双方情绪激动。")
    page.get_by_label(zh("Photo")).set_input_files(a_photo())
    page.get_by_text(zh("Also report it as a case (grid report)")).click()
    page.get_by_label(zh("Summary of the case")).fill("3号楼漏水引发邻里纠纷")
    page.get_by_label(zh("Phone of the person visited")).fill("13912345678")
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "grid-worker-3-visit-form")
    page.get_by_role("button", name=zh("Record the visit")).click()
    page.wait_for_url("**/grids/mine/")

    visit = Visit.objects.get()
    case = Case.objects.get(visit=visit)
    assert (visit.worker_id, visit.grid_id, visit.finding) == (worker.pk, grid.pk, Finding.DISPUTE)
    assert visit.photo and visit.photo.size > 0
    assert (case.channel, case.title, case.center_code) == (Channel.GRID, "3号楼漏水引发邻里纠纷", "620102001001")
    messages = page.locator(".messages").inner_text()
    assert case.number in messages
    # The new case is on the worker's list of cases from their findings, linked to its page.
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert "3号楼漏水引发邻里纠纷" in page.content()
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "grid-worker-4-case")

    # The worker's other pages fit the phone too: all their visits (filtered to findings), the grid.
    page.goto(f"{live_server.url}/grids/mine/")
    page.get_by_role("link", name=zh("All my visits")).click()
    page.wait_for_url("**/grids/visits/**")
    assert "东岗社区3号楼2单元" in page.locator("main").inner_text()
    assert_fits_the_phone(page)
    assert_accessible_basics(page)
    shoot(page, "grid-worker-5-visits")
    page.goto(f"{live_server.url}{grid.get_absolute_url()}")
    assert grid.name in page.locator("h1").inner_text()
    assert_fits_the_phone(page)

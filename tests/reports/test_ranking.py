"""The red/black list: the order and ties on fixed data, the scheme's rules, preview and publish,
and a published snapshot that later data never changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Channel
from govcenter.audit import AuditEvent
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.models import Role
from reports import ranking, services
from reports.models import RankingEntry, RankingPublication
from tests.reports.conftest import LAST_MONTH, SCHEME, _in


def test_ranking_order_scores_and_marks(month_cases, tree, director):
    services.scheme_set(actor=director, center=tree["620102"], weights=SCHEME, red_cutoff=60, black_cutoff=30)
    rows = ranking.compute(tree["620102"], LAST_MONTH)
    by_code = {r.code: r for r in rows}
    own, sibling = by_code["620102001"], by_code["620102002"]
    assert own.figures["grid_found"] == {"num": 2, "den": 4, "score": 50.0}
    # One met in time, one met late, two still open past their limit: late as well.
    assert own.figures["resolve_on_time"] == {"num": 1, "den": 4, "score": 25.0}
    assert own.score == Decimal("37.5") and own.rank == 1 and own.mark == ""
    # The sibling found nothing by the grid (0) and resolved its one case late (0): black.
    assert sibling.score == Decimal("0.0") and sibling.rank == 2 and sibling.mark == "black"
    assert own.area_scores["screening"] == 37.5 and own.area_scores["petition"] is None


def test_ties_share_a_rank(tree, director, make_case):
    services.scheme_set(actor=director, center=tree["620102"], weights=SCHEME, red_cutoff=90, black_cutoff=10)
    for township in ("620102001", "620102002"):
        make_case(center_code=township, actor=director, channel=Channel.GRID, received_at=_in(LAST_MONTH))
    rows = ranking.compute(tree["620102"], LAST_MONTH)
    assert [(r.rank, r.score) for r in rows] == [(1, Decimal("50.0")), (1, Decimal("50.0"))]


def test_a_unit_with_nothing_to_count_is_neither_ranked_nor_marked(tree, director, make_case):
    services.scheme_set(actor=director, center=tree["620102"], weights=SCHEME, red_cutoff=90, black_cutoff=10)
    make_case(center_code="620102001", channel=Channel.GRID, received_at=_in(LAST_MONTH))
    rows = ranking.compute(tree["620102"], LAST_MONTH)
    assert [(r.code, r.rank, r.mark) for r in rows] == [("620102001", 1, ""), ("620102002", None, "")]
    assert rows[1].score is None


def test_an_indicator_with_nothing_to_count_drops_out(month_cases, tree, director):
    services.scheme_set(
        actor=director,
        center=tree["620102"],
        weights={"grid_found": 40, "petition_on_time": 60},
        red_cutoff=90,
        black_cutoff=10,
    )
    own = next(r for r in ranking.compute(tree["620102"], LAST_MONTH) if r.code == "620102001")
    assert own.figures["petition_on_time"]["score"] is None
    assert own.score == Decimal("50.0")  # only grid_found counts


def test_a_city_ranks_its_counties(month_cases, tree, member_at):
    rows = ranking.compute(tree["6201"], LAST_MONTH)
    assert [r.code for r in rows] == ["620102"]
    assert rows[0].figures["grid_found"]["den"] == 6


@pytest.mark.parametrize(
    ("weights", "red", "black", "field"),
    [
        ({"grid_found": 50, "resolve_on_time": 40}, 80, 50, "weights"),
        ({"grid_found": 100, "astrology": 0}, 80, 50, "weights"),
        ({"grid_found": 101}, 80, 50, "weights"),
        ({"grid_found": 100}, 120, 50, "red_cutoff"),
        ({"grid_found": 100}, 50, 80, "black_cutoff"),
    ],
)
def test_bad_schemes_are_refused(tree, director, weights, red, black, field):
    with pytest.raises(DomainError) as error:
        services.scheme_set(actor=director, center=tree["620102"], weights=weights, red_cutoff=red, black_cutoff=black)
    assert error.value.field == field


def test_only_a_director_above_sets_and_publishes(tree, member_at):
    for user in (member_at("parent", Role.CLERK), member_at("own", Role.DIRECTOR), member_at("parent", Role.AUDITOR)):
        with pytest.raises(NotAllowed):
            services.scheme_set(actor=user, center=tree["620102"], weights=SCHEME, red_cutoff=80, black_cutoff=50)
        with pytest.raises(NotAllowed):
            services.publish(actor=user, center=tree["620102"], month=LAST_MONTH)
    with pytest.raises(DomainError):
        services.publish(actor=member_at("parent", Role.DIRECTOR), center=tree["620102001"], month=LAST_MONTH)


def test_a_published_list_is_frozen_and_the_next_shows_the_change(month_cases, tree, director, make_case):
    services.scheme_set(actor=director, center=tree["620102"], weights=SCHEME, red_cutoff=60, black_cutoff=30)
    publication = services.publish(actor=director, center=tree["620102"], month=LAST_MONTH)
    frozen = list(publication.entries.values_list("unit_code", "rank", "score"))
    assert AuditEvent.objects.filter(action="ranking.publish").count() == 1
    with pytest.raises(ConflictError):
        services.publish(actor=director, center=tree["620102"], month=LAST_MONTH)
    # Later data and a changed scheme do not touch the snapshot.
    for _n in range(3):
        make_case(center_code="620102002", actor=director, channel=Channel.GRID, received_at=_in(LAST_MONTH, 25))
    services.scheme_set(
        actor=director, center=tree["620102"], weights={"grid_found": 100}, red_cutoff=90, black_cutoff=5
    )
    assert (
        list(RankingEntry.objects.filter(publication=publication).values_list("unit_code", "rank", "score")) == frozen
    )
    assert RankingPublication.objects.get().scheme["weights"] == SCHEME
    # The live preview of the same month would now differ, and the next month compares with the frozen one.
    sibling_now = next(r for r in ranking.compute(tree["620102"], LAST_MONTH) if r.code == "620102002")
    assert sibling_now.rank == 1
    this_month = timezone.localdate().replace(day=1)
    preview = {r.code: r for r in services.preview(tree["620102"], this_month)}
    assert preview["620102002"].previous_rank == 2


def test_months_in_the_future_or_unfinished(tree, director):
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(DomainError):
        services.publish(actor=director, center=tree["620102"], month=this_month)
    with pytest.raises(DomainError):
        services.preview(tree["620102"], date(this_month.year + 1, 1, 1))


def test_rankings_api(month_cases, tree, director, api_as, member_at):
    client = api_as(director)
    month = f"{LAST_MONTH:%Y-%m}"
    preview = client.get(f"/api/v1/reports/rankings/?center=620102&month={month}")
    assert preview.status_code == 200 and preview.json()["published"] is False
    assert [r["code"] for r in preview.json()["results"]] == ["620102001", "620102002"]
    published = client.post("/api/v1/reports/rankings/", {"center": "620102", "month": month}, format="json")
    assert published.status_code == 201 and published.json()["published"] is True
    again = client.post("/api/v1/reports/rankings/", {"center": "620102", "month": month}, format="json")
    assert again.status_code == 409
    clerk = member_at("parent", Role.CLERK)
    assert api_as(clerk).get(f"/api/v1/reports/rankings/?center=620102&month={month}").json()["published"] is True
    assert api_as(clerk).post("/api/v1/reports/rankings/", {"center": "620102", "month": month}).status_code == 403
    assert api_as(member_at("own", Role.CLERK)).get("/api/v1/reports/rankings/?center=620102").status_code == 404
    assert client.get("/api/v1/reports/rankings/?center=620102&month=2999-01").status_code == 400
    assert client.get("/api/v1/reports/rankings/?center=620102&month=May").status_code == 400
    bad = client.put(
        "/api/v1/reports/ranking-scheme/",
        {"center": "620102", "weights": {"grid_found": 30}, "red_cutoff": 80, "black_cutoff": 50},
        format="json",
    )
    assert bad.status_code == 400 and "weights" in bad.json()
    good = client.put(
        "/api/v1/reports/ranking-scheme/",
        {
            "center": "620102",
            "weights": {"grid_found": 30, "resolve_on_time": 70},
            "red_cutoff": 80,
            "black_cutoff": 50,
        },
        format="json",
    )
    assert good.status_code == 200 and good.json()["weights"] == {"grid_found": 30, "resolve_on_time": 70}


def test_directors_are_reminded_once_of_an_unpublished_list(tree, director, member_at):
    from cases.models import Notification
    from reports.reminders import remind_unpublished_rankings

    member_at("own", Role.DIRECTOR)  # a township director has no list to publish
    assert remind_unpublished_rankings() == 1
    assert remind_unpublished_rankings() == 0  # a second run (or a retried task) adds nothing
    note = Notification.objects.get()
    assert note.recipient == director and "红黑榜" in note.text
    services.publish(actor=director, center=tree["620102"], month=LAST_MONTH)
    Notification.objects.all().delete()
    assert remind_unpublished_rankings() == 0


def test_postgresql_refuses_to_change_a_published_list(month_cases, tree, director):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    publication = services.publish(actor=director, center=tree["620102"], month=LAST_MONTH)
    with pytest.raises(DatabaseError, match="published snapshot"), transaction.atomic():
        RankingEntry.objects.filter(publication=publication).update(rank=9)
    with pytest.raises(DatabaseError, match="published snapshot"), transaction.atomic():
        RankingEntry.objects.filter(publication=publication).delete()

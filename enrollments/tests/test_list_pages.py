"""The enrollment lists page by keyset (``cursor``): links that stay put while officers record, a count that
stops at 10,000, and on PostgreSQL a plan that reads a page from the lists' indexes instead of sorting."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, officer_user
from collectors.tokens import issue_api_token
from core import clock
from core.keyset import Cursor, keyset_page
from enrollments.models import Enrollment
from enrollments.selectors import listed_for
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request

pytestmark = pytest.mark.django_db
API = "/api/v1/enrollments"


@pytest.fixture
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory(code="MINE")
    officer = officer_user(agency=agency)
    return {"campaign": campaign, "commune": commune, "officer": officer, "admin": UserFactory(role=Role.ADMIN)}


def record(world, number: int, *, product: str = "bhyt_hgd") -> Enrollment:
    make = bhyt_request if product == "bhyt_hgd" else bhxh_request
    return record_enrollment(
        campaign=world["campaign"],
        collector=world["officer"].collector,
        request=make(number, commune_code=world["commune"].code, collected_on=date(2025, 12, 1)),
    )


def record_many(world, count: int, *, start: int = 1, same_moment: bool = False) -> list[int]:
    """``count`` enrollments, one a second (or all at one moment: the id breaks the tie); their ids."""
    latest = Enrollment.objects.order_by("-recorded_at").values_list("recorded_at", flat=True).first()
    moment = max(latest or clock.now(), clock.now()) + timedelta(seconds=1)
    ids = []
    for number in range(start, start + count):
        enrollment = record(world, number)
        if not same_moment:
            moment += timedelta(seconds=1)
        Enrollment.objects.filter(pk=enrollment.pk).update(recorded_at=moment)
        ids.append(enrollment.pk)
    return ids


def newest_first(ids: list[int]) -> list[int]:
    return list(reversed(ids))


def page_ids(response) -> list[int]:
    return [row.pk for row in response.context["rows"]]


@pytest.fixture
def admin_page(client, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world["admin"])
    return client


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("same_moment", [False, True], ids=["a-second-apart", "at-one-moment"])
def test_the_page_walks_older_and_back_newer_through_every_row_once(admin_page, world, same_moment):
    ids = newest_first(record_many(world, 60, same_moment=same_moment))
    url = reverse("enrollments:list")
    first = admin_page.get(url)
    assert page_ids(first) == ids[:25] and not first.context["previous_cursor"]
    second = admin_page.get(url, {"cursor": first.context["next_cursor"]})
    third = admin_page.get(url, {"cursor": second.context["next_cursor"]})
    assert page_ids(second) == ids[25:50] and page_ids(third) == ids[50:]
    assert not third.context["next_cursor"]
    back = admin_page.get(url, {"cursor": third.context["previous_cursor"]})
    assert page_ids(back) == ids[25:50]
    top = admin_page.get(url, {"cursor": back.context["previous_cursor"]})
    assert page_ids(top) == ids[:25] and not top.context["previous_cursor"]


def test_a_page_stays_put_while_officers_record(admin_page, world):
    ids = newest_first(record_many(world, 30))
    url = reverse("enrollments:list")
    older = admin_page.get(url).context["next_cursor"]
    record_many(world, 3, start=100)  # recorded meanwhile: they go on top
    assert page_ids(admin_page.get(url, {"cursor": older})) == ids[25:]


def test_the_links_keep_the_filters(admin_page, world):
    for number in range(1, 31):
        record(world, number, product="bhxh_tn" if number % 2 else "bhyt_hgd")
    response = admin_page.get(reverse("enrollments:list"), {"product": "bhxh_tn"})
    body = response.content.decode()
    assert "15 enrollments" in body and 'rel="next"' not in body
    record_many(world, 30, start=200)
    response = admin_page.get(reverse("enrollments:list"), {"product": "bhyt_hgd"})
    link = f"product=bhyt_hgd&amp;cursor={response.context['next_cursor']}"
    assert link in response.content.decode()


def test_a_mangled_cursor_shows_the_first_page(admin_page, world):
    ids = newest_first(record_many(world, 3))
    response = admin_page.get(reverse("enrollments:list"), {"cursor": "n'; DROP TABLE x"})
    assert response.status_code == 200 and page_ids(response) == ids


def test_past_the_limit_the_count_says_more_than(admin_page, world, monkeypatch):
    monkeypatch.setattr("enrollments.views.records.LIST_COUNT_LIMIT", 4)
    record_many(world, 5)
    assert "More than 4 enrollments" in admin_page.get(reverse("enrollments:list")).content.decode()
    record_many(world, 0)
    monkeypatch.setattr("enrollments.views.records.LIST_COUNT_LIMIT", 5)
    assert "5 enrollments" in admin_page.get(reverse("enrollments:list")).content.decode()


# --- the API --------------------------------------------------------------------------------------


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test system")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_follows_next_and_previous_links(world):
    ids = newest_first(record_many(world, 12))
    api, headers = Client(), bearer(world["admin"])
    first = api.get(API, {"limit": 5, "product": "bhyt_hgd"}, headers=headers).json()
    assert [item["id"] for item in first["items"]] == ids[:5] and first["previous"] is None
    assert (first["count"], first["count_exact"]) == (12, True)
    assert "product=bhyt_hgd" in first["next"] and "limit=5" in first["next"]
    record_many(world, 2, start=50)  # on top; the pages already reached do not move
    second = api.get(first["next"], headers=headers).json()
    third = api.get(second["next"], headers=headers).json()
    assert [item["id"] for item in second["items"]] == ids[5:10]
    assert [item["id"] for item in third["items"]] == ids[10:] and third["next"] is None
    back = api.get(third["previous"], headers=headers).json()
    assert [item["id"] for item in back["items"]] == ids[5:10]


def test_an_offset_page_links_on_by_cursor(world):
    ids = newest_first(record_many(world, 8))
    api, headers = Client(), bearer(world["admin"])
    page = api.get(API, {"limit": 3, "offset": 2}, headers=headers).json()
    assert [item["id"] for item in page["items"]] == ids[2:5] and page["count"] == 8
    assert "offset" not in page["next"]
    assert [item["id"] for item in api.get(page["next"], headers=headers).json()["items"]] == ids[5:8]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"cursor": "garbage"}, "cursor"), ({"cursor": "n1733000000000000.5", "offset": 3}, "offset")],
)
def test_the_api_refuses_a_bad_cursor_with_the_field(world, query, field):
    response = Client().get(API, query, headers=bearer(world["admin"]))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_the_api_count_is_bounded(world, monkeypatch):
    monkeypatch.setattr("enrollments.api.LIST_COUNT_LIMIT", 3)
    record_many(world, 5)
    data = Client().get(API, {"limit": 2}, headers=bearer(world["admin"])).json()
    assert (data["count"], data["count_exact"], len(data["items"])) == (3, False, 2)


def test_the_openapi_document_describes_the_cursor_and_the_links(client):
    schema = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"][API]["get"]["parameters"]}
    assert {"limit", "offset", "cursor", "campaign", "week", "agency", "product"} <= parameters
    ref = schema["paths"][API]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"items", "count", "count_exact", "next", "previous"} <= set(page["properties"])


# --- PostgreSQL: the plan reads the index ---------------------------------------------------------


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_postgresql_reads_a_page_from_the_lists_indexes(world):
    """20,000 rows (cancelled copies of one, so no partial unique constraint applies) and ANALYZE: the
    planner's own choice, with nothing switched off, is an index scan in the lists' order, no sort."""
    template = record(world, 1)
    other = CollectorFactory(agency=AgencyFactory(code="OTHER"))
    skipped = ("id", "uuid", "status", "recorded_at", "cancel_reason", "agency_id", "collector_id")
    listed = ", ".join(f.column for f in Enrollment._meta.concrete_fields if f.column not in skipped)
    with connection.cursor() as cursor:
        # One row in ten is the officer's agency's, the rest another's.
        cursor.execute(
            "INSERT INTO enrollments_enrollment (uuid, status, cancel_reason, recorded_at, agency_id, collector_id, "
            f"{listed}) SELECT gen_random_uuid(), 'cancelled', 'test', e.recorded_at - g * interval '1 second', "
            "CASE WHEN g %% 10 = 0 THEN e.agency_id ELSE %s END, "
            "CASE WHEN g %% 10 = 0 THEN e.collector_id ELSE %s END, "
            f"{listed} FROM enrollments_enrollment e, generate_series(1, 20000) g WHERE e.id = %s",
            [other.agency_id, other.pk, template.pk],
        )
        cursor.execute("ANALYZE enrollments_enrollment")
    officer = world["officer"]
    campaign = {"campaign": world["campaign"]}  # as the page asks
    first = plan(listed_for(world["admin"], filters=campaign)[:25])
    mine = plan(listed_for(officer, filters=campaign)[:25])
    unfiltered = plan(listed_for(world["admin"])[:100])
    for text in (first, mine, unfiltered):
        assert "Sort" not in text, text
    assert "Index Scan using enrollment_newest" in first or "enrollment_campaign_newest" in first, first
    assert "Index Scan using enrollment_agency_newest" in mine, mine
    assert "Index Scan using enrollment_newest" in unfiltered, unfiltered
    # The pages after and before a row start the index scan at that row (recorded_at is the index's range).
    row = Enrollment.objects.order_by("-recorded_at", "-pk")[500]
    listed = listed_for(world["admin"])
    for cursor in (Cursor(row.recorded_at, row.pk), Cursor(row.recorded_at, row.pk, before=True)):
        queries = CaptureQueriesContext(connection)
        with queries:
            keyset_page(listed, cursor=cursor, size=25)
        (page_sql,) = [q["sql"] for q in queries.captured_queries]
        with connection.cursor() as db:
            db.execute("EXPLAIN " + page_sql)
            text = "\n".join(r[0] for r in db.fetchall())
        assert "Sort" not in text and "enrollment_newest" in text, text
        assert "Index Cond: (enrollments_enrollment.recorded_at" in text or "Index Cond: (recorded_at" in text, text

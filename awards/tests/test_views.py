"""The rankings pages: who opens what, what an officer sees of others, the live table, Excel, the admins' actions."""

import io
from datetime import date

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from awards.models import Period, Ranking
from awards.selectors import provisional_standings
from awards.services import compute_rankings, publish_ranking
from awards.tests.factories import AwardRuleFactory, local, officer_points_rule
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, officer_user

BHXH, BHYT = Product.BHXH_TN, Product.BHYT_HGD
W1_DAY = date(2025, 11, 14)
# During week 2 the live page shows week 2; week 1 is past its cut-off (19/11 12:00).
DURING_WEEK_2 = date(2025, 11, 21)


@pytest.fixture
def users(world):
    return {
        Role.ADMIN: UserFactory(role=Role.ADMIN, is_staff=True),
        Role.PROVINCIAL: UserFactory(role=Role.PROVINCIAL),
        Role.OFFICER: officer_user(agency=world.agencies["AG-B"]),
        None: UserFactory(),
    }


@pytest.fixture
def rankings(world):
    """Week 1: the agency ranking published, the officer ranking a draft. B1 is the signed-in officer's colleague."""
    agency_rule = AwardRuleFactory(campaign=world.campaign, name="Giải tập thể tuần")
    officer_rule = officer_points_rule(world.campaign, name="Giải cá nhân tuần")
    for _ in range(4):
        world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY, at=local(date(2025, 11, 20), 8))  # late
    computed = {item.rule.pk: item.ranking for item in compute_rankings(campaign=world.campaign, week_number=1)}
    published = publish_ranking(ranking=computed[agency_rule.pk])
    return {"agency": published, "officer": computed[officer_rule.pk]}


def login(client, users, role):
    """Sign in with the English UI chosen (pages are Vietnamese unless the language cookie says otherwise)."""
    client.force_login(users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("index", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
        ("live", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
        ("week", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
        ("final", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
        ("published", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
        ("draft", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 404, None: 403}),
        ("published_xlsx", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
        ("draft_xlsx", {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 404, None: 403}),
        ("reopen", {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403}),
    ],
)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL, Role.OFFICER, None], ids=str)
def test_role_access(client, world, users, rankings, settings, target, expected, role):
    settings.APP_TODAY = DURING_WEEK_2
    urls = {
        "index": reverse("awards:index"),
        "live": reverse("awards:live"),
        "week": reverse("awards:week", args=[1]),
        "final": reverse("awards:final"),
        "published": reverse("awards:detail", args=[rankings["agency"].pk]),
        "draft": reverse("awards:detail", args=[rankings["officer"].pk]),
        "published_xlsx": reverse("awards:export", args=[rankings["agency"].pk]),
        "draft_xlsx": reverse("awards:export", args=[rankings["officer"].pk]),
        "reopen": reverse("awards:reopen", args=[rankings["agency"].pk]),
    }
    login(client, users, role)
    assert client.get(urls[target]).status_code == expected[role]


@pytest.mark.parametrize("name", ["awards:publish", "awards:compute"])
def test_only_admins_may_post_the_actions(client, world, users, rankings, name):
    url = reverse(name, args=[rankings["officer"].pk]) if name == "awards:publish" else reverse(name)
    for role in (Role.PROVINCIAL, Role.OFFICER, None):
        assert login(client, users, role).post(url, {"week": 1}).status_code == 403
    assert Ranking.objects.get(pk=rankings["officer"].pk).is_draft


def test_anonymous_visitors_go_to_the_login_page(client, world, rankings):
    for url in (reverse("awards:index"), reverse("awards:live"), reverse("awards:week", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_week_page_shows_the_numbers_late_entries_and_the_draft_to_admins(client, world, users, rankings):
    body = login(client, users, Role.ADMIN).get(reverse("awards:week", args=[1])).content.decode()
    assert "Giải tập thể tuần" in body and "Giải cá nhân tuần" in body
    assert "3.000.000 ₫" in body  # AG-A's prize
    assert "no quota was set for this agency" in body  # AG-NOQ's reason
    assert "Publish this ranking" in body and 'name="fingerprint"' in body
    assert "Late enrollments" in body and "Phạm Văn B1" in body and "20/11/2025 08:00" in body


def test_officers_see_the_published_ranking_not_the_draft(client, world, users, rankings):
    body = login(client, users, Role.OFFICER).get(reverse("awards:week", args=[1])).content.decode()
    assert "Giải tập thể tuần" in body and "Giải cá nhân tuần" not in body
    assert "Your agency is ranked 2 of 3." in body
    assert "Publish this ranking" not in body


def test_an_officer_sees_their_rank_and_only_their_agency_s_numbers(client, world, users, rankings):
    publish_ranking(ranking=rankings["officer"])
    other = CollectorFactory(code="CB-X9", name="Người Ngoài", agency=AgencyFactory(code="AG-X"))
    body = login(client, users, Role.OFFICER).get(reverse("awards:detail", args=[rankings["officer"].pk])).content
    body = body.decode()
    # The officer (an AG-B user) sees their colleague B1 with numbers, and A1 (another agency) without.
    assert "Phạm Văn B1" in body and "CB-B1" in body
    assert "Trần Thị A1" in body and "CB-A1" not in body
    assert "12.672.000 ₫" not in body  # A1's amount (4 × 3.168.000) stays hidden
    assert "1.263.600 ₫" in body  # B1's amount (the late one is not counted)
    # Tied at 0 with CB-A2 and CB-N1, the officer's factory code (CB-0…) comes first: 3rd of 5.
    assert "You are ranked 3 of 5." in body
    assert other.code not in body


def test_the_officer_ranking_lists_the_top_and_the_officer_s_own_agency(client, world, users, rankings):
    for number in range(12):
        CollectorFactory(code=f"CB-Z{number:02d}", name=f"Xa {number}", agency=world.agencies["AG-A"])
    CollectorFactory(code="CB-ZZ", name="Đồng nghiệp cuối", agency=world.agencies["AG-B"])  # last, by code
    (again,) = [
        c for c in compute_rankings(campaign=world.campaign, week_number=1) if c.ranking.pk == rankings["officer"].pk
    ]
    publish_ranking(ranking=again.ranking)
    staff = (
        login(client, users, Role.PROVINCIAL).get(reverse("awards:detail", args=[again.ranking.pk])).content.decode()
    )
    officer = login(client, users, Role.OFFICER).get(reverse("awards:detail", args=[again.ranking.pk])).content.decode()
    assert staff.count("<tr class=") == 18 and "Showing" not in staff
    # The top ten (more than the five prizes), then the AG-B colleague placed 18th; AG-A's 11th to 17th stay out.
    assert officer.count("<tr class=") == 11 and "Showing 11 of 18" in officer
    assert (officer.count("Xa "), staff.count("Xa ")) == (5, 12)
    assert "Đồng nghiệp cuối" in officer


def test_the_live_page_refreshes_its_table_with_htmx(client, world, users, rankings, settings):
    settings.APP_TODAY = DURING_WEEK_2
    world.record("CB-B1", BHXH, on=date(2025, 11, 20))
    page = login(client, users, Role.PROVINCIAL).get(reverse("awards:live")).content.decode()
    assert 'hx-trigger="every 30s"' in page and "week 2" in page and "provisional" in page
    partial = client.get(reverse("awards:live"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="live-standings"' in partial
    assert "Phạm Văn B1" in partial and "3.168.000 ₫" in partial
    assert not Ranking.objects.filter(week__number=2).exists()  # nothing stored


def test_after_the_campaign_the_live_page_shows_the_whole_campaign(client, world, users, rankings):
    officer_points_rule(world.campaign, period=Period.FINAL, code="final", threshold=30, name="Giải cá nhân toàn đợt")
    body = login(client, users, Role.ADMIN).get(reverse("awards:live")).content.decode()
    assert "the whole campaign" in body and "Giải cá nhân toàn đợt" in body


def test_a_ranking_exports_to_excel_with_the_same_rows_the_viewer_sees(client, world, users, rankings):
    publish_ranking(ranking=rankings["officer"])
    url = reverse("awards:export", args=[rankings["officer"].pk])
    response = login(client, users, Role.ADMIN).get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "tuan1" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "Rank"))
    first = dict(zip(rows[header], rows[header + 1], strict=False))
    assert (first["Rank"], first["Code"], first["Score"], first["Prize (đồng)"]) == (1, "CB-A1", 12, 1_000_000)
    assert first["Amount collected (đồng)"] == 12_672_000

    officer_sheet = openpyxl.load_workbook(io.BytesIO(login(client, users, Role.OFFICER).get(url).content)).active
    masked = next(r for r in officer_sheet.iter_rows(values_only=True) if r[2] == "Trần Thị A1")
    assert masked[1] is None and None in masked[8:19]


def test_the_live_standings_export_too(client, world, users, settings):
    settings.APP_TODAY = DURING_WEEK_2
    rule = officer_points_rule(world.campaign)
    response = login(client, users, Role.ADMIN).get(reverse("awards:live_export"), {"rule": rule.code})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "provisional" in sheet["A2"].value
    assert client.get(reverse("awards:live_export"), {"rule": "nope"}).status_code == 404


def test_an_admin_computes_publishes_and_reopens_from_the_pages(client, world, users, rankings):
    login(client, users, Role.ADMIN)
    response = client.post(reverse("awards:compute"), {"week": 2}, follow=True)
    assert "draft computed" in response.content.decode()
    draft = Ranking.objects.get(week__number=2, rule__subject="agency")
    # A stale fingerprint publishes nothing.
    client.post(reverse("awards:publish", args=[draft.pk]), {"fingerprint": "0" * 64})
    assert Ranking.objects.get(pk=draft.pk).is_draft
    client.post(reverse("awards:publish", args=[draft.pk]), {"fingerprint": draft.fingerprint})
    published = Ranking.objects.get(pk=draft.pk)
    assert published.status == Ranking.Status.PUBLISHED and published.published_by == users[Role.ADMIN]

    refused = client.post(reverse("awards:reopen", args=[published.pk]), {"reason": ""})
    assert refused.status_code == 400
    response = client.post(reverse("awards:reopen", args=[published.pk]), {"reason": "Sai chỉ tiêu tuần 2"})
    new = Ranking.objects.get(week__number=2, rule__subject="agency", version=2)
    assert response.status_code == 302 and response["Location"] == reverse("awards:detail", args=[new.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Sai chỉ tiêu tuần 2" in page and "Re-opened from version 1" in page


def test_computing_before_the_cut_off_shows_why(client, world, users, settings):
    officer_points_rule(world.campaign)
    settings.APP_TODAY = DURING_WEEK_2
    response = login(client, users, Role.ADMIN).post(reverse("awards:compute"), {"week": 2}, follow=True)
    assert "26/11/2025 12:00" in response.content.decode()
    assert not Ranking.objects.exists()


def test_the_index_shows_the_prizes_against_the_budget(client, world, users, rankings):
    body = login(client, users, Role.ADMIN).get(reverse("awards:index")).content.decode()
    # Weekly rules pay every week: (6.000.000 + 2.800.000) × 5 = 44.000.000 of 70.000.000.
    assert "44.000.000 ₫" in body and "70.000.000 ₫" in body and "26.000.000 ₫ left" in body
    officer = login(client, users, Role.OFFICER).get(reverse("awards:index")).content.decode()
    assert "Giải tập thể tuần" in officer and "70.000.000" not in officer


@pytest.mark.parametrize(
    ("name", "args", "role", "limit"),
    [
        ("awards:index", [], Role.PROVINCIAL, 12),
        ("awards:live", [], Role.OFFICER, 15),  # computed here, under the lock (on PostgreSQL its query)
        ("awards:week", [1], Role.ADMIN, 14),
        ("awards:week", [1], Role.OFFICER, 14),
        ("awards:final", [], Role.PROVINCIAL, 12),
    ],
)
def test_page_query_counts_do_not_grow_with_data(
    client, world, users, rankings, settings, django_assert_max_num_queries, name, args, role, limit
):
    settings.APP_TODAY = DURING_WEEK_2
    for number in range(15):
        CollectorFactory(code=f"CB-M{number:02d}", agency=AgencyFactory())
    compute_rankings(campaign=world.campaign, week_number=1)
    login(client, users, role)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_the_detail_page_query_count(client, world, users, rankings, django_assert_max_num_queries):
    login(client, users, Role.OFFICER)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("awards:detail", args=[rankings["agency"].pk])).status_code == 200


def test_the_live_standings_are_computed_once_for_everyone_watching(world, settings, django_assert_num_queries):
    settings.APP_TODAY = DURING_WEEK_2
    rule = officer_points_rule(world.campaign)
    week = world.week(2)
    first = provisional_standings(campaign=world.campaign, week=week)
    with django_assert_num_queries(1):  # the rules only: the standings come from the cache
        again = provisional_standings(campaign=world.campaign, week=week)
    assert again[0].as_of == first[0].as_of and len(again[0].entries) == len(first[0].entries)
    rule.threshold = 20
    rule.save()
    edited = provisional_standings(campaign=world.campaign, week=week)
    assert edited[0].terms.threshold == 20  # an edited rule shows at once


def test_staff_see_the_top_of_the_live_table(client, world, users, settings):
    settings.APP_TODAY = DURING_WEEK_2
    officer_points_rule(world.campaign)
    for number in range(60):
        CollectorFactory(code=f"CB-L{number:02d}", agency=world.agencies["AG-A"])
    body = login(client, users, Role.PROVINCIAL).get(reverse("awards:live")).content.decode()
    assert body.count("<tr class=") == 50 and "Showing the top 50 of 65" in body

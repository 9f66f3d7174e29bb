"""Publishing: a published ranking never changes; late entries count in the final ranking; re-opening makes a new
version."""

from datetime import date
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction

from awards.models import Period, Ranking, RankingEntry
from awards.selectors import late_enrollments, latest_published
from awards.services import Outcome, compute_rankings, publish_ranking, purge_demo_rankings, reopen_ranking
from awards.tests.factories import local, officer_points_rule
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from core.errors import ConflictError, DomainError
from enrollments.services import cancel_enrollment

BHXH, BHYT = Product.BHXH_TN, Product.BHYT_HGD
W1_DAY = date(2025, 11, 14)
AFTER_W1_CUTOFF = local(date(2025, 11, 21), 9)
PUBLISHED_AT = local(date(2025, 11, 20), 8, 30)


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMIN, first_name="Quản trị Thử")


@pytest.fixture
def published(world, admin):
    """Week 1's officer ranking, published: CB-A1 first with 3 BHXH TN + 1 BHYT HGĐ (10 points)."""
    officer_points_rule(world.campaign)
    for _ in range(3):
        world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-A1", BHYT, on=W1_DAY)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    with mock.patch("core.clock.now", return_value=PUBLISHED_AT):
        return publish_ranking(ranking=computed.ranking, user=admin)


def frozen(ranking: Ranking) -> tuple:
    ranking = Ranking.objects.get(pk=ranking.pk)
    rows = list(ranking.entries.order_by("rank").values_list("code", "rank", "metric_value", "prize", "late_count"))
    return ranking.status, ranking.fingerprint, ranking.published_at, rows


def test_publishing_records_who_and_when(published, admin):
    assert published.status == Ranking.Status.PUBLISHED
    assert (published.published_by, published.published_at) == (admin, PUBLISHED_AT)


def test_publishing_is_guarded_by_state(published, admin):
    with pytest.raises(ConflictError, match="already published"):
        publish_ranking(ranking=published, user=admin)


def test_a_draft_recomputed_since_the_admin_looked_is_not_published(world, admin):
    officer_points_rule(world.campaign)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    seen = computed.ranking.fingerprint
    world.record("CB-B1", BHXH, on=W1_DAY)
    compute_rankings(campaign=world.campaign, week_number=1)
    with pytest.raises(ConflictError, match="recomputed"):
        publish_ranking(ranking=computed.ranking, user=admin, expected_fingerprint=seen)
    assert Ranking.objects.get(pk=computed.ranking.pk).status == Ranking.Status.DRAFT


def test_only_an_administrator_publishes(world):
    officer_points_rule(world.campaign)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    with pytest.raises(DomainError):
        publish_ranking(ranking=computed.ranking, user=UserFactory(role=Role.PROVINCIAL))


def test_computing_a_published_week_again_changes_nothing(published, world):
    before = frozen(published)
    world.record("CB-B1", BHXH, on=W1_DAY)  # on time, but after publication
    (again,) = compute_rankings(campaign=world.campaign, week_number=1)
    assert again.outcome == Outcome.PUBLISHED and again.ranking.pk == published.pk
    assert frozen(published) == before
    assert Ranking.objects.count() == 1


def test_the_database_refuses_to_change_a_published_ranking(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ranking.objects.filter(pk=published.pk).update(late_count=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingEntry.objects.filter(ranking=published).update(prize=9_999_999)
    entry = published.entries.first()
    entry.pk = None
    entry.rank = 99
    entry.collector = None
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()
    assert published.entries.filter(prize=9_999_999).count() == 0


@pytest.mark.postgres
def test_postgresql_also_refuses_to_delete_a_published_ranking(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingEntry.objects.filter(ranking=published).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Ranking.objects.filter(pk=published.pk).delete()
    assert Ranking.objects.filter(pk=published.pk).exists() and published.entries.exists()


def test_only_a_demo_campaign_s_rankings_can_be_purged(published, world):
    with pytest.raises(DomainError):
        purge_demo_rankings(campaign=world.campaign)
    world.campaign.is_demo = True
    world.campaign.save(update_fields=["is_demo"])
    assert purge_demo_rankings(campaign=world.campaign) == 1
    assert not Ranking.objects.exists()


# --- Late enrollments ---------------------------------------------------------------------------


def test_late_enrollments_after_publishing_count_in_the_final_ranking_and_are_listed_as_late(published, world, admin):
    before = frozen(published)
    final_rule = officer_points_rule(world.campaign, period=Period.FINAL, code="final", threshold=30)
    late = world.record("CB-B1", BHXH, on=W1_DAY, at=AFTER_W1_CUTOFF)
    world.record("CB-B1", BHYT, on=W1_DAY, at=AFTER_W1_CUTOFF, kind="renewal")  # late, but never counted

    assert frozen(published) == before  # the published week is untouched
    assert list(late_enrollments(admin, week=world.week(1))) == [late]
    (final,) = compute_rankings(campaign=world.campaign, final=True)
    assert final.rule == final_rule
    rows = {e.code: e for e in final.ranking.entries.all()}
    assert rows["CB-B1"].metric_value == 3 and rows["CB-B1"].bhxh_tn_count == 1
    assert rows["CB-A1"].metric_value == 10


def test_an_officer_sees_only_their_own_agency_s_late_enrollments(published, world):
    from collectors.tests.factories import officer_user

    world.record("CB-B1", BHXH, on=W1_DAY, at=AFTER_W1_CUTOFF)
    mine = world.record("CB-A2", BHXH, on=W1_DAY, at=AFTER_W1_CUTOFF)
    officer = officer_user(agency=world.agencies["AG-A"])
    assert list(late_enrollments(officer, week=world.week(1))) == [mine]


# --- Re-opening -----------------------------------------------------------------------------------------


def test_reopening_makes_a_new_version_and_keeps_the_old_one(published, world, admin):
    before = frozen(published)
    cancelled = published.entries.get(code="CB-A1")
    enrollment = world.collectors["CB-A1"].enrollments.filter(product=BHXH).first()
    cancel_enrollment(enrollment=enrollment, reason="Trùng hồ sơ giấy", user=admin)

    draft = reopen_ranking(ranking=published, user=admin, reason="Một hồ sơ bị trùng, đã hủy")
    assert (draft.version, draft.status, draft.reopened_from, draft.reopened_by) == (
        2,
        Ranking.Status.DRAFT,
        published,
        admin,
    )
    assert draft.reopen_reason == "Một hồ sơ bị trùng, đã hủy" and draft.reopened_at is not None
    assert draft.entries.get(code="CB-A1").metric_value == 7  # one BHXH TN fewer
    assert frozen(published) == before and cancelled.metric_value == 10
    assert latest_published(rule=published.rule, week=published.week) == published  # in force until v2 is published

    publish_ranking(ranking=draft, user=admin)
    assert latest_published(rule=published.rule, week=published.week).pk == draft.pk
    assert frozen(published) == before
    assert list(Ranking.objects.filter(rule=published.rule).values_list("version", "status")) == [
        (2, "published"),
        (1, "published"),
    ]


def test_reopening_needs_a_reason_an_admin_and_the_latest_published_version(published, world, admin):
    with pytest.raises(DomainError) as no_reason:
        reopen_ranking(ranking=published, user=admin, reason="  ")
    assert "reason" in no_reason.value.errors
    with pytest.raises(DomainError):
        reopen_ranking(ranking=published, user=UserFactory(role=Role.PROVINCIAL), reason="sửa")
    draft = reopen_ranking(ranking=published, user=admin, reason="sửa")
    with pytest.raises(ConflictError):
        reopen_ranking(ranking=published, user=admin, reason="lần nữa")  # v2 is open already
    with pytest.raises(ConflictError):
        reopen_ranking(ranking=draft, user=admin, reason="bản nháp")
    assert Ranking.objects.count() == 2


def test_the_database_requires_who_and_why_on_a_new_version(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ranking.objects.create(
            rule=published.rule,
            campaign=published.campaign,
            week=published.week,
            version=2,
            computed_at=published.computed_at,
            reopened_from=published,
        )


def test_the_database_keeps_one_draft_per_rule_and_week(world):
    officer_points_rule(world.campaign)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ranking.objects.create(
            rule=computed.rule,
            campaign=world.campaign,
            week=computed.ranking.week,
            version=5,
            computed_at=local(W1_DAY, 1),
        )


def test_the_triggers_are_installed_on_this_database(db):
    """SQLite drops triggers when a migration rebuilds a table: this fails if that happened."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'awards_%%' AND NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'awards_%'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"awards_ranking_frozen"} <= names and any(name.startswith("awards_rankingentry_frozen") for name in names)

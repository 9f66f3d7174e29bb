"""The monthly statement: settlements' fees and awards' prizes on one page and in one Excel file."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import AwardRule, Period, Ranking, RankingEntry, Subject
from awards.selectors import prizes_won
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory
from settlements.tests.conftest import world  # noqa: F401 (fixture)
from settlements.tests.test_fees import month  # noqa: F401 (fixture)

DEC = date(2025, 12, 1)


def _ranking(rule, *, week, winners, version=1, published=True, reopened_from=None, user=None):
    """A ranking stored as the awards app stores one: entries written while a draft, then published."""
    now = timezone.now()
    extra = {}
    if reopened_from is not None:
        extra = {"reopened_from": reopened_from, "reopened_at": now, "reopened_by": user, "reopen_reason": "Sửa"}
    ranking = Ranking.objects.create(
        rule=rule, campaign=rule.campaign, week=week, version=version, computed_at=now, fingerprint="x", **extra
    )
    for rank, (agency, collector, prize) in enumerate(winners, 1):
        RankingEntry.objects.create(
            ranking=ranking,
            rank=rank,
            agency=agency,
            collector=collector,
            code=collector.code if collector else agency.code,
            name=collector.name if collector else agency.name,
            eligible=True,
            prize=prize,
        )
    if published:
        Ranking.objects.filter(pk=ranking.pk).update(status=Ranking.Status.PUBLISHED, published_at=now)
    return ranking


@pytest.fixture
def prizes(month):  # noqa: F811
    """December's prizes of the agency BD-HT, by hand:
    - agencies, week 3 (26/11–2/12): 3.000.000 in version 1, corrected to 2.000.000 (rank 2) in version 2;
    - agencies, week 2 (ends 25/11): 3.000.000, November's;
    - agencies, week 4: a draft with 3.000.000, not published;
    - officers, week 5 (10–16/12): BD-HT's officer 1st, 1.000.000; the other agency's officer 700.000;
    - the final ranking (the campaign ends 16/12): BD-HT 3rd, 1.000.000.
    Prizes 2.000.000 + 1.000.000 + 1.000.000 = 4.000.000; with the 483.520 of fees: 4.483.520."""
    campaign, mine, other = month["campaign"], month["mine"], month["other"]
    weeks = {w.number: w for w in campaign.weeks.all()}
    agencies = AwardRule.objects.create(
        campaign=campaign, code="tuan", name="Thi đua tuần", period=Period.WEEKLY, subject=Subject.AGENCY,
        metric="attainment", prizes=[3_000_000, 2_000_000],
    )  # fmt: skip
    officers = AwardRule.objects.create(
        campaign=campaign, code="can-bo", name="Cán bộ thu xuất sắc", period=Period.WEEKLY,
        subject=Subject.COLLECTOR, metric="points", prizes=[1_000_000, 700_000],
    )  # fmt: skip
    final = AwardRule.objects.create(
        campaign=campaign, code="chung-cuoc", name="Chung cuộc", period=Period.FINAL, subject=Subject.AGENCY,
        metric="attainment", prizes=[5_000_000, 3_000_000, 1_000_000],
    )  # fmt: skip
    first = _ranking(agencies, week=weeks[3], winners=[(mine, None, 3_000_000), (other, None, 2_000_000)])
    _ranking(
        agencies, week=weeks[3], version=2, reopened_from=first, user=month["users"][Role.ADMIN],
        winners=[(other, None, 3_000_000), (mine, None, 2_000_000)],
    )  # fmt: skip
    _ranking(agencies, week=weeks[2], winners=[(mine, None, 3_000_000)])
    _ranking(agencies, week=weeks[4], winners=[(mine, None, 3_000_000)], published=False)
    _ranking(
        officers, week=weeks[5],
        winners=[(mine, month["collector"], 1_000_000), (other, month["other_collector"], 700_000)],
    )  # fmt: skip
    third = AgencyFactory(code="XA-1", name="Đại lý xã")
    _ranking(final, week=None, winners=[(other, None, 5_000_000), (third, None, 3_000_000), (mine, None, 1_000_000)])
    return month


def test_the_prizes_of_the_month_by_hand(prizes):
    lines = prizes_won(prizes["mine"], month=DEC)
    assert [(line.rule, line.week, line.rank, line.prize, line.by_officer) for line in lines] == [
        ("Thi đua tuần", 3, 2, 2_000_000, False),
        ("Cán bộ thu xuất sắc", 5, 1, 1_000_000, True),
        ("Chung cuộc", None, 3, 1_000_000, False),
    ]
    november = prizes_won(prizes["mine"], month=date(2025, 11, 1))
    assert [(line.week, line.prize) for line in november] == [(2, 3_000_000)]
    assert [line.prize for line in prizes_won(prizes["other"], month=DEC)] == [3_000_000, 700_000, 5_000_000]


def test_the_page_and_excel_carry_fees_and_prizes(client, prizes):
    client.force_login(prizes["users"][Role.OFFICER])
    page = client.get(reverse("dashboard:fees"), {"month": "2025-12", "agency": "BD-KHAC"})
    body = page.content.decode()
    assert "10.068.120 ₫" in body and "483.520 ₫" in body
    assert body.count('class="prize-line"') == 3 and "4.000.000 ₫" in body and "4.483.520 ₫" in body
    response = client.get(reverse("dashboard:fees_xlsx"), {"month": "2025-12"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Bưu điện Hòa Thành (BD-HT)"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows[0] == ["Thù lao", rows[0][1], rows[0][2], "Nguyễn Văn Thử 1", "BHXH tự nguyện", "tham gia mới",
                       3_168_000, "5%", 158_400]  # fmt: skip
    assert rows[5][3:] == ["Cộng thù lao", None, None, 10_068_120, None, 483_520]
    prize_rows = [row for row in rows if row[0] == "Giải thưởng"]
    assert [(row[4], row[5], row[7], row[8]) for row in prize_rows] == [
        ("Thi đua tuần", "Tuần 3", "Hạng 2", 2_000_000),
        ("Cán bộ thu xuất sắc", "Tuần 5", "Hạng 1", 1_000_000),
        ("Chung cuộc", "Chung cuộc", "Hạng 3", 1_000_000),
    ]
    assert prize_rows[1][3].endswith("(cán bộ thu)")
    assert rows[-2][3:] == ["Cộng giải thưởng", None, None, None, None, 4_000_000]
    assert rows[-1][3:] == ["Tổng cộng thù lao và giải thưởng", None, None, None, None, 4_483_520]


@pytest.mark.parametrize(("who", "status"), [(Role.ADMIN, 200), (Role.PROVINCIAL, 403), (None, 403)])
def test_who_opens_the_statement(client, month, who, status):  # noqa: F811
    client.force_login(month["users"][who])
    assert client.get(reverse("dashboard:fees"), {"month": "2025-12", "agency": "BD-HT"}).status_code == status


def test_a_bad_month_is_a_message(client, month):  # noqa: F811
    client.force_login(month["users"][Role.OFFICER])
    assert client.get(reverse("dashboard:fees"), {"month": "tháng 13"}).status_code == 200
    assert client.get(reverse("dashboard:fees_xlsx"), {"month": "2025-13"}).status_code == 400


def test_the_page_does_not_grow_with_its_prizes(client, prizes, django_assert_max_num_queries):
    client.force_login(prizes["users"][Role.OFFICER])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard:fees"), {"month": "2025-12"}).status_code == 200

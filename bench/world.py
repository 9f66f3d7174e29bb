"""Pieces of the scratch worlds that bench_dashboard, bench_rankings and bench_excel build for themselves.

(``make bench`` builds its world with ``seed_demo`` and ``generate_scale_data`` instead.)
"""

from datetime import date
from decimal import Decimal


def scratch_campaign(*, code: str, province, name: str = "Chiến dịch đo", award_budget: int | None = 70_000_000):
    """The demo's campaign shape: 12/11–16/12/2025, five weeks, targets 95% / 45% by 31/12."""
    from campaign.models import Campaign
    from campaign.services import save_campaign

    campaign = Campaign(
        code=code,
        name=name,
        province=province,
        start_date=date(2025, 11, 12),
        end_date=date(2025, 12, 16),
        bhyt_target_pct=Decimal("95"),
        bhxh_target_pct=Decimal("45"),
        target_date=date(2025, 12, 31),
        status=Campaign.Status.ACTIVE,
    )
    if award_budget is not None:
        campaign.award_budget = award_budget
    return save_campaign(campaign=campaign)


def officers_and_quotas(campaign, agencies: list, *, per_agency: int, bhxh: int, bhyt: int) -> None:
    """``per_agency`` officers in each agency (``AG-001-00`` ...) and the same quotas every week."""
    from collectors.models import Collector, WeeklyQuota

    Collector.objects.bulk_create(
        Collector(code=f"{agency.code}-{k:02d}", name=f"Cán bộ {agency.code}-{k:02d}", agency=agency)
        for agency in agencies
        for k in range(per_agency)
    )
    WeeklyQuota.objects.bulk_create(
        WeeklyQuota(week=week, agency=agency, product=product, count=count)
        for week in campaign.weeks.all()
        for agency in agencies
        for product, count in (("bhxh_tn", bhxh), ("bhyt_hgd", bhyt))
    )


def insert_enrollments(*, picked: str, channel: str, recorded_at: str) -> str:
    """``INSERT INTO enrollments_enrollment`` from the CTE ``picked`` (one row an enrollment: participant_id,
    product, collected_on, the officer's rank ``k``, random numbers r_kind and r_cancel, ``minute``), given as
    ``WITH ... picked AS (...)`` SQL, with the SQL expressions of the channel and the recording time.
    Amounts are the 2025 ones: BHXH tự nguyện on 1,500,000 ₫ for 12 months with the 'other' support,
    BHYT hộ gia đình the first member's; kinds 55/22/23 new, rejoin, renewal; 0.4% cancelled."""
    return f"""
    {picked},
    officers AS (
        SELECT c.id, c.agency_id, row_number() OVER (ORDER BY c.id) - 1 AS k FROM collectors_collector c
    )
    INSERT INTO enrollments_enrollment (uuid, participant_id, product, campaign_id, week_id, agency_id,
        collector_id, collected_on, months, coverage_start, coverage_end, income, support_group,
        member_order, amount_due, state_support, supported_months, amount_payable, receipt_no, channel,
        classification, status, source, recorded_at, cancel_reason)
    SELECT gen_random_uuid(), picked.participant_id, picked.product, %(campaign)s, w.id, o.agency_id, o.id,
        picked.collected_on, 12, picked.collected_on + 30, picked.collected_on + 30 + 364,
        CASE WHEN picked.product = 'bhxh_tn' THEN 1500000 END,
        CASE WHEN picked.product = 'bhxh_tn' THEN 'other' ELSE '' END,
        CASE WHEN picked.product = 'bhyt_hgd' THEN 1 END,
        CASE WHEN picked.product = 'bhxh_tn' THEN 3960000 ELSE 1263600 END,
        CASE WHEN picked.product = 'bhxh_tn' THEN 792000 ELSE 0 END,
        CASE WHEN picked.product = 'bhxh_tn' THEN 12 ELSE 0 END,
        CASE WHEN picked.product = 'bhxh_tn' THEN 3168000 ELSE 1263600 END,
        '', {channel},
        CASE WHEN r_kind < 0.55 THEN 'new' WHEN r_kind < 0.77 THEN 'rejoin' ELSE 'renewal' END,
        CASE WHEN r_cancel < 0.004 THEN 'cancelled' ELSE 'recorded' END,
        'import',
        ({recorded_at}) AT TIME ZONE 'Asia/Ho_Chi_Minh',
        CASE WHEN r_cancel < 0.004 THEN 'Nhập nhầm' ELSE '' END
    FROM picked
    JOIN officers o ON o.k = picked.k
    JOIN campaign_campaignweek w ON w.campaign_id = %(campaign)s
        AND picked.collected_on BETWEEN w.start_date AND w.end_date
    """

"""The demo's award rules (DOMAIN.md, "Awards") and the published rankings of the weeks closed before the demo day.

Prizes: 8.800.000 ₫ a week for five weeks plus 19.500.000 ₫ at the end, 63.500.000 ₫ of the
70.000.000 ₫ budget. Weeks 1–3 are published; week 4 closes at noon on the demo day
(10/12/2025), so it waits for the beat task or an admin's "Compute", as it would in real life.
A second run finds the rankings current and changes nothing; if the demo enrollments changed
(another ``--enrollment-scale``), the demo's rankings are rebuilt.
"""

from decimal import Decimal

from awards.models import AwardRule, Metric, Period, Ranking, Subject
from awards.selectors import current_fingerprint, latest_published
from awards.services import (
    Outcome,
    compute_rankings,
    publish_ranking,
    purge_demo_rankings,
    save_award_rule,
    week_of_campaign,
)
from campaign.models import Campaign

PUBLISHED_WEEKS = (1, 2, 3)

DEMO_RULES = [
    {
        "code": "tuan-tap-the",
        "name": "Giải tập thể tuần",
        "period": Period.WEEKLY,
        "subject": Subject.AGENCY,
        "metric": Metric.ATTAINMENT,
        "threshold": Decimal("100"),
        "prizes": [3_000_000, 2_000_000, 1_000_000],
        "description": "Tổ chức dịch vụ thu đạt từ 100% chỉ tiêu tuần (bình quân hai sản phẩm).",
    },
    {
        "code": "tuan-ca-nhan",
        "name": "Giải cá nhân tuần",
        "period": Period.WEEKLY,
        "subject": Subject.COLLECTOR,
        "metric": Metric.POINTS,
        "bhxh_tn_weight": Decimal("3"),
        "bhyt_hgd_weight": Decimal("1"),
        "threshold": Decimal("10"),
        "prizes": [1_000_000, 700_000, 500_000, 300_000, 300_000],
        "description": "3 điểm mỗi người tham gia BHXH tự nguyện, 1 điểm mỗi người BHYT hộ gia đình "
        "(mới hoặc tham gia lại).",
    },
    {
        "code": "tong-ket-tap-the",
        "name": "Giải tập thể toàn đợt",
        "period": Period.FINAL,
        "subject": Subject.AGENCY,
        "metric": Metric.ATTAINMENT,
        "threshold": Decimal("100"),
        "prizes": [5_000_000, 3_000_000, 2_000_000],
        "description": "Tổng thực hiện trên tổng chỉ tiêu cả đợt cao điểm.",
    },
    {
        "code": "tong-ket-ca-nhan",
        "name": "Giải cá nhân toàn đợt",
        "period": Period.FINAL,
        "subject": Subject.COLLECTOR,
        "metric": Metric.POINTS,
        "bhxh_tn_weight": Decimal("3"),
        "bhyt_hgd_weight": Decimal("1"),
        "threshold": Decimal("30"),
        "prizes": [1_500_000] * 3 + [1_000_000] * 3 + [500_000] * 4,
        "description": "Điểm cả đợt cao điểm, tính cả hồ sơ nhập muộn.",
    },
]


def seed_award_rules(campaign: Campaign) -> list[AwardRule]:
    rules = []
    for values in DEMO_RULES:
        rule = AwardRule.objects.filter(campaign=campaign, code=values["code"]).first() or AwardRule(campaign=campaign)
        defaults = {"bhxh_tn_weight": Decimal("1"), "bhyt_hgd_weight": Decimal("1"), "active": True}
        for name, value in (defaults | values).items():
            setattr(rule, name, value)
        rule.tie_breaks = AwardRule._meta.get_field("tie_breaks").get_default()
        rules.append(save_award_rule(rule=rule))
    return rules


def seed_awards(campaign: Campaign) -> int:
    """The demo rules, then weeks 1–3 computed and published; returns the number of published rankings."""
    rules = seed_award_rules(campaign)
    weeks = [week_of_campaign(campaign=campaign, number=number) for number in PUBLISHED_WEEKS]
    weekly = [rule for rule in rules if rule.period == Period.WEEKLY]
    current = all(
        (published := latest_published(rule=rule, week=week)) is not None
        and published.fingerprint == current_fingerprint(rule=rule, week=week)
        for rule in weekly
        for week in weeks
    )
    if not current and Ranking.objects.filter(campaign=campaign).exists():
        purge_demo_rankings(campaign=campaign)
    for week in weeks:
        for item in compute_rankings(campaign=campaign, week_number=week.number):
            if item.outcome == Outcome.CREATED:  # a draft an admin re-opened in the demo stays theirs
                publish_ranking(ranking=item.ranking)
    return Ranking.objects.filter(campaign=campaign, status=Ranking.Status.PUBLISHED).count()

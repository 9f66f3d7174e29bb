"""The phone's provisional quote (static/js/quote.js) and the server's rules agree on every DOMAIN.md
example: contributions, the household ladder, support groups and their cap, the 1/7/2026 rates,
the BHXH income limits, the weeks and the classification with its 3-month break.

Each example is computed by the server's Python and by the script, run with node (or, without
node, in chromium), from the parameters the server serves in the field kit; both must give
DOMAIN.md's figure.
"""

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from campaign.selectors import week_of
from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory, officer_user
from enrollments.classification import classify, rejoin_from
from enrollments.contributions import quote_bhxh, quote_bhyt
from enrollments.field_kit import campaign_json, field_kit, person_key, policies_json
from enrollments.models import PriorCoverage
from enrollments.selectors import household_by_code, ladder_orders, participant_status, policy_on
from enrollments.services import issue_gift, quote, record_enrollment, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "quote.js"
NODE_RUNNER = """
const q = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d)).on("end", () => {
  const calls = JSON.parse(input);
  process.stdout.write(JSON.stringify(calls.map((c) => q[c[0]](...c[1]))));
});
"""


def run_js(calls: list) -> list:
    """Each ``[function, args]`` called in quote.js; the answers in order."""
    node = shutil.which("node")
    if node:
        done = subprocess.run(
            [node, "-e", NODE_RUNNER, str(SCRIPT)],
            input=json.dumps(calls),
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return json.loads(done.stdout)
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("neither node nor chromium to run quote.js")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
        answers = page.evaluate("(calls) => calls.map((c) => window.bhxhQuote[c[0]](...c[1]))", calls)
        browser.close()
        return answers


def _policy_json(day: date) -> dict:
    start = policy_on(day).policy.effective_from.isoformat()
    return next(row for row in policies_json() if row["effective_from"] == start)


def _python_quote(case: dict):
    policy = policy_on(case["day"]).policy
    if case["product"] == "bhyt_hgd":
        return quote_bhyt(policy, months=case["months"], member_order=case["order"])
    return quote_bhxh(
        policy,
        months=case["months"],
        income=case["income"],
        support_groups=case.get("groups", ["other"]),
        supported_months_used=case.get("used", 0),
    )


def _js_call(case: dict) -> list:
    policy = _policy_json(case["day"])
    if case["product"] == "bhyt_hgd":
        return ["quoteBhyt", [policy, case["months"], case["order"]]]
    return ["quoteBhxh", [policy, case["months"], case["income"], case.get("groups", ["other"]), case.get("used", 0)]]


def bhyt(day, months, order, payable):
    return {"product": "bhyt_hgd", "day": day, "months": months, "order": order, "payable": payable}


def bhxh(day, months, income, payable, *, support=None, due=None, **more):
    case = {"product": "bhxh_tn", "day": day, "months": months, "income": income, "payable": payable}
    return case | {"support": support, "due": due} | more


Y2025, Y2026 = date(2025, 11, 20), date(2026, 11, 20)
CONTRIBUTIONS = [
    # BHYT hộ gia đình, 12 months, orders 1-5 and a 6th member (5th and later)
    *(
        bhyt(Y2025, 12, order, amount)
        for order, amount in enumerate([1_263_600, 884_520, 758_160, 631_800, 505_440], 1)
    ),
    bhyt(Y2025, 12, 6, 505_440),
    bhyt(Y2025, 6, 1, 631_800),
    bhyt(Y2025, 3, 2, 221_130),
    bhyt(date(2024, 8, 1), 12, 1, 1_263_600),  # the 2024 row: same base salary
    # from 1/7/2026
    *(
        bhyt(Y2026, 12, order, amount)
        for order, amount in enumerate([1_366_200, 956_340, 819_720, 683_100, 546_480], 1)
    ),
    bhyt(Y2026, 6, 1, 683_100),
    bhyt(date(2026, 6, 30), 12, 1, 1_263_600),
    bhyt(date(2026, 7, 1), 12, 1, 1_366_200),
    bhyt(date(2026, 7, 10), 12, 2, 956_340),
    bhyt(Y2025, 5, 1, None),  # no 5-month period: an error on both sides
    # BHXH tự nguyện
    bhxh(Y2025, 12, 1_500_000, 3_168_000, support=792_000, due=3_960_000),
    bhxh(Y2025, 12, 1_500_000, 1_980_000, support=1_980_000, groups=["poor"]),
    bhxh(Y2025, 12, 1_500_000, 2_376_000, support=1_584_000, groups=["near_poor"]),
    bhxh(Y2025, 12, 1_500_000, 2_772_000, support=1_188_000, groups=["ethnic_minority"]),
    bhxh(Y2025, 12, 1_500_000, 2_376_000, support=1_584_000, groups=["ethnic_minority", "near_poor"]),  # the highest
    bhxh(Y2025, 3, 5_000_000, 3_102_000, support=198_000, due=3_300_000),
    bhxh(Y2025, 12, 1_525_000, 3_234_000, support=792_000, due=4_026_000),
    bhxh(Y2025, 12, 1_450_000, None),
    bhxh(Y2025, 12, 46_850_000, None),
    bhxh(Y2025, 12, 46_800_000, 122_760_000, support=792_000, due=123_552_000),
    bhxh(Y2025, 24, 1_500_000, None),  # no multi-year payments
    # the 120 months of support: 115 used leaves 5, 120 used leaves none
    bhxh(Y2025, 12, 1_500_000, 3_630_000, support=330_000, used=115),
    bhxh(Y2025, 12, 1_500_000, 3_960_000, support=0, used=120),
    # before 1/7/2025: 30/25/—/10%, an ethnic minority gets the others' rate
    bhxh(date(2025, 6, 30), 12, 1_500_000, 3_564_000, support=396_000),
    bhxh(date(2025, 6, 30), 12, 1_500_000, 2_772_000, support=1_188_000, groups=["poor"]),
    bhxh(date(2025, 6, 30), 12, 1_500_000, 3_564_000, support=396_000, groups=["ethnic_minority"]),
    # from 1/7/2026: the floor unchanged, the cap 20 × 2.530.000
    bhxh(Y2026, 12, 1_500_000, 3_168_000, support=792_000, due=3_960_000),
    bhxh(Y2026, 12, 50_600_000, 132_792_000, support=792_000, due=133_584_000),
    bhxh(Y2026, 12, 50_600_001, None),
    bhxh(Y2026, 12, 46_850_000, 122_892_000, support=792_000, due=123_684_000),
]


def test_every_contribution_example_gives_the_same_amount_on_the_phone_and_the_server():
    answers = run_js([_js_call(case) for case in CONTRIBUTIONS])
    for case, js in zip(CONTRIBUTIONS, answers, strict=True):
        label = {k: str(v) for k, v in case.items() if v is not None}
        if case["payable"] is None:
            from core.errors import DomainError

            with pytest.raises(DomainError) as refused:
                _python_quote(case)
            assert js["errors"], label
            assert {e["field"] for e in js["errors"]} == set(refused.value.errors), label
            continue
        server = _python_quote(case)
        assert js["errors"] == [], label
        assert server.amount_payable == js["amount_payable"] == case["payable"], label
        for name in ("monthly_due", "amount_due", "state_support", "supported_months", "member_order"):
            assert getattr(server, name) == js.get(name), (name, label)
        if case.get("support") is not None:
            assert server.state_support == case["support"], label
        if case.get("due") is not None:
            assert server.amount_due == case["due"], label
        assert js["policy_from"] == server.policy_from.isoformat(), label


def test_the_household_of_six_costs_the_same_on_both_sides():
    server = sum(_python_quote(bhyt(Y2025, 12, order, None)).amount_payable for order in range(1, 7))
    js = sum(a["amount_payable"] for a in run_js([_js_call(bhyt(Y2025, 12, order, None)) for order in range(1, 7)]))
    assert server == js == 4_548_960


CLASSIFICATIONS = [
    (None, date(2025, 11, 20), "new"),
    (date(2025, 8, 14), date(2025, 11, 15), "rejoin"),
    (date(2025, 8, 14), date(2025, 11, 14), "renewal"),
    (date(2025, 12, 31), date(2025, 11, 20), "renewal"),
    (date(2025, 11, 29), date(2026, 2, 28), "rejoin"),
    (date(2025, 11, 29), date(2026, 2, 27), "renewal"),
    (date(2025, 5, 31), date(2025, 9, 1), "rejoin"),
    (date(2025, 5, 31), date(2025, 8, 31), "renewal"),
    (date(2025, 8, 14), date(2025, 12, 10), "rejoin"),  # the renewals example: lapsed, rejoin, mug due
    (date(2024, 2, 28), date(2024, 5, 29), "rejoin"),  # a leap year: the lapse starts 29/02
]


def test_the_classification_and_its_three_month_break_agree():
    iso = lambda day: day.isoformat() if day else None  # noqa: E731
    calls = [["classify", [iso(end), iso(on)]] for end, on, _ in CLASSIFICATIONS]
    calls += [["rejoinFrom", [iso(end)]] for end, _on, _ in CLASSIFICATIONS if end]
    answers = run_js(calls)
    kinds, starts = answers[: len(CLASSIFICATIONS)], answers[len(CLASSIFICATIONS) :]
    for (end, on, expected), js in zip(CLASSIFICATIONS, kinds, strict=True):
        assert classify(last_coverage_end=end, collected_on=on) == expected == js, (end, on)
    ends = [end for end, _on, _ in CLASSIFICATIONS if end]
    assert [rejoin_from(end).isoformat() for end in ends] == starts
    assert starts[3] == "2026-02-28" and starts[5] == "2025-09-01"


def test_the_weeks_agree():
    campaign = CampaignFactory()
    days = [date(2025, 11, 11), date(2025, 11, 12), date(2025, 11, 18), date(2025, 11, 19), date(2025, 12, 2)]
    days += [date(2025, 12, 3), date(2025, 12, 16), date(2025, 12, 17)]
    answers = run_js([["weekOf", [campaign_json(campaign), day.isoformat()]] for day in days])
    server = [getattr(week_of(campaign=campaign, day=day), "number", None) for day in days]
    assert server == answers == [None, 1, 1, 2, 3, 4, 5, None]


def server_answer(*, product, cccd, on, months, income, household_code, row, campaign) -> dict:
    """What the server's look-up (enrollments/views/lookup.py) says, in the names of quote.js's answer."""
    status = participant_status(cccd=cccd, product=product, on=on, campaign=campaign)
    order = None
    if product == "bhyt_hgd":
        household = household_by_code(household_code) if household_code else None
        order = ladder_orders(household=household, collected_on=on, members=row + 1, exclude_cccd=cccd)[row]
        amounts = quote(product=product, months=months, on=on, member_order=order)
    else:
        amounts = quote(product=product, months=months, on=on, income=income, support_group="other", cccd=cccd)
    week = week_of(campaign=campaign, day=on)
    return {
        "classification": str(status.classification),
        "last_coverage_end": status.last_coverage_end.isoformat() if status.last_coverage_end else None,
        "mug_due": status.gift_eligible,
        "week": week.number if week else None,
        "member_order": order if product == "bhyt_hgd" else amounts.member_order,
        "amount_payable": amounts.amount_payable,
        "state_support": amounts.state_support,
        "supported_months": amounts.supported_months,
    }


@pytest.fixture
def served(settings):
    settings.APP_TODAY = date(2026, 7, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory()
    agency.communes.add(commune)
    user = officer_user(agency=agency)
    return {"campaign": campaign, "commune": commune, "user": user, "collector": user.collector}


def test_the_kit_answers_as_the_server_for_the_people_the_agency_serves(served):
    """Classification, mug, ladder place and amount from the kit equal the server's look-up."""
    campaign, commune, collector = served["campaign"], served["commune"], served["collector"]
    code = commune.code
    # A household: its 1st member paid on 20/05/2026, a member of last year does not count.
    record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhyt_request(1, commune_code=code, collected_on=date(2025, 12, 2), household_code="HGD-1"),
    )
    record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhyt_request(2, commune_code=code, collected_on=date(2026, 5, 20), household_code="HGD-1"),
    )
    # Known from BHXH's records only; one who lapsed long ago; one with support used and a mug handed over.
    PriorCoverage.objects.create(
        cccd=cccd_of(3), product="bhyt_hgd", last_coverage_end=date(2026, 8, 31), commune=commune
    )
    PriorCoverage.objects.create(
        cccd=cccd_of(4), product="bhxh_tn", last_coverage_end=date(2025, 8, 14), commune=commune
    )
    supported = record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhxh_request(5, commune_code=code, collected_on=date(2025, 12, 10)),
    )
    set_gift_stock(campaign=campaign, agency=collector.agency, received=5)
    issue_gift(enrollment=supported, user=served["user"])
    # Another agency's person in a commune this agency does not serve is not in the kit.
    stranger = CollectorFactory()
    record_enrollment(
        campaign=campaign,
        collector=stranger,
        request=bhxh_request(
            6, commune_code=CommuneFactory(province=campaign.province).code, collected_on=date(2025, 12, 1)
        ),
    )
    kit = json.loads(json.dumps(field_kit(served["user"], campaign=campaign, today=date(2026, 7, 10))))
    assert person_key(cccd_of(6)) not in kit["people"]
    assert cccd_of(1) not in json.dumps(kit)  # people are named by a hash, never by their CCCD

    asked = [
        {"product": "bhyt_hgd", "cccd": cccd_of(7), "day": date(2026, 7, 10), "months": 12, "household": "HGD-1"},
        {
            "product": "bhyt_hgd",
            "cccd": cccd_of(8),
            "day": date(2026, 7, 10),
            "months": 12,
            "household": "HGD-1",
            "row": 1,
        },
        {"product": "bhyt_hgd", "cccd": cccd_of(2), "day": date(2026, 7, 10), "months": 6, "household": "HGD-1"},
        {"product": "bhyt_hgd", "cccd": cccd_of(9), "day": date(2026, 1, 5), "months": 12, "household": "HGD-1"},
        {"product": "bhyt_hgd", "cccd": cccd_of(3), "day": date(2026, 7, 10), "months": 12},
        {"product": "bhxh_tn", "cccd": cccd_of(4), "day": date(2025, 12, 10), "months": 12, "income": 1_500_000},
        {"product": "bhxh_tn", "cccd": cccd_of(5), "day": date(2026, 7, 10), "months": 3, "income": 2_000_000},
        {"product": "bhxh_tn", "cccd": cccd_of(5), "day": date(2025, 12, 12), "months": 1, "income": 1_500_000},
    ]
    calls = [
        [
            "provisional",
            [
                kit,
                {
                    "product": a["product"],
                    "day": a["day"].isoformat(),
                    "months": a["months"],
                    "income": a.get("income"),
                    "support_group": "other",
                    "person_key": person_key(a["cccd"]),
                    "household_code": a.get("household", ""),
                    "row": a.get("row", 0),
                },
            ],
        ]
        for a in asked
    ]
    for ask, js in zip(asked, run_js(calls), strict=True):
        server = server_answer(
            product=ask["product"],
            cccd=ask["cccd"],
            on=ask["day"],
            months=ask["months"],
            income=ask.get("income"),
            household_code=ask.get("household", ""),
            row=ask.get("row", 0),
            campaign=campaign,
        )
        got = {key: js.get(key) for key in server}
        assert got == server, ask
    orders = [js.get("member_order") for js in run_js(calls[:4])]
    assert orders == [2, 3, 1, 1]

"""With no signal the form still shows the amount, the week and the classification, marked provisional
and equal to the server's (Debian's chromium at 390×844, the context set offline)."""

from datetime import date

import pytest

from campaign.selectors import week_of
from enrollments.models import PriorCoverage
from enrollments.services import quote
from enrollments.tests import test_browser, test_browser_field
from enrollments.tests.factories import cccd_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = test_browser.phone
field = test_browser_field.field
choose = test_browser_field.choose

KIT_KEPT = "async () => !!(await window.bhxhQuote.ready)"


def test_the_offline_quote_is_shown_provisional_and_equal_to_the_servers(field):
    from playwright.sync_api import expect

    # Known from BHXH's records: lapsed on 14/08/2025, so on 10/12/2025 a rejoin with a mug due.
    PriorCoverage.objects.create(
        cccd=cccd_of(61), product="bhxh_tn", last_coverage_end=date(2025, 8, 14), commune=field["commune"]
    )
    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhxh/")
    assert page.evaluate(KIT_KEPT)
    context.set_offline(True)
    page.type("input[name=cccd]", cccd_of(61), delay=5)
    page.fill("input[name=income]", "2.345.678")
    choose(page, "months", "6")
    box = page.locator(".lookup .provisional")
    expect(box).to_be_visible()
    server = quote(product="bhxh_tn", months=6, on=date(2025, 12, 10), income=2_345_678, support_group="other")
    expect(box.locator(".p-amount")).to_have_attribute("data-amount", str(server.amount_payable))
    expect(box.locator(".p-classification")).to_have_text(page.get_attribute("#provisional-box", "data-rejoin"))
    expect(box.locator(".p-mug")).to_have_text(page.get_attribute("#provisional-box", "data-due"))
    week = week_of(campaign=field["campaign"], day=date(2025, 12, 10))
    expect(box.locator(".p-week")).to_have_text(str(week.number))
    assert test_browser._fits_the_screen(page)

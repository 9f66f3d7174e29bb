"""With no signal the form still shows the amount, the week and the classification, marked provisional
and equal to the server's; a refused record is corrected and sent as new; what the server recorded
otherwise than shown offline is listed before a mug is handed over (Debian's chromium at 390×844,
the context set offline and back online)."""

from datetime import date

import pytest

from campaign.models import PolicyParameters
from campaign.selectors import week_of
from enrollments.models import Enrollment, PriorCoverage
from enrollments.services import issue_gift, quote, record_enrollment, set_gift_stock
from enrollments.tests import test_browser, test_browser_field, test_browser_outbox
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = test_browser.phone
field = test_browser_field.field
choose = test_browser_field.choose
enter_person = test_browser_outbox.enter_person
OUTBOX = test_browser_outbox.OUTBOX

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


def test_a_refused_record_is_edited_and_sent_as_new_until_it_is_recorded(field):
    from playwright.sync_api import expect

    record_enrollment(
        campaign=field["campaign"],
        collector=field["other"],
        request=bhxh_request(74, commune_code=field["commune"].code, collected_on=date(2025, 12, 10)),
    )
    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhxh/")
    page.wait_for_function("() => window.bhxhOutbox !== undefined")
    context.set_offline(True)
    enter_person(page, 74, "Người Gõ Nhầm")  # the CCCD of someone the other agency has recorded
    page.click("button[name=action][value=review]")
    context.set_offline(False)
    refused = page.locator(".outbox-item.outbox-refused")
    expect(refused).to_contain_text("Bưu điện Khác Xa")
    [first] = page.evaluate(OUTBOX)

    refused.locator(".outbox-edit").click()
    expect(page.locator("#outbox-editing")).to_be_visible()
    expect(page.locator("input[name=full_name]")).to_have_value("Người Gõ Nhầm")
    expect(page.locator("input[name=collected_on]")).to_have_value("10/12/2025")
    page.fill("input[name=cccd]", cccd_of(75))
    page.click("button[name=action][value=review]")
    expect(page.locator("#outbox-bar")).to_be_hidden()
    [second] = page.evaluate(OUTBOX)  # the refused one is gone once the new one is recorded
    assert (second["state"], second["replaces"]) == ("synced", first["uuid"]) and second["uuid"] != first["uuid"]
    recorded = Enrollment.objects.get(participant__cccd=cccd_of(75))
    assert (str(recorded.uuid), recorded.participant.full_name, recorded.receipt_no) == (
        second["uuid"],
        "Người Gõ Nhầm",
        "BL-74",
    )


def test_what_the_server_recorded_otherwise_is_shown_before_a_mug_is_handed_over(field):
    from playwright.sync_api import expect

    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhxh/")
    assert page.evaluate(KIT_KEPT)
    context.set_offline(True)
    enter_person(page, 76, "Người Nhận Cốc")
    expect(page.locator(".lookup .provisional .p-amount")).to_have_attribute("data-amount", "3168000")
    page.click("button[name=action][value=review]")
    expect(page.locator("#outbox-saved")).to_be_visible()
    # Meanwhile another agency enrolled the person in BHYT and gave the mug; the support rate changed.
    elsewhere = record_enrollment(
        campaign=field["campaign"],
        collector=field["other"],
        request=bhyt_request(
            76,
            commune_code=field["commune"].code,
            collected_on=date(2025, 12, 10),
            person={"full_name": "Người Nhận Cốc"},
        ),
    )
    set_gift_stock(campaign=field["campaign"], agency=field["other"].agency, received=1)
    issue_gift(enrollment=elsewhere, user=None)
    PolicyParameters.objects.filter(effective_from=date(2025, 7, 1)).update(bhxh_support_other_pct=25)

    context.set_offline(False)
    changed = page.locator(".outbox-item.outbox-changed")
    expect(changed).to_contain_text("3.168.000")
    expect(changed).to_contain_text("2.970.000")  # support 22% × 1.500.000 × 25% = 82.500 ₫ a month
    expect(changed.locator(".outbox-no-mug")).to_be_visible()
    stored = Enrollment.objects.get(participant__cccd=cccd_of(76), product="bhxh_tn")
    assert stored.amount_payable == 2_970_000
    assert test_browser._fits_the_screen(page)
    changed.locator(".outbox-seen").click()
    expect(page.locator("#outbox-bar")).to_be_hidden()

"""The entry form on a 390 px phone follows every field that changes the amount, and flags a person
recorded a minute ago before the officer can confirm (Debian's chromium, Playwright)."""

from datetime import date

import pytest

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory, officer_user
from enrollments.services import record_enrollment
from enrollments.tests import test_browser
from enrollments.tests.factories import bhyt_request, cccd_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = test_browser.phone  # a 390×844 phone context on Debian's chromium


@pytest.fixture
def field(live_server, phone, settings, default_policies):
    """An officer of Bưu điện Tân Ninh signed in on the phone on 10/12/2025; another agency beside it."""
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory(name="Bưu điện Tân Ninh")
    agency.communes.add(commune)
    officer = officer_user(agency=agency, username="cb_field")
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "cb_field")
    phone.fill("#id_password", "secret-pass-123")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/my-agency/")
    return {
        "url": live_server.url,
        "page": phone,
        "campaign": campaign,
        "commune": commune,
        "collector": officer.collector,
        "other": CollectorFactory(agency=AgencyFactory(name="Bưu điện Khác Xa")),
    }


def choose(page, name: str, value: str) -> None:
    """Tap the button of a choice, as an officer does (the radio itself is hidden behind it)."""
    radio_id = page.get_attribute(f"input[name={name}][value='{value}']", "id")
    page.click(f"label[for={radio_id}]")


def test_income_and_period_each_update_the_amount(field):
    from playwright.sync_api import expect

    page = field["page"]
    page.goto(f"{field['url']}/enroll/bhxh/")
    page.type("input[name=cccd]", cccd_of(41), delay=10)
    page.fill("input[name=income]", "1.500.000")
    lookup = page.locator(".lookup").first
    expect(lookup).to_contain_text("3.168.000")
    page.fill("input[name=income]", "3.000.000")
    expect(lookup).to_contain_text("7.128.000")
    choose(page, "months", "6")
    expect(lookup).to_contain_text("3.564.000")
    # The CCCD's fourth digit (0) says a man born in the 1900s: the sex is filled in.
    assert page.is_checked("input[name=sex][value=male]")
    expect(page.locator(".cccd-hint")).to_contain_text("1985")
    assert test_browser._fits_the_screen(page)


def test_the_household_code_updates_the_order_and_the_amount(field):
    from playwright.sync_api import expect

    record_enrollment(
        campaign=field["campaign"],
        collector=field["collector"],
        request=bhyt_request(
            50, commune_code=field["commune"].code, collected_on=date(2025, 12, 2), household_code="HGD-TN-7"
        ),
    )
    page = field["page"]
    page.goto(f"{field['url']}/enroll/bhyt/")
    page.type("input[name='members-0-cccd']", cccd_of(51), delay=10)
    lookup = page.locator(".lookup").first
    expect(lookup).to_contain_text("1.263.600")
    badge = page.locator(".member .member-order").first
    expect(badge).to_have_text("1")
    page.fill("input[name=household_code]", "HGD-TN-7")
    expect(lookup).to_contain_text("884.520")
    expect(badge).to_have_text("2")
    choose(page, "months", "6")
    expect(lookup).to_contain_text("442.260")


def test_a_person_recorded_a_minute_ago_is_flagged_before_confirmation(field):
    from playwright.sync_api import expect

    earlier = record_enrollment(
        campaign=field["campaign"],
        collector=field["other"],
        request=bhyt_request(60, commune_code=field["commune"].code, collected_on=date(2025, 12, 10)),
    )
    page = field["page"]
    page.goto(f"{field['url']}/enroll/bhyt/")
    page.type("input[name='members-0-cccd']", cccd_of(60), delay=10)
    flag = page.locator(".lookup .lookup-conflict")
    expect(flag).to_contain_text("Bưu điện Khác Xa")
    expect(flag).to_contain_text(str(earlier.pk))
    expect(flag).to_contain_text("10/12/2025")

    page.fill("input[name='members-0-full_name']", "Nguyễn Văn Thử 60")
    page.fill("input[name='members-0-date_of_birth']", "02/03/1985")
    page.click("button[name=action][value=review]")
    page.wait_for_selector("#confirm-blocked")
    assert page.locator("button[name=action][value=confirm]").count() == 0
    expect(page.locator(".confirm-row .lookup-conflict")).to_contain_text("Bưu điện Khác Xa")

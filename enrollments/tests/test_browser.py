"""An officer on a phone records a household in a real browser (Debian's chromium, Playwright).

This is what the Django test client cannot show: the htmx lookup as the CCCD is typed,
the "add a member" button, and a page that fits a 390-pixel screen.
"""

import os
from datetime import date

import pytest
from django.db import connections

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, officer_user
from enrollments.models import Channel, Enrollment, GiftIssue
from enrollments.services import set_gift_stock
from enrollments.tests.factories import cccd_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def phone():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()
        # ORM calls made while Playwright's loop ran used a connection of their own: close it.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_officer_records_a_household_on_a_phone(live_server, phone, settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province, name="Phường Bình Minh")
    agency = AgencyFactory(name="Bưu điện Tân Ninh")
    agency.communes.add(commune)
    set_gift_stock(campaign=campaign, agency=agency, received=5)
    officer_user(agency=agency, username="cb_tanninh")
    page = phone

    # A phone set to English still gets the Vietnamese login page.
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#id_username", "cb_tanninh")
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my-agency/")
    assert "Bưu điện Tân Ninh" in page.content() and _fits_the_screen(page)

    # Where I work today: the market.
    page.goto(f"{live_server.url}/enroll/")
    page.check("input[name=channel][value=market]", force=True)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/enroll/bhyt/")
    assert _fits_the_screen(page)
    page.fill("input[name=household_code]", "HGD-BM-001")

    # The first member: typing the CCCD asks the server at once.
    page.type("input[name='members-0-cccd']", cccd_of(1), delay=20)
    lookup = page.locator(".lookup").first
    lookup.locator(".lookup-result").wait_for()
    assert "1.263.600" in lookup.inner_text()
    page.fill("input[name='members-0-full_name']", "Nguyễn Văn Chủ Hộ")
    page.fill("input[name='members-0-date_of_birth']", "02/03/1985")
    page.click("label[for='id_members-0-sex_0']")

    # "Add a member" appends a second row, second in the ladder.
    page.click("#add-member")
    second = page.locator(".member").nth(1)
    assert second.locator(".member-order").inner_text() == "2"
    page.type("input[name='members-1-cccd']", cccd_of(2, century_sex="1"), delay=20)
    page.fill("input[name='members-1-full_name']", "Trần Thị Vợ")
    page.fill("input[name='members-1-date_of_birth']", "15/07/1985")
    page.click("label[for='id_members-1-sex_1']")

    # Review: what to collect, then confirm.
    page.click("button[name=action][value=review]")
    page.wait_for_selector("button[name=action][value=confirm]")
    review = page.content()
    assert "1.263.600" in review and "884.520" in review and "2.148.120" in review
    assert _fits_the_screen(page)
    page.click("button[name=action][value=confirm]")
    page.wait_for_selector("text=Trao cốc")

    stored = Enrollment.objects.order_by("member_order")
    assert [(e.member_order, e.amount_payable, e.channel) for e in stored] == [
        (1, 1_263_600, Channel.MARKET),
        (2, 884_520, Channel.MARKET),
    ]

    # Hand the first person their mug from the receipt page.
    page.locator("button:has-text('Trao cốc')").first.click()
    page.wait_for_load_state("networkidle")
    assert GiftIssue.objects.count() == 1

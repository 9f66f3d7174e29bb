"""Each role opens its dashboard in a real browser (Debian's chromium, Playwright): logs in, uses a
filter, drills down and downloads an export. Any console error, page error or request to a host
other than the test server fails the test. Screenshots go to ``screenshots/`` (ignored by git)."""

import io
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connections
from openpyxl import load_workbook
from playwright.sync_api import expect

from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user

from .world import TODAY, build_world, snapshot_days

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
SCREENSHOTS = Path(django_settings.BASE_DIR) / "screenshots"
PASSWORD = "secret-pass-123"


@pytest.fixture
def world(settings, default_policies):
    settings.APP_TODAY = TODAY
    world = build_world()
    snapshot_days(world)
    UserFactory(username="qt_admin", role=Role.ADMIN)
    UserFactory(username="cb_tinh", role=Role.PROVINCIAL)
    officer_user(agency=world.agencies["A"], username="cb_buudien")
    return world


@pytest.fixture
def open_browser(live_server):
    """A function that opens a page of the given size, watched for console errors and foreign hosts."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    server = urlsplit(live_server.url).netloc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        def open_page(width: int, height: int, *, mobile: bool = False):
            context = browser.new_context(
                viewport={"width": width, "height": height}, is_mobile=mobile, accept_downloads=True
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on(
                "request",
                lambda r: (
                    None
                    if urlsplit(r.url).scheme in ("data", "blob") or urlsplit(r.url).netloc == server
                    else problems.append(f"request to another host: {r.url}")
                ),
            )
            return page

        yield open_page, problems
        browser.close()
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert problems == []


def _log_in(page, base: str, username: str, lands_on: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{lands_on}")


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _download(page, link) -> list[tuple]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def _agencies_shown(page) -> list[str]:
    return page.locator("#agencies-table tbody tr[data-agency]").evaluate_all("rows => rows.map(r => r.dataset.agency)")


def test_provincial_staff_filter_drill_down_and_download(live_server, world, open_browser):
    open_page, problems = open_browser
    page = open_page(1366, 768)
    _log_in(page, live_server.url, "cb_tinh", "/overview/")
    assert page.locator("svg.chart").count() == 4  # two coverage trends, two weeks charts
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "provincial-dashboard-1366x768.png")

    # Filter the agencies by kind: htmx redraws the tables and the address keeps the filter.
    assert sorted(_agencies_shown(page)) == ["A", "B", "C"]
    page.select_option("#id_kind", "commune_agent")
    expect(page.locator("#agencies-table tr[data-agency]")).to_have_count(1)
    assert _agencies_shown(page) == ["B"] and "kind=commune_agent" in page.url

    # The export carries the filter.
    rows = _download(page, page.locator("#filtered a", has_text="Excel").first)
    assert [r[0] for r in rows[3:]] == ["B"]

    # Drill down: the agency, its BHXH cơ sở, one of its communes.
    page.click("#agencies-table a:has-text('Đại lý xã Bắc')")
    page.wait_for_url(f"{live_server.url}/overview/agencies/B/")
    page.click("a:has-text('BHXH cơ sở Bắc')")
    page.wait_for_url(f"{live_server.url}/overview/offices/N/")
    page.click("#communes-table a:has-text('Xã 25481')")
    page.wait_for_url(f"{live_server.url}/overview/communes/25481/")
    assert "Đại lý xã Bắc" in page.locator("#commune-agencies").inner_text()
    assert problems == []


def test_admin_sorts_by_office_opens_a_commune_and_downloads_the_weeks(live_server, world, open_browser):
    open_page, problems = open_browser
    page = open_page(1366, 768)
    _log_in(page, live_server.url, "qt_admin", "/manage/")
    page.click("nav a[href='/overview/']")
    page.wait_for_url(f"{live_server.url}/overview/")
    page.select_option("#id_office", "S")
    expect(page.locator("#agencies-table tr[data-agency]")).to_have_count(1)
    assert _agencies_shown(page) == ["C"]
    communes = page.locator("#communes-table tbody tr[data-commune]")
    assert sorted(communes.evaluate_all("rows => rows.map(r => r.dataset.commune)")) == ["25482", "25483"]
    rows = _download(page, page.locator("#weeks-section a:has-text('Excel')"))
    assert [r[0] for r in rows[3:]] == [1, 2, 3, 4, 5]
    page.click("#communes-table a:has-text('Xã 25483')")
    page.wait_for_url(f"{live_server.url}/overview/communes/25483/")
    assert "Bưu điện Nam" in page.locator("#commune-agencies").inner_text()
    assert problems == []


def test_officer_sees_their_agency_on_a_phone(live_server, world, open_browser):
    open_page, problems = open_browser
    page = open_page(390, 844, mobile=True)
    _log_in(page, live_server.url, "cb_buudien", "/my-agency/")
    assert "Bưu điện Bắc" in page.content() and "Bưu điện Nam" not in page.content()
    assert _fits_the_screen(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "agency-dashboard-390x844.png")

    # Filter the officers by week: only that section is redrawn.
    page.select_option("#officers-week", "3")
    expect(page.locator("#officers h2")).to_contain_text("3")
    assert "week=3" in page.url and _fits_the_screen(page)

    rows = _download(page, page.locator("#officers a:has-text('Excel')"))
    names = {r[1] for r in rows[3:]}
    assert {"Cán bộ A hai", "Cán bộ A một"} <= names and not any(n.startswith(("Cán bộ B", "Cán bộ C")) for n in names)

    # Drill down into a recent enrollment of their own.
    page.locator("#recent-table a").first.click()
    page.wait_for_url(f"{live_server.url}/enrollments/*/")
    assert _fits_the_screen(page)
    assert problems == []

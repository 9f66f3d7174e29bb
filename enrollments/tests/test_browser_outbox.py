"""Entered with no signal, sent once the signal returns, never twice; emptied at logout
(Debian's chromium at 390×844, the context set offline and back online)."""

from datetime import date

import pytest

from enrollments.models import Enrollment
from enrollments.services import record_enrollment
from enrollments.tests import test_browser, test_browser_field
from enrollments.tests.factories import bhxh_request, cccd_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = test_browser.phone
field = test_browser_field.field

OUTBOX = "() => window.bhxhOutbox.all()"


def enter_person(page, number: int, name: str) -> None:
    page.type("input[name=cccd]", cccd_of(number), delay=5)
    page.fill("input[name=full_name]", name)
    page.fill("input[name=date_of_birth]", "02/03/1985")
    page.fill("input[name=income]", "1.500.000")
    page.fill("input[name=receipt_no]", f"BL-{number}")


def test_people_entered_offline_are_synced_exactly_once_and_the_store_is_emptied_at_logout(field):
    from playwright.sync_api import expect

    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhxh/")
    page.wait_for_function("() => window.bhxhOutbox !== undefined")
    context.set_offline(True)
    for number in (71, 72, 73):
        enter_person(page, number, f"Người Ngoại Tuyến {number}")
        page.click("button[name=action][value=review]")
        expect(page.locator("#outbox-saved")).to_be_visible()
    expect(page.locator("#outbox-bar .outbox-count")).to_have_text("3")
    assert Enrollment.objects.count() == 0
    uuids = sorted(record["uuid"] for record in page.evaluate(OUTBOX))
    assert len(set(uuids)) == 3

    context.set_offline(False)  # the "online" event sends the outbox
    expect(page.locator("#outbox-bar")).to_be_hidden()
    assert sorted(str(u) for u in Enrollment.objects.values_list("uuid", flat=True)) == uuids
    assert {r["state"] for r in page.evaluate(OUTBOX)} == {"synced"}

    # The same records sent again (a send whose answer was lost): the server records nothing more.
    page.evaluate(
        """async () => { for (const r of await window.bhxhOutbox.all()) {
             r.state = "queued"; await window.bhxhOutbox.put(r); }
           await window.bhxhOutbox.sync(); }"""
    )
    assert {r["state"] for r in page.evaluate(OUTBOX)} == {"synced"}
    assert Enrollment.objects.count() == 3

    page.evaluate("() => document.querySelector(\"form[action$='/accounts/logout/']\").requestSubmit()")
    page.wait_for_url("**/accounts/login/**")
    names = page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")
    assert "bhxh-field" not in names and "bhxh-field-kit" not in names  # the outbox and the field kit
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_a_refused_record_stays_with_its_reason_until_discarded(field):
    from playwright.sync_api import expect

    record_enrollment(
        campaign=field["campaign"],
        collector=field["other"],
        request=bhxh_request(
            74,
            commune_code=field["commune"].code,
            collected_on=date(2025, 12, 10),
            person={"full_name": "Người Đã Có"},
        ),
    )
    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhxh/")
    page.wait_for_function("() => window.bhxhOutbox !== undefined")
    context.set_offline(True)
    enter_person(page, 74, "Người Đã Có")
    page.click("button[name=action][value=review]")
    expect(page.locator("#outbox-saved")).to_be_visible()
    context.set_offline(False)
    refused = page.locator(".outbox-item.outbox-refused")
    expect(refused).to_contain_text("Bưu điện Khác Xa")
    assert Enrollment.objects.count() == 1
    page.reload()
    expect(refused).to_contain_text("Bưu điện Khác Xa")  # kept on the phone until resolved
    refused.locator(".outbox-discard").click()
    expect(page.locator("#outbox-bar")).to_be_hidden()
    assert page.evaluate(OUTBOX) == []


def test_the_entry_form_opens_offline_after_one_online_visit(field):
    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhxh/")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.goto(f"{field['url']}/enroll/")  # the worker now controls the pages it keeps
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto(f"{field['url']}/enroll/bhxh/")
    assert page.locator("form#bhxh-form").count() == 1
    page.goto(f"{field['url']}/enroll/bhyt/")
    assert page.locator("form#household-form").count() == 1


def test_a_household_entered_offline_is_recorded_as_one_bundle(field):
    from playwright.sync_api import expect

    page, context = field["page"], field["page"].context
    page.goto(f"{field['url']}/enroll/bhyt/")
    page.wait_for_function("() => window.bhxhOutbox !== undefined")
    context.set_offline(True)
    page.fill("input[name=household_code]", "HGD-OFF-1")
    for index in range(3):
        if index:
            page.click("#add-member")
        page.type(f"input[name='members-{index}-cccd']", cccd_of(80 + index), delay=5)
        page.fill(f"input[name='members-{index}-full_name']", f"Thành Viên {index + 1}")
        page.fill(f"input[name='members-{index}-date_of_birth']", "02/03/1985")
    page.click("button[name=action][value=review]")
    expect(page.locator("#outbox-bar .outbox-count")).to_have_text("1")
    page.reload()  # still offline: the kept page opens and the outbox is still there
    expect(page.locator("#outbox-bar .outbox-count")).to_have_text("1")
    context.set_offline(False)
    expect(page.locator("#outbox-bar")).to_be_hidden()
    stored = Enrollment.objects.order_by("member_order")
    assert [(e.member_order, e.amount_payable) for e in stored] == [(1, 1_263_600), (2, 884_520), (3, 758_160)]
    assert {e.participant.household.code for e in stored} == {"HGD-OFF-1"}

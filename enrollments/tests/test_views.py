"""The officer's pages, walked with Django's test client as an officer at a market stall would."""

from datetime import date
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.scoping import collector_of
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, officer_user
from enrollments.models import Enrollment, GiftIssue, GiftStock, Household
from enrollments.services import issue_gift, record_enrollment, record_household, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

TODAY = date(2025, 12, 10)


@pytest.fixture
def world(db, settings):
    settings.APP_TODAY = TODAY
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    CommuneFactory(province=campaign.province, name="Phường Zeta")
    mine, other = AgencyFactory(code="MINE"), AgencyFactory(code="OTHER")
    mine.communes.add(commune)
    set_gift_stock(campaign=campaign, agency=mine, received=10)
    return {
        "campaign": campaign,
        "commune": commune,
        "mine": mine,
        "other": other,
        "users": {
            Role.ADMIN: UserFactory(role=Role.ADMIN),
            Role.PROVINCIAL: UserFactory(role=Role.PROVINCIAL),
            Role.OFFICER: officer_user(agency=mine),
            None: UserFactory(),
        },
    }


@pytest.fixture
def english(client, settings):
    """Assert on the English source strings, whatever the Vietnamese catalogue says later."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer(english, world):
    english.force_login(world["users"][Role.OFFICER])
    return english


def household_data(world, *, members=3, months=12, household_code="HGD-0001", **overrides) -> dict:
    data = {
        "household_code": household_code,
        "commune_code": world["commune"].code,
        "address": "Ấp Chợ, số 12",
        "months": str(months),
        "collected_on": "2025-12-10",
        "receipt_no": "BL-000123",
        "members-TOTAL_FORMS": str(members),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
    }
    for i in range(members):
        data |= {
            f"members-{i}-cccd": cccd_of(i + 1),
            f"members-{i}-full_name": f"Trần Thị Thành Viên {i + 1}",
            f"members-{i}-date_of_birth": "1985-03-02",
            f"members-{i}-sex": "male",
            f"members-{i}-phone": "0912345678",
            f"members-{i}-target_group": "farmer",
        }
    return data | overrides


def bhxh_data(world, **overrides) -> dict:
    return {
        "cccd": cccd_of(41),
        "full_name": "Lê Văn Tự Nguyện",
        "date_of_birth": "02/03/1985",
        "sex": "male",
        "phone": "0987654321",
        "target_group": "informal_worker",
        "commune_code": world["commune"].code,
        "months": "12",
        "income": "1.500.000",
        "support_group": "other",
        "collected_on": "2025-12-10",
        "receipt_no": "BL-9",
    } | overrides


def confirm(client, url: str, review_response) -> object:
    """Press "Confirm" on a confirmation page: send back what it carries."""
    context = review_response.context
    data = dict(context["carried"]) | {"submission": context["submission"], "action": "confirm"}
    return client.post(url, data)


def other_agency_enrollment(world) -> Enrollment:
    collector = CollectorFactory(agency=world["other"])
    return record_enrollment(
        campaign=world["campaign"],
        collector=collector,
        request=bhyt_request(90, commune_code=world["commune"].code, collected_on=date(2025, 12, 1)),
    )


def my_enrollment(world, number: int = 80, **kwargs) -> Enrollment:
    return record_enrollment(
        campaign=world["campaign"],
        collector=collector_of(world["users"][Role.OFFICER]),
        request=bhyt_request(number, commune_code=world["commune"].code, collected_on=date(2025, 12, 2), **kwargs),
    )


# --- the working session ----------------------------------------------------------------------


def test_start_page_offers_both_products_and_the_channel(officer, world):
    body = officer.get(reverse("enrollments:start")).content.decode()
    assert reverse("enrollments:enroll_bhyt") in body and reverse("enrollments:enroll_bhxh") in body
    assert "BHYT hộ gia đình" in body and "BHXH tự nguyện" in body
    assert 'name="channel"' in body and 'value="market"' in body


def test_channel_is_chosen_once_and_carries_over_to_what_is_recorded(officer, world):
    response = officer.post(reverse("enrollments:start"), {"channel": "market"})
    assert response.status_code == 302
    assert officer.session["enrollment_channel"] == "market"

    for url in (reverse("enrollments:start"), reverse("enrollments:enroll_bhyt"), reverse("enrollments:enroll_bhxh")):
        assert "Working at: market" in officer.get(url).content.decode()

    url = reverse("enrollments:enroll_bhxh")
    confirm(officer, url, officer.post(url, bhxh_data(world)))
    assert Enrollment.objects.get().channel == "market"

    officer.post(reverse("enrollments:start"), {"channel": "home"})
    assert "Working at: at home" in officer.get(url).content.decode()


def test_unknown_channel_is_refused_and_the_session_keeps_its_own(officer, world):
    officer.post(reverse("enrollments:start"), {"channel": "market"})
    response = officer.post(reverse("enrollments:start"), {"channel": "karaoke"})
    assert response.status_code == 200
    assert response.context["form"].errors["channel"] == [
        "Select a valid choice. karaoke is not one of the available choices."
    ]
    assert officer.session["enrollment_channel"] == "market"


def test_an_officer_without_a_collector_record_gets_a_clear_page(english, world):
    english.force_login(UserFactory(role=Role.OFFICER))
    for name in ("enrollments:start", "enrollments:enroll_bhyt", "enrollments:enroll_bhxh"):
        response = english.get(reverse(name))
        assert response.status_code == 403
        assert "not linked to an active collection officer record" in response.content.decode()
    assert english.get(reverse("enrollments:list")).status_code == 200


def test_without_a_running_campaign_the_entry_pages_say_so(officer, world):
    world["campaign"].status = "closed"
    world["campaign"].save()
    response = officer.get(reverse("enrollments:enroll_bhyt"))
    assert response.status_code == 403 and "No campaign is running" in response.content.decode()


# --- BHYT hộ gia đình -------------------------------------------------------------------------


def test_bhyt_form_defaults_to_the_agencys_commune_and_today(officer, world):
    response = officer.get(reverse("enrollments:enroll_bhyt"))
    form = response.context["form"]
    assert form["commune_code"].value() == world["commune"].code
    assert form["collected_on"].value() == TODAY
    body = response.content.decode()
    assert 'value="10/12/2025"' in body  # dd/mm/yyyy whatever the phone's language
    assert "Phường Zeta" in body  # every commune of the province can be chosen
    assert 'id="member-template"' in body and "members-__prefix__-cccd" in body  # "add a member" without reload
    assert 'hx-get="/enroll/lookup/bhyt_hgd/"' in body


def test_a_household_posted_with_a_million_members_is_refused_quickly_on_a_small_page(officer, world):
    """The management form is the client's word: at most 20 member forms are ever built (a million took 12 s).

    Not timed: the bound on the forms built and the page's size say it, on a busy machine too."""
    response = officer.post(
        reverse("enrollments:enroll_bhyt"), household_data(world, members=2) | {"members-TOTAL_FORMS": "1000000"}
    )
    assert response.status_code == 200 and len(response.content) < 200_000
    assert len(response.context["formset"].forms) <= 20
    assert "Please submit at most 20 forms." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_household_of_three_is_quoted_confirmed_recorded_and_gets_its_mugs(officer, world):
    url = reverse("enrollments:enroll_bhyt")

    # Typing the 2nd member's CCCD tells at once who they are, their order and what they pay.
    lookup = officer.get(
        reverse("enrollments:lookup", args=["bhyt_hgd"]),
        {"members-1-cccd": cccd_of(2), "months": "12", "collected_on": "2025-12-10", "household_code": "HGD-0001"},
        headers={"HX-Request": "true"},
    )
    assert lookup.status_code == 200
    body = lookup.content.decode()
    assert "<html" not in body
    assert "Classification: <strong>new</strong>" in body and "<strong>884.520 ₫</strong>" in body
    assert "Order in the household: <strong>2</strong>" in body
    assert "Mug: <strong>due</strong>" in body

    review = officer.post(url, household_data(world))
    assert review.status_code == 200
    body = review.content.decode()
    for amount in ("1.263.600 ₫", "884.520 ₫", "758.160 ₫"):
        assert amount in body
    assert "2.906.280 ₫" in body
    assert [row["prepared"].member_order for row in review.context["rows"]] == [1, 2, 3]
    assert all(row["mug_due"] for row in review.context["rows"])
    assert "09/01/2026–08/01/2027" in body  # new members: 30 days' wait, then 12 months
    assert Enrollment.objects.count() == 0  # nothing stored before "Confirm"

    recorded = confirm(officer, url, review)
    assert recorded.status_code == 302
    stored = list(Enrollment.objects.order_by("member_order"))
    assert [e.amount_payable for e in stored] == [1_263_600, 884_520, 758_160]
    assert {e.participant.household.code for e in stored} == {"HGD-0001"}
    assert {e.receipt_no for e in stored} == {"BL-000123"}
    assert {e.agency for e in stored} == {world["mine"]}

    receipt = officer.get(recorded["Location"])
    body = receipt.content.decode()
    assert "Trần Thị Thành Viên 3" in body and "2.906.280 ₫" in body
    assert body.count("Hand over the mug") == 3

    gift = officer.post(reverse("enrollments:gift", args=[stored[0].pk]), {"next": recorded["Location"]})
    assert gift.status_code == 302 and gift["Location"] == recorded["Location"]
    assert GiftIssue.objects.get().participant == stored[0].participant
    assert GiftStock.objects.get(agency=world["mine"]).on_hand == 9
    assert officer.get(recorded["Location"]).content.decode().count("Hand over the mug") == 2


def test_confirming_twice_records_once(officer, world):
    url = reverse("enrollments:enroll_bhyt")
    review = officer.post(url, household_data(world, members=2))
    first = confirm(officer, url, review)
    again = confirm(officer, url, review)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Enrollment.objects.count() == 2


def test_back_returns_to_the_form_with_everything_typed(officer, world):
    url = reverse("enrollments:enroll_bhyt")
    review = officer.post(url, household_data(world))
    back = officer.post(url, dict(review.context["carried"]) | {"action": "back"})
    assert back.status_code == 200
    body = back.content.decode()
    assert "Trần Thị Thành Viên 3" in body and "HGD-0001" in body and "Ấp Chợ, số 12" in body
    assert len(back.context["formset"].forms) == 3
    assert Enrollment.objects.count() == 0


def test_household_members_after_earlier_ones_of_the_year_continue_the_ladder(officer, world):
    my_enrollment(world, number=7, household_code="HGD-0001")
    response = officer.post(reverse("enrollments:enroll_bhyt"), household_data(world, members=1))
    assert response.context["rows"][0]["prepared"].member_order == 2
    assert "884.520 ₫" in response.content.decode()


def test_bad_cccd_and_future_date_show_next_to_their_fields_and_nothing_is_stored(officer, world):
    data = household_data(world, collected_on="2025-12-11")
    data["members-1-cccd"] = "072185000002"  # the fourth digit says a woman; the sex says male
    response = officer.post(reverse("enrollments:enroll_bhyt"), data)
    assert response.status_code == 200
    form, members = response.context["form"], response.context["formset"].forms
    assert "The collection date cannot be in the future." in form.errors["collected_on"]
    assert "that of a woman" in members[1].errors["cccd"][0]
    assert "cccd" not in members[0].errors and "cccd" not in members[2].errors
    body = response.content.decode()
    assert "072185000002" in body and "Trần Thị Thành Viên 2" in body  # nothing lost
    assert Enrollment.objects.count() == 0 and Household.objects.count() == 0


def test_short_cccd_and_missing_name_are_caught_by_the_form(officer, world):
    data = household_data(world, members=1) | {"members-0-cccd": "72085123456", "members-0-full_name": ""}
    response = officer.post(reverse("enrollments:enroll_bhyt"), data)
    member = response.context["formset"].forms[0]
    assert member.errors["full_name"] == ["This field is required."]
    assert member.errors["cccd"] == ["The CCCD number must have 12 digits; check that none is missing or extra."]
    assert Enrollment.objects.count() == 0


def test_the_same_cccd_twice_in_one_household_is_refused(officer, world):
    data = household_data(world, members=2) | {"members-1-cccd": cccd_of(1)}
    response = officer.post(reverse("enrollments:enroll_bhyt"), data)
    assert "already entered for member 1" in response.context["formset"].forms[1].errors["cccd"][0]


def test_members_entered_together_without_a_household_code_follow_the_ladder(officer, world):
    url = reverse("enrollments:enroll_bhyt")
    review = officer.post(url, household_data(world, members=2, household_code=""))
    assert [row["prepared"].quote.amount_payable for row in review.context["rows"]] == [1_263_600, 884_520]
    assert confirm(officer, url, review).status_code == 302
    assert sorted(Enrollment.objects.values_list("amount_payable", flat=True)) == [884_520, 1_263_600]


def test_the_household_address_is_kept(officer, world):
    url = reverse("enrollments:enroll_bhyt")
    review = officer.post(url, household_data(world, members=1) | {"address": "Ấp Trà Võ, tổ 4"})
    confirm(officer, url, review)
    assert Household.objects.get(code="HGD-0001").address == "Ấp Trà Võ, tổ 4"


def test_a_single_member_needs_no_household_code(officer, world):
    url = reverse("enrollments:enroll_bhyt")
    review = officer.post(url, household_data(world, members=1, household_code=""))
    assert review.context["rows"][0]["prepared"].quote.amount_payable == 1_263_600
    assert confirm(officer, url, review).status_code == 302
    assert Enrollment.objects.get().participant.household is None


def test_an_empty_added_member_row_is_ignored(officer, world):
    data = household_data(world, members=2)
    for field in ("cccd", "full_name", "date_of_birth", "sex", "phone"):
        data[f"members-1-{field}"] = ""
    data["members-1-target_group"] = "other"
    response = officer.post(reverse("enrollments:enroll_bhyt"), data)
    assert len(response.context["rows"]) == 1


def test_a_conflict_found_on_confirm_lands_on_the_member_it_is_about(officer, world):
    url = reverse("enrollments:enroll_bhyt")
    review = officer.post(url, household_data(world))
    # Meanwhile another officer records the 3rd member the same day.
    record_enrollment(
        campaign=world["campaign"],
        collector=CollectorFactory(agency=world["other"]),
        request=bhyt_request(3, commune_code=world["commune"].code, collected_on=TODAY),
    )
    response = confirm(officer, url, review)
    assert response.status_code == 200
    members = response.context["formset"].forms
    assert "already recorded" in members[2].errors["cccd"][0]
    assert Enrollment.objects.count() == 1  # all or nothing: none of the household was stored


# --- BHXH tự nguyện ---------------------------------------------------------------------------


def test_bhxh_income_typed_with_dots_is_quoted_and_recorded(officer, world):
    url = reverse("enrollments:enroll_bhxh")
    lookup = officer.get(
        reverse("enrollments:lookup", args=["bhxh_tn"]),
        {"cccd": cccd_of(41), "months": "12", "income": "1.500.000", "support_group": "other"},
        headers={"HX-Request": "true"},
    )
    assert "3.168.000 ₫" in lookup.content.decode()

    review = officer.post(url, bhxh_data(world))
    assert review.status_code == 200
    body = review.content.decode()
    assert "3.960.000 ₫" in body and "792.000 ₫" in body and "3.168.000 ₫" in body
    assert Enrollment.objects.count() == 0

    recorded = confirm(officer, url, review)
    assert recorded.status_code == 302
    enrollment = Enrollment.objects.get()
    assert (enrollment.income, enrollment.amount_payable, enrollment.support_group) == (1_500_000, 3_168_000, "other")
    assert (enrollment.coverage_start, enrollment.coverage_end) == (date(2025, 12, 1), date(2026, 11, 30))
    assert "3.168.000 ₫" in officer.get(recorded["Location"]).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"income": "1.450.000"}, "income", "from 1.500.000 ₫ to 46.800.000 ₫"),
        ({"income": "một triệu"}, "income", "whole đồng"),
        ({"collected_on": "2025-12-11"}, "collected_on", "cannot be in the future"),
        ({"cccd": "099085000041"}, "cccd", "not a province or country code"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"months": "24"}, "months", "Select a valid choice"),
    ],
)
def test_bhxh_errors_show_next_to_their_field_and_nothing_is_stored(officer, world, overrides, field, message):
    response = officer.post(reverse("enrollments:enroll_bhxh"), bhxh_data(world, **overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "Lê Văn Tự Nguyện" in response.content.decode()
    assert Enrollment.objects.count() == 0


def test_lookup_masks_the_name_of_someone_another_agency_recorded(officer, world):
    theirs = other_agency_enrollment(world)
    body = officer.get(
        reverse("enrollments:lookup", args=["bhyt_hgd"]), {"members-0-cccd": theirs.participant.cccd}
    ).content.decode()
    assert theirs.participant.full_name not in body and "N***** V** T** 9*" in body
    assert "already known" in body and "Classification: <strong>renewal</strong>" in body
    assert "Last coverage end: 30/12/2026" in body

    mine = my_enrollment(world)
    body = officer.get(
        reverse("enrollments:lookup", args=["bhyt_hgd"]), {"members-0-cccd": mine.participant.cccd}
    ).content.decode()
    assert mine.participant.full_name in body


def test_lookup_while_typing_and_for_a_wrong_number(officer, world):
    url = reverse("enrollments:lookup", args=["bhyt_hgd"])
    assert "5 of 12 digits" in officer.get(url, {"members-0-cccd": "07208"}).content.decode()
    assert "12 digits" in officer.get(url, {"members-0-cccd": "0720851234567"}).content.decode()
    assert "not a province" in officer.get(url, {"members-0-cccd": "099085123456"}).content.decode()


# --- the list and the detail ------------------------------------------------------------------


def test_list_shows_only_the_officers_agency(officer, world):
    mine, theirs = my_enrollment(world), other_agency_enrollment(world)
    body = officer.get(reverse("enrollments:list")).content.decode()
    assert mine.participant.full_name in body
    assert theirs.participant.full_name not in body
    assert mine.participant.cccd in body  # their own agency's people in full


def test_list_filters_and_search_answer_htmx_with_the_table_only(english, world):
    english.force_login(world["users"][Role.ADMIN])
    bhyt = my_enrollment(world)
    bhxh = record_enrollment(
        campaign=world["campaign"],
        collector=collector_of(world["users"][Role.OFFICER]),
        request=bhxh_request(5, commune_code=world["commune"].code, collected_on=date(2025, 11, 20), receipt_no="R-55"),
    )
    url = reverse("enrollments:list")
    response = english.get(url, {"product": "bhxh_tn"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'id="enrollment-table"' in body
    assert bhxh.participant.full_name in body and bhyt.participant.full_name not in body

    assert bhyt.participant.full_name in english.get(url, {"week": "3"}).content.decode()
    assert bhxh.participant.full_name not in english.get(url, {"week": "3"}).content.decode()
    assert bhxh.participant.full_name in english.get(url, {"q": "R-55"}).content.decode()
    assert bhyt.participant.full_name in english.get(url, {"q": bhyt.participant.cccd[:8]}).content.decode()
    collector_code = bhyt.collector.code
    assert bhyt.participant.full_name in english.get(url, {"collector": collector_code}).content.decode()
    assert "No enrollment matches" in english.get(url, {"collector": "NOBODY"}).content.decode()
    assert bhyt.participant.full_name in english.get(url, {"week": "nonsense"}).content.decode()  # ignored


def test_list_masks_cccd_for_provincial_staff(english, world):
    enrollment = my_enrollment(world)
    english.force_login(world["users"][Role.PROVINCIAL])
    body = english.get(reverse("enrollments:list")).content.decode()
    assert enrollment.participant.cccd not in body and "072*******80" in body


@pytest.mark.parametrize("role", [Role.OFFICER, Role.PROVINCIAL])
def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries, role):
    officer_collector = collector_of(world["users"][Role.OFFICER])
    requests = [bhyt_request(n, commune_code=world["commune"].code, collected_on=date(2025, 12, 3)) for n in range(30)]
    record_household(campaign=world["campaign"], collector=officer_collector, requests=requests)
    client.force_login(world["users"][role])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("enrollments:list"))
    assert response.status_code == 200 and len(response.context["rows"]) == 25


def test_detail_of_another_agencys_enrollment_is_not_found_for_an_officer(officer, world):
    theirs = other_agency_enrollment(world)
    assert officer.get(reverse("enrollments:detail", args=[theirs.pk])).status_code == 404
    assert officer.post(reverse("enrollments:cancel", args=[theirs.pk]), {"reason": "x"}).status_code == 404
    assert officer.post(reverse("enrollments:gift", args=[theirs.pk])).status_code == 404
    assert Enrollment.objects.get(pk=theirs.pk).status == "recorded"


def test_detail_shows_personal_data_in_full_to_the_agency_and_masked_to_provincial_staff(english, world):
    enrollment = my_enrollment(world)
    english.force_login(world["users"][Role.OFFICER])
    body = english.get(reverse("enrollments:detail", args=[enrollment.pk])).content.decode()
    assert enrollment.participant.cccd in body and "02/03/1985" in body and "0912345678" in body

    english.force_login(world["users"][Role.PROVINCIAL])
    response = english.get(reverse("enrollments:detail", args=[enrollment.pk]))
    body = response.content.decode()
    assert response.context["cccd"] == "072*******80"
    assert enrollment.participant.cccd not in body and "**/**/1985" in body and "091****678" in body
    assert "0912345678" not in body
    assert "Cancel the enrollment" not in body and "Hand over the mug" not in body


def test_cancel_needs_a_reason(officer, world):
    enrollment = my_enrollment(world)
    url = reverse("enrollments:cancel", args=[enrollment.pk])
    response = officer.post(url, {"reason": "  "})
    assert response.status_code == 200 and response.context["cancel_form"].errors["reason"] == [
        "This field is required."
    ]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "recorded"

    response = officer.post(url, {"reason": "Nhập trùng người"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.cancel_reason) == ("cancelled", "Nhập trùng người")
    body = officer.get(response["Location"]).content.decode()
    assert "Nhập trùng người" in body and "Cancel the enrollment" not in body

    again = officer.post(url, {"reason": "again"})
    assert again.status_code == 302
    assert "already cancelled" in officer.get(again["Location"]).content.decode()


def test_admin_may_cancel_provincial_may_not(english, world):
    enrollment = my_enrollment(world)
    english.force_login(world["users"][Role.PROVINCIAL])
    assert english.post(reverse("enrollments:cancel", args=[enrollment.pk]), {"reason": "x"}).status_code == 403
    english.force_login(world["users"][Role.ADMIN])
    assert "Cancel the enrollment" in english.get(reverse("enrollments:detail", args=[enrollment.pk])).content.decode()
    assert english.post(reverse("enrollments:cancel", args=[enrollment.pk]), {"reason": "Sai số"}).status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).status == "cancelled"


def test_mug_from_the_detail_page_and_the_flag_after_cancelling(officer, world):
    enrollment = my_enrollment(world)
    detail = reverse("enrollments:detail", args=[enrollment.pk])
    assert "Hand over the mug" in officer.get(detail).content.decode()
    assert officer.post(reverse("enrollments:gift", args=[enrollment.pk])).status_code == 302
    body = officer.get(detail).content.decode()
    assert "Hand over the mug" not in body and "Handed over on 10/12/2025" in body

    second = officer.post(reverse("enrollments:gift", args=[enrollment.pk]))
    assert "already received a mug" in officer.get(second["Location"]).content.decode()
    assert GiftIssue.objects.count() == 1

    officer.post(reverse("enrollments:cancel", args=[enrollment.pk]), {"reason": "Khách đổi ý"})
    body = officer.get(detail).content.decode()
    assert "gift-flagged" in body and "Khách đổi ý" in body


def test_renewal_gets_no_mug_button(officer, world):
    first = my_enrollment(world)
    renewal = record_enrollment(
        campaign=world["campaign"],
        collector=collector_of(world["users"][Role.OFFICER]),
        request=bhyt_request(80, commune_code=world["commune"].code, collected_on=TODAY),
    )
    issue_gift(enrollment=first, user=None)
    assert renewal.classification == "renewal"
    body = officer.get(reverse("enrollments:detail", args=[renewal.pk])).content.decode()
    assert "Hand over the mug" not in body


# --- who may open what ------------------------------------------------------------------------

OFFICER_ONLY = {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}
EVERYONE = {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}

PAGES = [
    # (url name, needs an enrollment id, method, {role: status})
    ("enrollments:start", False, "get", OFFICER_ONLY),
    ("enrollments:enroll_bhyt", False, "get", OFFICER_ONLY),
    ("enrollments:enroll_bhxh", False, "get", OFFICER_ONLY),
    ("enrollments:lookup", False, "get", OFFICER_ONLY),
    ("enrollments:receipt", False, "get", OFFICER_ONLY),
    ("enrollments:list", False, "get", EVERYONE),
    ("enrollments:detail", True, "get", EVERYONE),
    ("enrollments:cancel", True, "post", {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}),
    ("enrollments:gift", True, "post", {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 302, None: 403}),
]


def _url(world, name, with_id):
    if name == "enrollments:lookup":
        return reverse(name, args=["bhyt_hgd"]) + "?" + urlencode({"members-0-cccd": cccd_of(1)})
    if with_id:
        return reverse(name, args=[world["enrollment"].pk])
    return reverse(name)


@pytest.fixture
def world_with_enrollment(world):
    world["enrollment"] = my_enrollment(world)
    return world


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL, Role.OFFICER, None], ids=str)
@pytest.mark.parametrize(("name", "with_id", "method", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_role_access_to_each_page(client, world_with_enrollment, name, with_id, method, expected, role):
    client.force_login(world_with_enrollment["users"][role])
    response = getattr(client, method)(_url(world_with_enrollment, name, with_id))
    assert response.status_code == expected[role]


@pytest.mark.parametrize(("name", "with_id", "method", "_"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world_with_enrollment, name, with_id, method, _):
    response = getattr(client, method)(_url(world_with_enrollment, name, with_id))
    assert response.status_code == 302 and "login" in response["Location"]


def test_cancel_and_gift_need_a_post(officer, world):
    enrollment = my_enrollment(world)
    assert officer.get(reverse("enrollments:cancel", args=[enrollment.pk])).status_code == 405
    assert officer.get(reverse("enrollments:gift", args=[enrollment.pk])).status_code == 405


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (Role.OFFICER, ["enrollments:start", "enrollments:list"]),
        (Role.ADMIN, ["enrollments:list"]),
        (Role.PROVINCIAL, ["enrollments:list"]),
    ],
)
def test_menu_links(client, world, role, links):
    client.force_login(world["users"][role])
    body = client.get(reverse("enrollments:list")).content.decode()
    for name in links:
        assert f'class="nav-link" href="{reverse(name)}"' in body
    if role != Role.OFFICER:
        assert f'class="nav-link" href="{reverse("enrollments:start")}"' not in body


@pytest.mark.parametrize(
    ("income", "birth"), [("1500000", "02031985"), ("1 500 000 ₫", "2/3/1985"), ("1.500.000đ", "1985-03-02")]
)
def test_bhxh_form_reads_income_and_birth_date_as_people_type_them(officer, world, income, birth):
    response = officer.post(reverse("enrollments:enroll_bhxh"), bhxh_data(world, income=income, date_of_birth=birth))
    assert response.context["rows"][0]["prepared"].quote.amount_payable == 3_168_000

"""Recording never rewrites a person another agency recorded (issue 10, fault 1)."""

from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory
from core.errors import DomainError
from enrollments.models import Household, Participant, ParticipantChange
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    other_commune = CommuneFactory(province=campaign.province)
    a = CollectorFactory(agency=AgencyFactory(code="A", name="Bưu điện A"))
    b = CollectorFactory(agency=AgencyFactory(code="B", name="Đại lý B"))
    return campaign, commune, other_commune, a, b


def _bhyt(world, collector, number=1, **kwargs):
    campaign, commune = world[0], world[1]
    kwargs.setdefault("collected_on", date(2025, 11, 20))
    return record_enrollment(
        campaign=campaign, collector=collector, request=bhyt_request(number, commune_code=commune.code, **kwargs)
    )


def _bhxh(world, collector, number=1, **kwargs):
    campaign, commune = world[0], world[1]
    return record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhxh_request(
            number, commune_code=kwargs.pop("commune_code", commune.code), collected_on=date(2025, 11, 21), **kwargs
        ),
    )


def _stored(number=1):
    p = Participant.objects.get(cccd=cccd_of(number))
    return (p.full_name, p.date_of_birth, p.phone, p.commune_id, p.household_id)


def test_another_agency_cannot_rename_or_redate_a_person(world):
    _bhyt(world, world[3], household_code="HGD-A")
    before = _stored()
    # (The sex is in the CCCD itself: the CCCD check refuses another one first.)
    for change in ({"full_name": "Kẻ Mạo Danh"}, {"date_of_birth": date(1985, 3, 3)}):
        with pytest.raises(DomainError) as refused:
            _bhxh(world, world[4], person=change)
        assert "already recorded with another" in refused.value.messages[0]
    assert _stored() == before
    # The same name typed with other spaces and case is the same name.
    _bhxh(world, world[4], person={"full_name": "  nguyễn văn  THỬ 1 "})
    assert _stored() == before


def test_an_omitted_phone_never_blanks_the_stored_one(world):
    _bhyt(world, world[3])
    _bhxh(world, world[4], person={"phone": ""})
    assert Participant.objects.get().phone == "0912345678"


def test_only_the_recording_agency_changes_the_phone_and_commune_and_the_change_is_kept(world):
    _bhyt(world, world[3])
    with pytest.raises(DomainError) as refused:
        _bhxh(world, world[4], person={"phone": "0987654321"})
    assert refused.value.messages == [
        "Nguyễn Văn Thử 1 was recorded by another agency; only it can change their phone. Keep what is stored, "
        "or ask that agency."
    ]
    with pytest.raises(DomainError):
        _bhxh(world, world[4], commune_code=world[2].code)
    assert Participant.objects.get().phone == "0912345678"
    _bhxh(world, world[3], person={"phone": "0987654321"})
    assert Participant.objects.get().phone == "0987654321"
    (change,) = ParticipantChange.objects.all()
    assert (change.field, change.old_value, change.new_value, change.agency.code) == (
        "phone",
        "0912345678",
        "0987654321",
        "A",
    )


def test_joining_another_agencys_household_needs_its_heads_cccd(world):
    _bhyt(world, world[3], household_code="HGD-A")
    household = Household.objects.get(code="HGD-A")
    with pytest.raises(DomainError) as refused:
        _bhyt(world, world[4], 2, household_code="HGD-A")
    assert refused.value.errors == {
        "household_code": [
            "Household HGD-A is served by another agency: to add a member, enter the CCCD of the head of "
            "household."  # not their name: the code alone must not tell who lives there
        ]
    }
    assert not Participant.objects.filter(cccd=cccd_of(2)).exists()
    campaign, commune, _, _, b = world
    request = bhyt_request(2, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="HGD-A")
    joined = replace(request, person=replace(request.person, household_head_cccd=cccd_of(1)))
    enrollment = record_enrollment(campaign=campaign, collector=b, request=joined)
    assert enrollment.participant.household == household and enrollment.member_order == 2


def test_another_agency_cannot_readdress_a_household(world):
    _bhyt(world, world[3], household_code="HGD-A", person={"address": "Ấp 1"})
    assert Household.objects.get().address == "Ấp 1"
    with pytest.raises(DomainError) as refused:
        _bhxh(world, world[4], person={"household_code": "HGD-A", "address": "Ấp 9"})
    assert refused.value.errors["address"] == [
        "Only an agency that recorded this household's members can change its address."
    ]
    assert Household.objects.get().address == "Ấp 1"
    _bhxh(world, world[3], person={"household_code": "HGD-A", "address": "Ấp 2"})
    assert Household.objects.get().address == "Ấp 2"
    assert ParticipantChange.objects.get(field="address").household.code == "HGD-A"


def test_through_the_api_an_officer_cannot_overwrite_another_agencys_person(client, world):
    from collectors.roles import Role
    from collectors.tests.factories import UserFactory
    from collectors.tokens import issue_api_token

    campaign, commune, _, a, b = world
    _bhyt(world, a, household_code="HGD-A")
    b.user = UserFactory(role=Role.OFFICER)
    b.save()
    _token, raw = issue_api_token(user=b.user, name="b")
    payload = {
        "campaign": campaign.code,
        "participant": {
            "cccd": cccd_of(1),
            "full_name": "Tên Khác",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "commune_code": commune.code,
        },
        "product": "bhxh_tn",
        "months": 12,
        "income": 1_500_000,
        "support_group": "other",
        "collected_on": "2025-11-21",
    }
    before = _stored()
    response = client.post(
        "/api/v1/enrollments",
        payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "participant.cccd"
    assert _stored() == before

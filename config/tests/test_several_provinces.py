"""Several provinces in one instance (issue 13, item 5): each user sees their own province only.

Two provinces, Tây Ninh and Hà Nội, each with a campaign, a BHXH cơ sở, a commune, an agency, an
officer, provincial staff posted to it and one enrollment of a person named after the province.
Provincial staff and officers see their province's campaign, offices, communes, agencies,
enrollments, rankings and progress, on the pages and in the API; another province's rows are
404, as an unknown code is. An admin without a posting sees both provinces.
"""

from dataclasses import dataclass
from datetime import date

import pytest

from awards.services import compute_rankings
from awards.tests.factories import AwardRuleFactory
from campaign.selectors import campaigns_for
from campaign.tests.factories import (
    BhxhOfficeFactory,
    CampaignFactory,
    CommuneFactory,
    CoverageBaselineFactory,
    ProvinceFactory,
)
from collectors.models import StaffPosting
from collectors.roles import Role
from collectors.scoping import province_of, sees_every_province
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory
from collectors.tokens import issue_api_token
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhyt_request

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 5)  # week 4: week 1 is past its cut-off and can be ranked


@dataclass
class Place:
    province: object
    campaign: object
    office: object
    commune: object
    agency: object
    officer: object
    provincial: object
    person: str  # the name of its one enrolled person, found nowhere else
    ranking: object = None


def _place(province, *, number: int, code: str) -> Place:
    campaign = CampaignFactory(code=f"{code}-2025", name=f"Chiến dịch {province.name}", province=province)
    office = BhxhOfficeFactory(province=province, code=f"OFF-{code}", name=f"BHXH cơ sở {province.name}")
    commune = CommuneFactory(province=province, office=office, code=f"{number:05d}", name=f"Xã {province.name}")
    CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 11, 1))
    agency = AgencyFactory(code=f"AG-{code}", name=f"Bưu điện {province.name}", office=office)
    agency.communes.add(commune)
    officer = UserFactory(username=f"officer_{code.lower()}", role=Role.OFFICER)
    collector = CollectorFactory(agency=agency, user=officer)
    person = f"Người {province.name} Duy Nhất"
    request = bhyt_request(
        number, commune_code=commune.code, collected_on=date(2025, 11, 14), person={"full_name": person}
    )
    record_enrollment(campaign=campaign, collector=collector, request=request)
    AwardRuleFactory(campaign=campaign, code=f"weekly-{code.lower()}", threshold=0)
    provincial = UserFactory(username=f"provincial_{code.lower()}", role=Role.PROVINCIAL, province=province)
    place = Place(province, campaign, office, commune, agency, officer, provincial, person)
    place.ranking = compute_rankings(campaign=campaign, week_number=1)[0].ranking
    return place


@pytest.fixture
def places(settings):
    settings.APP_TODAY = TODAY
    tay_ninh = ProvinceFactory()
    ha_noi = ProvinceFactory(code="01", name="Hà Nội", codename="ha_noi")
    return {
        "TN": _place(tay_ninh, number=25480, code="TN"),
        "HN": _place(ha_noi, number=10001, code="HN"),
    }


@pytest.fixture
def admin():
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True)


def _signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


# --- who is in which province ---------------------------------------------------------------------


def test_an_officer_is_in_their_agencys_province_and_staff_in_their_postings(places, admin):
    tn, hn = places["TN"], places["HN"]
    assert province_of(tn.officer) == tn.province
    assert province_of(hn.provincial) == hn.province
    assert (province_of(admin), sees_every_province(admin)) == (None, True)
    assert not sees_every_province(hn.provincial)


def test_provincial_staff_without_a_posting_see_no_campaign_but_an_admin_sees_every_one(places, admin):
    unposted = UserFactory(role=Role.PROVINCIAL)
    StaffPosting.objects.filter(user=unposted).delete()
    unposted = type(unposted).objects.get(pk=unposted.pk)
    assert list(campaigns_for(unposted)) == []
    assert set(campaigns_for(admin)) == {places["TN"].campaign, places["HN"].campaign}


def test_a_posted_admin_sees_their_province_only(places):
    admin = UserFactory(role=Role.ADMIN, province=places["HN"].province)
    assert list(campaigns_for(admin)) == [places["HN"].campaign]


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mine", ["TN", "HN"])
@pytest.mark.parametrize("who", ["provincial", "officer"])
def test_the_campaign_chooser_offers_the_users_province_only(client, places, mine, who):
    place = places[mine]
    page = "/overview/" if who == "provincial" else "/my-agency/"
    response = _signed_in(client, getattr(place, who)).get(page)
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert response.context["campaign_choices"] == [place.campaign]
    assert response.context["current_campaign"] == place.campaign


@pytest.mark.parametrize("who", ["provincial", "officer"])
def test_another_provinces_campaign_code_is_refused_like_an_unknown_one(client, places, who):
    signed_in = _signed_in(client, getattr(places["TN"], who))
    other = places["HN"].campaign.code
    pages = ["/rankings/live/", "/rankings/final/"] + (["/overview/"] if who == "provincial" else [])
    for page in pages:
        assert signed_in.get(f"{page}?campaign={other}").status_code == 404, page
        assert signed_in.get(f"{page}?campaign=NO-SUCH-CODE").status_code == 404, page


def test_the_overview_shows_the_own_provinces_offices_and_agencies(client, places):
    tn, hn = places["TN"], places["HN"]
    html = _signed_in(client, tn.provincial).get("/overview/").content.decode()
    assert tn.office.name in html and tn.agency.name in html
    assert hn.office.name not in html and hn.agency.name not in html
    assert hn.campaign.name not in html  # not even in the chooser


def test_another_provinces_office_commune_and_agency_pages_are_404(client, places):
    signed_in = _signed_in(client, places["TN"].provincial)
    hn = places["HN"]
    assert signed_in.get(f"/overview/agencies/{places['TN'].agency.code}/").status_code == 200
    for url in (
        f"/overview/offices/{hn.office.code}/",
        f"/overview/communes/{hn.commune.code}/",
        f"/overview/agencies/{hn.agency.code}/",
        f"/overview/agencies/{hn.agency.code}/collectors.xlsx",
        f"/rankings/{hn.ranking.pk}/",
    ):
        assert signed_in.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["provincial", "officer"])
def test_the_enrollment_list_shows_the_own_provinces_people_only(client, places, who):
    tn, hn = places["TN"], places["HN"]
    html = _signed_in(client, getattr(tn, who)).get("/enrollments/").content.decode()
    assert tn.person in html
    assert hn.person not in html


def test_the_rankings_page_ranks_the_own_provinces_agencies(client, places):
    tn, hn = places["TN"], places["HN"]
    html = _signed_in(client, hn.provincial).get(f"/rankings/{hn.ranking.pk}/").content.decode()
    assert hn.agency.name in html and tn.agency.name not in html


def test_an_admin_without_a_posting_sees_both_provinces(client, places, admin):
    signed_in = _signed_in(client, admin)
    response = signed_in.get("/overview/")
    assert set(response.context["campaign_choices"]) == {places["TN"].campaign, places["HN"].campaign}
    for place in places.values():
        query = f"?campaign={place.campaign.code}"
        assert signed_in.get(f"/overview/agencies/{place.agency.code}/{query}").status_code == 200
        assert signed_in.get(f"/overview/offices/{place.office.code}/{query}").status_code == 200
        assert place.person in signed_in.get(f"/enrollments/{query}").content.decode()


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provincial", "officer"])
def test_the_api_answers_the_own_province_and_404_for_another(client, places, who):
    tn, hn = places["TN"], places["HN"]
    headers = _bearer(getattr(tn, who))
    for path in ("progress", "rankings?provisional=1&final=1"):
        assert client.get(f"/api/v1/campaigns/{tn.campaign.code}/{path}", headers=headers).status_code == 200, path
        assert client.get(f"/api/v1/campaigns/{hn.campaign.code}/{path}", headers=headers).status_code == 404, path
    listed = client.get("/api/v1/enrollments", headers=headers).json()
    assert [row["participant"]["full_name"] for row in listed["items"]] == [tn.person]
    across = client.get(f"/api/v1/enrollments?campaign={hn.campaign.code}", headers=headers).json()
    assert across["items"] == []


def test_an_officer_cannot_record_into_another_provinces_campaign(client, places):
    tn, hn = places["TN"], places["HN"]
    body = {
        "campaign": hn.campaign.code,
        "product": "bhyt_hgd",
        "months": 12,
        "collected_on": "2025-12-01",
        "participant": {
            "cccd": "001085000777",
            "full_name": "Người Lạc Tỉnh",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "commune_code": hn.commune.code,
            "phone": "0912345678",
        },
    }
    response = client.post("/api/v1/enrollments", body, content_type="application/json", headers=_bearer(tn.officer))
    assert response.status_code == 404
    assert hn.campaign.enrollments.count() == 1


def test_an_admin_without_a_posting_gets_both_provinces_from_the_api(client, places, admin):
    headers = _bearer(admin)
    for place in places.values():
        assert client.get(f"/api/v1/campaigns/{place.campaign.code}/progress", headers=headers).status_code == 200
    listed = client.get("/api/v1/enrollments", headers=headers).json()
    assert {row["participant"]["full_name"] for row in listed["items"]} == {p.person for p in places.values()}

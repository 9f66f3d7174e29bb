"""Small reads the officer's pages need beside ``enrollments.selectors``.

Nothing here decides a rule: the services and selectors do. These only find rows to show.
"""

from django.db.models import Exists, OuterRef, QuerySet

from campaign.models import Campaign, Commune
from collectors.models import CollectionAgency

from .models import Enrollment, GiftIssue, Household, Participant


def communes_of(campaign: Campaign) -> QuerySet[Commune]:
    return Commune.objects.filter(province=campaign.province_id).order_by("name")


def default_commune(*, agency: CollectionAgency, campaign: Campaign) -> Commune | None:
    """The first commune (by name) the agency serves in the campaign's province."""
    return agency.communes.filter(province=campaign.province_id).order_by("name").first()


def household_by_code(code: str) -> Household | None:
    code = (code or "").strip()
    return Household.objects.filter(code=code).first() if code else None


def person_on_record(*, cccd: str, agency_id: int | None) -> tuple[Participant | None, bool]:
    """The stored person with this CCCD, and whether ``agency_id`` has ever recorded them."""
    participant = (
        Participant.objects.filter(cccd=cccd)
        .annotate(ours=Exists(Enrollment.objects.filter(participant=OuterRef("pk"), agency_id=agency_id)))
        .first()
    )
    return participant, bool(participant and participant.ours)


def with_person_gift(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate ``person_has_gift``: the person already had their one mug of the campaign."""
    return enrollments.annotate(
        person_has_gift=Exists(
            GiftIssue.objects.filter(participant=OuterRef("participant"), campaign=OuterRef("campaign"))
        )
    )


def gifts_of(enrollment: Enrollment) -> list[GiftIssue]:
    return list(enrollment.gift_issues.select_related("agency", "issued_by").order_by("issued_at"))

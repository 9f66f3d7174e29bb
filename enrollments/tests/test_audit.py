"""The audit trail of people, households and enrollments: written by the real form, API and services, with who and what.

Each test fails if the history row it looks for is not written (the model's ``history``
removed, or a service writing past the signals without ``record_history``).
"""

import json
from datetime import date

import pytest
from django.urls import reverse

from collectors.roles import Role
from collectors.scoping import collector_of
from collectors.tokens import issue_api_token
from core.errors import DomainError
from enrollments.models import Enrollment, Household, Participant, ParticipantChange
from enrollments.services import record_enrollment, record_household
from enrollments.tests import test_views
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of
from enrollments.tests.test_views import confirm, household_data

world = test_views.world  # the pages' fixture: a campaign, two agencies, a user of each role


def _rows(model, **where):
    return list(model.history.filter(**where).order_by("history_id"))


def test_recording_a_household_on_the_form_keeps_each_person_household_and_enrollment_with_the_officer(client, world):
    officer = world["users"][Role.OFFICER]
    client.force_login(officer)
    url = reverse("enrollments:enroll_bhyt")
    assert confirm(client, url, client.post(url, household_data(world, members=2))).status_code == 302

    people = _rows(Participant)
    assert [(r.cccd, r.history_type, r.history_user) for r in people] == [
        (cccd_of(1), "+", officer),
        (cccd_of(2), "+", officer),
    ]
    [household] = _rows(Household)
    assert (household.code, household.address, household.history_type, household.history_user) == (
        "HGD-0001",
        "Ấp Chợ, số 12",
        "+",
        officer,
    )
    enrollments = _rows(Enrollment)
    assert [(r.member_order, r.status, r.history_type, r.history_user) for r in enrollments] == [
        (1, "recorded", "+", officer),
        (2, "recorded", "+", officer),
    ]


def test_cancelling_on_the_page_keeps_the_cancellation_with_who_and_why(client, world):
    officer = world["users"][Role.OFFICER]
    enrollment = record_enrollment(
        campaign=world["campaign"],
        collector=collector_of(officer),
        request=bhyt_request(80, commune_code=world["commune"].code, collected_on=date(2025, 12, 2)),
        recorded_by=officer,
    )
    client.force_login(officer)
    assert client.post(reverse("enrollments:cancel", args=[enrollment.pk]), {"reason": "Nhập trùng"}).status_code == 302

    created, cancelled = _rows(Enrollment, id=enrollment.pk)
    assert (created.history_type, created.status) == ("+", "recorded")
    assert (cancelled.history_type, cancelled.status, cancelled.cancel_reason) == ("~", "cancelled", "Nhập trùng")
    assert cancelled.history_user == officer
    assert {change.field for change in cancelled.diff_against(created).changes} == {
        "cancel_reason",
        "cancelled_at",
        "cancelled_by",
        "status",
    }


def test_an_enrollment_sent_with_a_bearer_token_names_the_token_s_user(client, world):
    officer = world["users"][Role.OFFICER]
    _token, raw = issue_api_token(user=officer, name="post office system")
    payload = {
        "campaign": world["campaign"].code,
        "participant": {
            "cccd": cccd_of(7),
            "full_name": "Nguyễn Văn Bảy",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "phone": "0912000777",
            "commune_code": world["commune"].code,
            "household_code": "HGD-0777",
            "target_group": "farmer",
        },
        "product": "bhyt_hgd",
        "months": 12,
        "collected_on": "2025-12-10",
        "channel": "market",
    }
    response = client.post(
        "/api/v1/enrollments",
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
    assert [(r.history_type, r.history_user) for r in _rows(Enrollment)] == [("+", officer)]
    assert [(r.cccd, r.history_user) for r in _rows(Participant)] == [(cccd_of(7), officer)]


def test_a_phone_changed_by_the_recording_agency_is_kept_once_in_each_record(world):
    officer = world["users"][Role.OFFICER]
    collector = collector_of(officer)
    commune = world["commune"].code
    first = bhyt_request(5, commune_code=commune, collected_on=date(2025, 12, 2))
    record_enrollment(campaign=world["campaign"], collector=collector, request=first, recorded_by=officer)
    again = bhxh_request(5, commune_code=commune, collected_on=date(2025, 12, 3), person={"phone": "0987000555"})
    record_enrollment(campaign=world["campaign"], collector=collector, request=again, recorded_by=officer)

    created, changed = _rows(Participant)
    assert (created.phone, changed.phone, changed.history_type, changed.history_user) == (
        "0912345678",
        "0987000555",
        "~",
        officer,
    )
    assert [c.field for c in changed.diff_against(created).changes if c.field != "updated_at"] == ["phone"]
    # The recording log keeps the agency beside it; the rule that decides who may change it is people.py's.
    assert list(ParticipantChange.objects.values_list("field", "agency__code", "changed_by")) == [
        ("phone", "MINE", officer.pk)
    ]


def test_a_household_refused_at_its_second_member_leaves_no_history_of_the_first(world):
    officer = world["users"][Role.OFFICER]
    commune = world["commune"].code
    members = [
        bhyt_request(6, commune_code=commune, collected_on=date(2025, 12, 2), household_code="HGD-0006"),
        bhyt_request(7, commune_code="00000", collected_on=date(2025, 12, 2), household_code="HGD-0006"),
    ]
    with pytest.raises(DomainError):
        record_household(campaign=world["campaign"], collector=collector_of(officer), requests=members)
    assert not Participant.history.exists() and not Household.history.exists() and not Enrollment.history.exists()


def test_the_admin_list_of_people_masks_cccd_and_birth_date(client, world):
    officer = world["users"][Role.OFFICER]
    record_enrollment(
        campaign=world["campaign"],
        collector=collector_of(officer),
        request=bhyt_request(9, commune_code=world["commune"].code, collected_on=date(2025, 12, 2)),
    )
    admin = world["users"][Role.ADMIN]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    body = client.get(reverse("admin:enrollments_participant_changelist")).content.decode()
    assert "072*******09" in body and "**/**/1985" in body
    assert cccd_of(9) not in body and "02/03/1985" not in body
    # Searching by the full number still finds the person.
    found = client.get(reverse("admin:enrollments_participant_changelist"), {"q": cccd_of(9)}).content.decode()
    assert "Nguyễn Văn Thử 9" in found


def test_the_admin_history_of_a_person_shows_the_phone_change_masked(client, world):
    officer = world["users"][Role.OFFICER]
    collector = collector_of(officer)
    commune = world["commune"].code
    first = bhyt_request(5, commune_code=commune, collected_on=date(2025, 12, 2))
    record_enrollment(campaign=world["campaign"], collector=collector, request=first, recorded_by=officer)
    again = bhxh_request(5, commune_code=commune, collected_on=date(2025, 12, 3), person={"phone": "0987000555"})
    record_enrollment(campaign=world["campaign"], collector=collector, request=again, recorded_by=officer)
    admin = world["users"][Role.ADMIN]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    person = Participant.objects.get(cccd=cccd_of(5))
    body = client.get(reverse("admin:enrollments_participant_history", args=[person.pk])).content.decode()
    assert "091****678" in body and "098****555" in body and officer.username in body
    assert "0912345678" not in body and "0987000555" not in body
    # Reverting from the history page is off: it would write past the services.
    history_id = person.history.earliest("history_id").history_id
    url = reverse("admin:enrollments_participant_simple_history", args=[person.pk, history_id])
    assert client.post(url, {}).status_code == 403

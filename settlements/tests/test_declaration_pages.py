"""The lists' pages: who opens them, which agency they show, the downloads, marking as sent."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from collectors.roles import Role
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request
from settlements.models import DeclarationBatch

DAY = date(2025, 12, 10)
QUERY = {"form": "d05", "period_from": "2025-12-10", "period_to": "2025-12-10"}


@pytest.fixture
def recorded(world):
    for number, collector in ((5, world["collector"]), (6, world["other_collector"])):
        record_enrollment(
            campaign=world["campaign"],
            collector=collector,
            request=bhxh_request(number, commune_code=world["commune"].code, collected_on=DAY),
        )
    return world


@pytest.mark.parametrize(
    ("who", "status"), [(Role.ADMIN, 200), (Role.OFFICER, 200), (Role.PROVINCIAL, 403), (None, 403)]
)
def test_who_opens_the_lists(client, recorded, who, status):
    client.force_login(recorded["users"][who])
    assert client.get(reverse("settlements:lists")).status_code == status


def test_anonymous_is_sent_to_log_in(client, recorded):
    assert client.get(reverse("settlements:lists"))["Location"].startswith("/accounts/login/")


def test_an_officer_sees_only_their_agency_whatever_they_ask(client, recorded):
    client.force_login(recorded["users"][Role.OFFICER])
    page = client.get(reverse("settlements:lists"), QUERY | {"agency": "BD-KHAC"}).content.decode()
    assert "Nguyễn Văn Thử 5" in page and "Nguyễn Văn Thử 6" not in page
    response = client.get(reverse("settlements:list_download", args=["xlsx"]), QUERY | {"agency": "BD-KHAC"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A2"].value == "Mã đơn vị: BD-HT" and sheet["B10"].value == "Nguyễn Văn Thử 5"
    assert response["Content-Disposition"] == 'attachment; filename="D05-TS_BD-HT_20251210-20251210.xlsx"'


def test_an_admin_picks_the_agency(client, recorded):
    client.force_login(recorded["users"][Role.ADMIN])
    page = client.get(reverse("settlements:lists"), QUERY | {"agency": "BD-KHAC"}).content.decode()
    assert "Nguyễn Văn Thử 6" in page and "Nguyễn Văn Thử 5" not in page
    xml = client.get(reverse("settlements:list_download", args=["xml"]), QUERY | {"agency": "BD-KHAC"})
    assert xml["Content-Type"].startswith("application/xml")
    assert "<HoTen>Nguyễn Văn Thử 6</HoTen>" in xml.content.decode()


def test_a_week_is_a_period(client, recorded):
    client.force_login(recorded["users"][Role.OFFICER])
    page = client.get(reverse("settlements:lists"), {"form": "d05", "week": "5"}).content.decode()
    assert "10/12/2025–16/12/2025" in page and "Nguyễn Văn Thử 5" in page


def test_marking_as_sent_freezes_and_other_officers_cannot_open_it(client, recorded):
    client.force_login(recorded["users"][Role.OFFICER])
    response = client.post(reverse("settlements:list_send"), QUERY)
    batch = DeclarationBatch.objects.get()
    assert response["Location"] == reverse("settlements:batch", args=[batch.pk])
    assert (batch.agency.code, batch.number, batch.lines.count()) == ("BD-HT", 1, 1)
    assert client.get(reverse("settlements:batch", args=[batch.pk])).status_code == 200
    client.force_login(recorded["users"]["other_officer"])
    assert client.get(reverse("settlements:batch", args=[batch.pk])).status_code == 404
    assert client.get(reverse("settlements:batch_download", args=[batch.pk, "xlsx"])).status_code == 404


def test_an_empty_list_is_not_sent(client, recorded):
    client.force_login(recorded["users"][Role.OFFICER])
    client.post(reverse("settlements:list_send"), QUERY)
    again = client.post(reverse("settlements:list_send"), QUERY, follow=True)
    assert DeclarationBatch.objects.count() == 1
    assert "không còn gì phải kê khai" in again.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"form": "d05", "period_from": "2025-12-31", "period_to": "2025-12-01"},
        {"form": "d05", "period_from": "2020-01-01", "period_to": "2025-12-01"},
        {"form": "d99"},
        {"form": "d05", "period_from": "hôm qua"},
        {"form": "d05", "week": "99"},
    ],
)
def test_hostile_periods_end_in_a_message(client, recorded, params):
    client.force_login(recorded["users"][Role.OFFICER])
    assert client.get(reverse("settlements:lists"), params).status_code == 200
    assert client.get(reverse("settlements:list_download", args=["xlsx"]), params).status_code == 400


def test_unknown_download_kind_is_404(client, recorded):
    client.force_login(recorded["users"][Role.OFFICER])
    assert client.get(reverse("settlements:list_download", args=["pdf"]), QUERY).status_code == 404

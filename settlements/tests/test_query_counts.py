"""The lists, receipts and money pages: the number of queries does not grow with their rows."""

from datetime import date

import pytest
from django.urls import reverse

from collectors.roles import Role
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request
from settlements.models import ReceiptSeries

DAY = date(2025, 12, 10)


def _record(world, count: int) -> None:
    for number in range(1, count + 1):
        record_enrollment(
            campaign=world["campaign"],
            collector=world["collector"],
            request=bhxh_request(number, commune_code=world["commune"].code, collected_on=DAY),
        )


@pytest.mark.parametrize("rows", [1, 6])
def test_pages_do_not_grow_with_their_rows(client, world, django_assert_max_num_queries, rows):
    ReceiptSeries.objects.create(agency=world["mine"], prefix="BH25-Q")
    _record(world, rows)
    client.force_login(world["users"][Role.OFFICER])
    pages = [
        (reverse("settlements:lists"), {"form": "d05", "period_from": "2025-12-10", "period_to": "2025-12-10"}),
        (reverse("settlements:receipts"), {}),
        (reverse("settlements:money"), {"period_from": "2025-12-01", "period_to": "2025-12-10"}),
    ]
    for url, params in pages:
        with django_assert_max_num_queries(16):
            assert client.get(url, params).status_code == 200

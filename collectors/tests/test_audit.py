"""The audit trail of quotas, officers and user roles: bulk writes, commands and the admin site all leave their rows."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory
from collectors.models import Collector, WeeklyQuota
from collectors.roles import Role, sync_role_groups
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory
from collectors.tests.test_roster_import import HEADER as ROSTER_HEADER
from core.audit import SYSTEM_USERNAME
from core.models import ImportRecord
from core.tests.admin_forms import admin_form_data
from core.tests.excel_files import sheet_file

pytestmark = pytest.mark.django_db

QUOTA_HEADER = ["Mã tổ chức dịch vụ thu", "Tuần", "BHXH TN", "BHYT HGĐ"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def roles_held(history_row) -> list[str]:
    through = type(history_row)._meta.get_field("historicaluser_groups").related_model
    return list(through.objects.filter(history=history_row).values_list("group__name", flat=True))


def quota_history() -> list[tuple]:
    return [
        (r.agency.code, r.week.number, r.product, r.count, r.history_type, r.history_user.username)
        for r in WeeklyQuota.history.select_related("agency", "week", "history_user").order_by("history_id")
    ]


def test_quotas_uploaded_and_confirmed_on_the_page_are_kept_with_the_admin(client, settings):
    settings.APP_TODAY = date(2025, 12, 10)
    CampaignFactory(code="TN-2025")
    AgencyFactory(code="BD-01")
    admin = UserFactory(username="qt", role=Role.ADMIN)
    client.force_login(admin)
    data = sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, 40]])
    client.post(
        reverse("dashboard:import_upload", args=["quotas"]),
        {"file": SimpleUploadedFile("q.xlsx", data, content_type=XLSX), "campaign": "TN-2025"},
    )
    record = ImportRecord.objects.get()
    assert not WeeklyQuota.history.exists()  # a preview writes nothing, history included
    client.post(reverse("dashboard:import_confirm", args=[record.pk]))

    assert quota_history() == [("BD-01", 1, "bhxh_tn", 10, "+", "qt"), ("BD-01", 1, "bhyt_hgd", 40, "+", "qt")]
    assert set(WeeklyQuota.history.values_list("history_change_reason", flat=True)) == {f"import #{record.pk} (quotas)"}


def test_quotas_changed_and_removed_by_the_command_name_its_user_or_the_system(tmp_path):
    CampaignFactory(code="TN-2025")
    AgencyFactory(code="BD-01")
    UserFactory(username="qt", role=Role.ADMIN)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    first.write_bytes(sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, 40]]))
    second.write_bytes(sheet_file([QUOTA_HEADER, ["BD-01", 1, 12, 0]]))  # BHXH 10 → 12, BHYT removed
    call_command("import_quotas", str(first), "--campaign", "TN-2025", "--user", "qt", stdout=io.StringIO())
    call_command("import_quotas", str(second), "--campaign", "TN-2025", stdout=io.StringIO())

    assert quota_history() == [
        ("BD-01", 1, "bhxh_tn", 10, "+", "qt"),
        ("BD-01", 1, "bhyt_hgd", 40, "+", "qt"),
        ("BD-01", 1, "bhyt_hgd", 40, "-", SYSTEM_USERNAME),
        ("BD-01", 1, "bhxh_tn", 12, "~", SYSTEM_USERNAME),
    ]
    assert ImportRecord.objects.filter(user__username="qt").count() == 1
    system = get_user_model().objects.get(username=SYSTEM_USERNAME)
    assert not system.is_active and not system.has_usable_password()


def test_an_unknown_user_stops_the_command_before_anything_is_read(tmp_path):
    path = tmp_path / "q.xlsx"
    path.write_bytes(sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, 40]]))
    with pytest.raises(CommandError, match="No active user is called nobody"):
        call_command("import_quotas", str(path), "--campaign", "TN-2025", "--user", "nobody")
    assert not ImportRecord.objects.exists()


def test_an_officer_the_roster_leaves_out_is_deactivated_on_the_record(tmp_path):
    office = BhxhOfficeFactory(code="BHXH-TB")
    agency = AgencyFactory(code="BD-TB", name="Bưu điện Tân Biên", office=office)
    kept = CollectorFactory(code="NV-1", name="Trần Văn Một", phone="0912000001", agency=agency)
    left_out = CollectorFactory(code="NV-2", name="Lê Thị Hai", agency=agency, user=UserFactory())
    path = tmp_path / "roster.xlsx"
    row = [1, "BD-TB", "Bưu điện Tân Biên", "Bưu điện", "BHXH-TB", "", "NV-1", "Trần Văn Một", kept.phone]
    path.write_bytes(sheet_file([ROSTER_HEADER, row]))
    call_command("import_roster", str(path), stdout=io.StringIO())

    rows = list(Collector.history.filter(id=left_out.pk).select_related("history_user").order_by("history_id"))
    assert [(r.active, r.history_type) for r in rows] == [(True, "+"), (False, "~")]
    assert (rows[-1].history_user.username, rows[-1].history_change_reason) == (
        SYSTEM_USERNAME,
        "manage.py import_roster",
    )


def test_a_role_given_in_the_admin_site_is_kept_with_the_admin(client):
    groups = sync_role_groups()
    admin = UserFactory(username="qt", role=Role.ADMIN, is_staff=True)
    user = UserFactory(username="moi")
    client.force_login(admin)
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = admin_form_data(client.get(url)) | {"groups": [groups[Role.PROVINCIAL].pk]}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    rows = list(user.history.select_related("history_user").order_by("history_id"))
    assert (rows[0].history_type, roles_held(rows[0])) == ("+", [])
    assert (rows[-1].history_type, rows[-1].history_user, roles_held(rows[-1])) == ("~", admin, ["provincial"])


def test_signing_in_is_not_a_change_of_the_account(client):
    UserFactory(username="moi", password="secret-pass-123")
    response = client.post(reverse("login"), {"username": "moi", "password": "secret-pass-123"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="moi")
    assert user.last_login is not None
    assert [r.history_type for r in user.history.all()] == ["+"]

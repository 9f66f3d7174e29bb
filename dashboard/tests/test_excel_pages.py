"""The admin's Excel pages: upload → preview → confirm, rejections, templates, and the reports."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.models import WeeklyQuota
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory
from core.models import ImportRecord
from core.tests.excel_files import BANNER, sheet_file
from enrollments.models import Enrollment, PriorCoverage
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

QUOTA_HEADER = ["Mã tổ chức dịch vụ thu", "Tuần", "Chỉ tiêu BHXH TN", "Chỉ tiêu BHYT HGĐ"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def admin(client, settings):
    settings.APP_TODAY = date(2025, 12, 10)
    user = UserFactory(username="qt", role=Role.ADMIN)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


@pytest.fixture
def campaign():
    return CampaignFactory(code="TN-2025")


def upload(client, kind: str, data: bytes, name: str = "chi-tieu.xlsx", **fields):
    return client.post(
        reverse("dashboard:import_upload", args=[kind]),
        {"file": SimpleUploadedFile(name, data, content_type=XLSX), **fields},
    )


def test_upload_preview_then_confirm_writes_the_quotas(client, admin, campaign):
    AgencyFactory(code="BD-01")
    data = sheet_file([*BANNER, QUOTA_HEADER, ["BD-01", 1, "1.200", 40]])
    response = upload(client, "quotas", data, campaign="TN-2025")
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:import_record", args=[record.pk])
    assert (record.outcome, record.user, record.file_name) == ("previewed", admin, "chi-tieu.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert "Week 1 · BD-01 · BHXH TN: — → 1.200" in page and "Confirm and write" in page
    assert "added: <strong>2</strong>" in page
    assert WeeklyQuota.objects.count() == 0
    confirmed = client.post(reverse("dashboard:import_confirm", args=[record.pk]), follow=True)
    assert "Written: 2 rows changed." in confirmed.content.decode()
    record.refresh_from_db()
    assert (record.outcome, record.rows_written, record.pending_file) == ("written", 2, None)
    assert WeeklyQuota.objects.count() == 2
    again = client.post(reverse("dashboard:import_confirm", args=[record.pk]), follow=True)
    assert "already written, cancelled or has expired" in again.content.decode()
    assert WeeklyQuota.objects.count() == 2


def test_a_rejected_upload_lists_each_problem_and_hands_back_the_rows(client, admin, campaign):
    AgencyFactory(code="BD-01")
    data = sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, 40], ["XX", 1, 1, 2], ["BD-01", 9, 1, 2], ["BD-01", 2, -1, 2]])
    response = upload(client, "quotas", data, campaign="TN-2025", name="Chỉ tiêu tuần.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert "3 problems: nothing was written." in page
    assert "-1 is negative; a count cannot be." in page and "C · Chỉ tiêu BHXH TN" in page
    assert "Unknown agency code XX" in page and "Week 9 is outside the campaign, which has weeks 1 to 5." in page
    assert "Confirm and write" not in page
    record = ImportRecord.objects.get()
    download = client.get(reverse("dashboard:import_rejected", args=[record.pk]))
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"] == 'attachment; filename="loi-chi-tieu-tuan.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [c.value for c in sheet[2]] == ["Row in the uploaded file", *QUOTA_HEADER, "Error"]
    assert [[c.value for c in row][:5] for row in sheet.iter_rows(min_row=3)] == [
        [3, "XX", 1, 1, 2],
        [4, "BD-01", 9, 1, 2],
        [5, "BD-01", 2, -1, 2],
    ]
    assert WeeklyQuota.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_and_recorded(client, admin, campaign):
    response = upload(client, "quotas", b"%PDF-1.4 not a sheet", name="quota.pdf", campaign="TN-2025")
    page = client.get(response["Location"]).content.decode()
    assert "This file is not a spreadsheet." in page
    record = ImportRecord.objects.get()
    assert (record.outcome, record.file_name, record.rows_read) == ("rejected", "quota.pdf", 0)


def test_a_file_over_the_limit_is_refused_without_being_read(client, admin, campaign, settings):
    settings.IMPORT_MAX_BYTES = 3000
    data = sheet_file([QUOTA_HEADER, *[["BD-01", 1, n, n] for n in range(300)]])
    assert len(data) > 3000
    response = upload(client, "quotas", data, campaign="TN-2025")
    page = client.get(response["Location"]).content.decode()
    assert "the limit is 0 MB" in page
    assert ImportRecord.objects.get().outcome == "rejected"
    huge = upload(client, "quotas", b"PK\x03\x04" + b"\0" * 20_000, campaign="TN-2025", name="huge.xlsx")
    assert huge.status_code == 302 and huge["Location"] == reverse("dashboard:import_upload", args=["quotas"])
    assert ImportRecord.objects.count() == 1  # far over the limit: not even received


def test_a_preview_can_be_cancelled(client, admin, campaign):
    AgencyFactory(code="BD-01")
    upload(client, "quotas", sheet_file([QUOTA_HEADER, ["BD-01", 1, 1, 1]]), campaign="TN-2025")
    record = ImportRecord.objects.get()
    client.post(reverse("dashboard:import_cancel", args=[record.pk]))
    record.refresh_from_db()
    assert record.outcome == "cancelled" and record.pending_file is None
    client.post(reverse("dashboard:import_confirm", args=[record.pk]))
    assert WeeklyQuota.objects.count() == 0


def test_prior_coverage_and_paper_enrollment_uploads(client, admin, campaign):
    CommuneFactory(code="25480", province=campaign.province)
    CollectorFactory(code="NVT-01", agency=AgencyFactory(code="BD-TB"))
    prior = sheet_file([["Số CCCD", "Loại hình", "Ngày hết hạn"], [cccd_of(1), "BHYT HGĐ", "14/08/2025"]])
    record_page = client.get(upload(client, "prior_coverage", prior)["Location"])
    client.post(reverse("dashboard:import_confirm", args=[record_page.context["record"].pk]))
    assert PriorCoverage.objects.get().last_coverage_end == date(2025, 8, 14)
    header = ["Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Loại hình", "Số tháng", "Ngày thu"]
    paper = sheet_file(
        [header, [cccd_of(1), "Nguyễn Văn A", "02/03/1985", "Nam", "25480", "BHYT HGĐ", 12, "20/11/2025"]]
    )
    response = upload(client, "enrollments", paper, agency="BD-TB")
    page = client.get(response["Location"]).content.decode()
    assert "rejoining" in page and "1.263.600 ₫" in page
    client.post(reverse("dashboard:import_confirm", args=[ImportRecord.objects.latest("pk").pk]))
    enrollment = Enrollment.objects.get()
    assert (enrollment.classification, enrollment.source, enrollment.recorded_by) == ("rejoin", "import", admin)


def test_the_upload_form_needs_its_parameters(client, admin, campaign):
    response = upload(client, "enrollments", sheet_file([["x"]]))
    assert response.status_code == 200 and ImportRecord.objects.count() == 0
    assert response.context["form"].errors["agency"] == ["This field is required."]


@pytest.mark.parametrize(
    ("kind", "cell", "header", "validation"),
    [
        ("quotas", "D3", "Tuần 1 - BHXH TN", ("D4:D203", "whole", "0")),
        ("roster", "B3", "Mã tổ chức dịch vụ thu", ("D4:D503", "list", '"Bưu điện,Đại lý xã,Khác"')),
        ("baseline", "B3", "Mã xã", ("D4:D203", "whole", "0")),
        ("prior_coverage", "B2", "Số CCCD", ("C3:C100002", "list", '"BHYT hộ gia đình,BHXH tự nguyện"')),
        ("enrollments", "B2", "Số CCCD", ("M3:M2002", "list", '"BHYT hộ gia đình,BHXH tự nguyện"')),
    ],
)
def test_each_import_has_a_template(client, admin, campaign, kind, cell, header, validation):
    response = client.get(reverse("dashboard:import_template", args=[kind]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="mau-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet[cell].value == header
    # Counts take whole numbers from 0, kinds and products a choice from a list: Excel refuses anything else.
    validations = {(str(v.sqref), v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert validation in validations


def test_the_import_pages_keep_their_query_counts(client, admin, campaign, django_assert_max_num_queries):
    AgencyFactory(code="BD-01")
    for _ in range(5):
        upload(client, "quotas", sheet_file([QUOTA_HEADER, ["BD-01", 1, 1, 1]]), campaign="TN-2025")
    record = ImportRecord.objects.first()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboard:imports")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboard:import_upload", args=["quotas"])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboard:import_record", args=[record.pk])).status_code == 200


# --- reports ------------------------------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _rows(sheet, first: int = 4) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=first)]


def test_quota_attainment_report_counts_new_and_rejoining_people_per_week(client, admin, campaign):
    commune = CommuneFactory(province=campaign.province)
    collector = CollectorFactory(agency=AgencyFactory(code="BD-01", name="Bưu điện 1"))
    week_2 = campaign.weeks.get(number=2)
    WeeklyQuotaFactory(week=week_2, agency=collector.agency, product="bhyt_hgd", count=4)
    WeeklyQuotaFactory(week=week_2, agency=collector.agency, product="bhxh_tn", count=2)
    for number in (1, 2, 3):
        record_enrollment(
            campaign=campaign,
            collector=collector,
            request=bhyt_request(number, commune_code=commune.code, collected_on=date(2025, 11, 20)),
        )
    PriorCoverage.objects.create(cccd=cccd_of(4), product="bhxh_tn", last_coverage_end=date(2025, 12, 31))
    record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhxh_request(4, commune_code=commune.code, collected_on=date(2025, 11, 21)),
    )
    sheet = _sheet(client.get(reverse("dashboard:report_attainment"), {"campaign": "TN-2025"}))
    assert sheet.freeze_panes == "A4"
    assert [c.value for c in sheet[3]][:7] == [
        "Week",
        "From",
        "To",
        "Agency code",
        "Agency",
        "BHXH office",
        "BHXH TN quota",
    ]
    assert _rows(sheet) == [
        [
            *(2, datetime(2025, 11, 19), datetime(2025, 11, 25), "BD-01", "Bưu điện 1", collector.agency.office.name),
            *(2, 0, 0, 1, 4, 3, 75, 0, 37.5),
        ]
    ]


def test_coverage_report_follows_the_domain_example(client, admin, campaign):
    commune = CommuneFactory(code="25480", name="Xã Tân Biên", province=campaign.province)
    CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 10, 31))
    collector = CollectorFactory()
    for number in range(1, 151):
        record_enrollment(
            campaign=campaign,
            collector=collector,
            request=bhyt_request(number, commune_code=commune.code, collected_on=date(2025, 11, 20)),
        )
    sheet = _sheet(client.get(reverse("dashboard:report_coverage")))
    rows = _rows(sheet)
    assert rows[0][:4] == ["25480", "Xã Tân Biên", commune.office.name, datetime(2025, 10, 31)]
    assert rows[0][4:12] == [30_000, 18_000, 27_900, 150, 28_050, 93.5, 95, 450]
    assert rows[0][12:] == [6_840, 0, 6_840, 38, 45, 1260]
    # One commune: the province's figures are its sums, the same numbers.
    assert rows[1][:4] == [None, "Province", None, None]
    assert rows[1][4:12] == [30_000, 18_000, 27_900, 150, 28_050, 93.5, 95, 450]
    assert rows[1][12:] == [6_840, 0, 6_840, 38, 45, 1260]


def test_the_enrollment_export_is_for_admins_and_escapes_formulas(client, admin, campaign):
    commune = CommuneFactory(province=campaign.province)
    record_enrollment(
        campaign=campaign,
        collector=CollectorFactory(code="NVT-01"),
        request=bhyt_request(
            1,
            commune_code=commune.code,
            collected_on=date(2025, 11, 20),
            person={"full_name": '=HYPERLINK("http://x")'},
        ),
    )
    sheet = _sheet(client.get(reverse("dashboard:report_enrollments")))
    header = [c.value for c in sheet[3]]
    row = dict(zip(header, _rows(sheet)[0], strict=True))
    assert row["Full name"] == '\'=HYPERLINK("http://x")'
    assert (
        row["CCCD number"] == cccd_of(1) and row["Classification"] == "new" and row["Product"].startswith("household")
    )
    assert row["Amount payable (đồng)"] == 1_263_600 and row["Collection date"] == datetime(2025, 11, 20)
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    assert client.get(reverse("dashboard:report_enrollments")).status_code == 403


def test_a_bank_statement_in_the_import_list_opens_on_its_own_page(client, admin):
    # Bank statements are imported from the settlements pages; the admin's list of imports shows
    # them too, and opening one goes to the page that knows its agency and its matches.
    record = ImportRecord.objects.create(
        kind=ImportRecord.Kind.BANK_STATEMENT,
        source=ImportRecord.Source.WEB,
        actor="qt",
        file_name="saoke.xlsx",
        sha256="0" * 64,
        size=10,
    )
    response = client.get(reverse("dashboard:import_record", args=[record.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("settlements:statement_upload", args=[record.pk])

"""Prior coverage (in bulk; COPY on PostgreSQL) and paper enrollments (through the entry service) from sheets."""

from dataclasses import replace
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.imports import RosterImport
from collectors.models import CollectionAgency
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory
from core.excel.importing import run_import
from core.models import ImportRecord
from core.tests.excel_files import BANNER, far_cell, sheet_file
from enrollments.classification import Classification
from enrollments.imports import PaperEnrollmentImport, PriorCoverageImport, prior_coverage
from enrollments.models import Enrollment, Participant, PriorCoverage
from enrollments.selectors import participant_status
from enrollments.services import prepare_enrollment, record_enrollment
from enrollments.services import prior_coverage as prior_coverage_service
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

PRIOR_HEADER = ["STT", "Số CCCD", "Họ và tên", "Loại hình", "Ngày hết hạn"]


@pytest.fixture(autouse=True)
def english(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    with translation.override("en"):
        yield


def texts(record) -> list[str]:
    return [problem["text"] for problem in record.problems]


def prior(data: bytes, *, write: bool = True):
    return run_import(PriorCoverageImport(), data=data, file_name="qua-trinh.xlsx", write=write, source="command")


def stored_prior() -> dict:
    return {(p.cccd, p.product): p.last_coverage_end for p in PriorCoverage.objects.all()}


# --- prior coverage ---------------------------------------------------------------------------


def test_prior_coverage_rows_land_and_classify_later_enrollments():
    rows = [
        *BANNER,
        PRIOR_HEADER,
        [1, "072085000001", "Nguyễn Văn A", "BHYT hộ gia đình", date(2025, 8, 14)],
        [2, 72085000002, "Trần Thị B", "bhyt hgd", "31/12/2025"],  # typed as a number: the leading 0 comes back
        [3, "072085000001", "Nguyễn Văn A", "BHXH tự nguyện", "2025-05-31"],
    ]
    record = prior(sheet_file(rows))
    assert texts(record) == [] and record.outcome == ImportRecord.Outcome.WRITTEN
    assert stored_prior() == {
        ("072085000001", "bhyt_hgd"): date(2025, 8, 14),
        ("072085000002", "bhyt_hgd"): date(2025, 12, 31),
        ("072085000001", "bhxh_tn"): date(2025, 5, 31),
    }
    assert (record.rows_read, record.rows_written) == (3, 3)
    status = participant_status(cccd="072085000001", product="bhyt_hgd", on=date(2025, 11, 15), campaign=None)
    assert status.classification == Classification.REJOIN and status.last_coverage_end == date(2025, 8, 14)


def test_prior_coverage_reupload_updates_changed_dates_and_twice_changes_nothing():
    PriorCoverage.objects.create(cccd=cccd_of(1), product="bhyt_hgd", last_coverage_end=date(2024, 12, 31))
    PriorCoverage.objects.create(cccd=cccd_of(2), product="bhyt_hgd", last_coverage_end=date(2025, 6, 30))
    rows = [
        PRIOR_HEADER,
        [1, cccd_of(1), "", "BHYT HGĐ", date(2025, 12, 31)],
        [2, cccd_of(2), "", "BHYT HGĐ", date(2025, 6, 30)],
        [3, cccd_of(3), "", "BHXH TN", date(2025, 1, 31)],
    ]
    preview = prior(sheet_file(rows), write=False)
    assert preview.summary["counts"] == {"added": 1, "changed": 1, "removed": 0, "unchanged": 1}
    assert preview.summary["lines"] == [f"{cccd_of(1)} · BHYT hộ gia đình: 31/12/2024 → 31/12/2025"]
    assert stored_prior()[(cccd_of(1), "bhyt_hgd")] == date(2024, 12, 31)
    first = prior(sheet_file(rows))
    assert first.rows_written == 2
    assert stored_prior() == {
        (cccd_of(1), "bhyt_hgd"): date(2025, 12, 31),
        (cccd_of(2), "bhyt_hgd"): date(2025, 6, 30),
        (cccd_of(3), "bhxh_tn"): date(2025, 1, 31),
    }
    again = prior(sheet_file(rows))
    assert again.rows_written == 0 and again.summary["counts"]["unchanged"] == 3
    assert stored_prior()[(cccd_of(1), "bhyt_hgd")] == date(2025, 12, 31)


def test_bad_prior_coverage_rows_are_reported_and_nothing_is_written():
    rows = [
        PRIOR_HEADER,
        [1, "72085000001", "", "BHYT hộ gia đình", date(2025, 8, 14)],
        [2, "099085000001", "", "BHYT hộ gia đình", date(2025, 8, 14)],
        [3, cccd_of(3), "", "BHYT người lao động", date(2025, 8, 14)],
        [4, cccd_of(4), "", "BHYT hộ gia đình", "14/08/25"],
        [5, cccd_of(5), "", "BHYT hộ gia đình", date(1980, 1, 1)],
        [6, cccd_of(6), "", "BHYT hộ gia đình", date(2025, 8, 14)],
        [7, cccd_of(6), "", "bhyt_hgd", date(2025, 9, 14)],
        [8, None, "", "BHYT hộ gia đình", date(2025, 8, 14)],
    ]
    record = prior(sheet_file(rows))
    assert record.outcome == ImportRecord.Outcome.REJECTED
    assert texts(record) == [
        "Row 2, column B (Số CCCD): The CCCD number must have 12 digits; check that none is missing or extra.",
        "Row 3, column B (Số CCCD): The first three digits of the CCCD number (099) are not a province or country "
        "code. Check the CCCD number.",
        "Row 4, column D (Loại hình): “BHYT người lao động” is not one of: BHXH tự nguyện, BHYT hộ gia đình.",
        "Row 5, column E (Ngày hết hạn): “14/08/25” is not a date; write it as dd/mm/yyyy, for example 12/11/2025.",
        "Row 6, column E (Ngày hết hạn): 01/01/1980 is not a plausible end of coverage (from 01/01/1990 to "
        "10/12/2030).",
        "Row 8, column B (Số CCCD): Duplicate of row 7.",
        "Row 9, column B (Số CCCD): The cell is empty; it needs a value.",
    ]
    assert PriorCoverage.objects.count() == 0


@pytest.mark.postgres
def test_prior_coverage_is_written_with_copy_on_postgresql():
    PriorCoverage.objects.create(cccd=cccd_of(1), product="bhyt_hgd", last_coverage_end=date(2024, 12, 31))
    rows = [PRIOR_HEADER, *[[n, cccd_of(n), "", "BHYT HGĐ", date(2025, 1, n)] for n in range(1, 21)]]
    not_copy = AssertionError("not COPY")
    with (
        mock.patch.object(prior_coverage, "_changes_in_batches", side_effect=not_copy),
        mock.patch.object(prior_coverage_service, "_upsert_prior_coverage_in_batches", side_effect=not_copy),
    ):
        preview = prior(sheet_file(rows), write=False)
        assert preview.summary["counts"] == {"added": 19, "changed": 1, "removed": 0, "unchanged": 0}
        assert PriorCoverage.objects.count() == 1
        record = prior(sheet_file(rows))
        again = prior(sheet_file(rows))
    assert texts(record) == [] and record.rows_written == 20 and again.rows_written == 0
    assert stored_prior() == {(cccd_of(n), "bhyt_hgd"): date(2025, 1, n) for n in range(1, 21)}


def test_prior_coverage_in_batches_counts_and_writes_the_same():
    PriorCoverage.objects.create(cccd=cccd_of(1), product="bhyt_hgd", last_coverage_end=date(2024, 12, 31))
    rows = [(cccd_of(n), "bhyt_hgd", date(2025, 1, n)) for n in range(1, 21)]
    plan = prior_coverage._changes_in_batches(rows, batch=7)
    assert plan.counts == {"added": 19, "changed": 1, "removed": 0, "unchanged": 0}
    assert prior_coverage_service._upsert_prior_coverage_in_batches(plan) == 20
    assert stored_prior() == {(cccd_of(n), "bhyt_hgd"): date(2025, 1, n) for n in range(1, 21)}


# --- paper enrollments --------------------------------------------------------------------------

PAPER_HEADER = [
    "STT",
    "Số CCCD",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Mã xã",
    "Tên xã",
    "Mã hộ gia đình",
    "Đối tượng",
    "Loại hình",
    "Số tháng",
    "Mức thu nhập",
    "Nhóm hỗ trợ",
    "Ngày thu",
    "Số biên lai",
    "Nơi tiếp cận",
    "Mã nhân viên thu",
]


@pytest.fixture
def desk():
    campaign = CampaignFactory(code="TN-2025")
    commune = CommuneFactory(code="25480", name="Xã Tân Biên", province=campaign.province)
    agency = AgencyFactory(code="BD-TB")
    collectors = [CollectorFactory(code="NVT-01", agency=agency), CollectorFactory(code="NVT-02", agency=agency)]
    return {"campaign": campaign, "commune": commune, "agency": agency, "collectors": collectors}


def paper(data: bytes, *, write: bool = True, agency: str = "BD-TB", user=None):
    return run_import(
        PaperEnrollmentImport(),
        data=data,
        file_name="ho-so-giay.xlsx",
        codes={"agency": agency, "campaign": "TN-2025"},
        write=write,
        source="web",
        user=user,
    )


def paper_row(number, *, cccd=None, name=None, product="BHYT hộ gia đình", months=12, **overrides):
    values = {
        "cccd": cccd or cccd_of(number),
        "name": name or f"Nguyễn Văn {number}",
        "born": date(1985, 3, 2),
        "sex": "Nam",
        "phone": "0912345678",
        "commune_code": "25480",
        "commune_name": None,
        "household": "HGD-01",
        "group": "Nông dân",
        "product": product,
        "months": months,
        "income": None,
        "support": None,
        "collected": "20/11/2025",
        "receipt": f"BL-{number:04d}",
        "channel": "Chợ",
        "collector": "NVT-01",
    } | overrides
    return [number, *values.values()]


def test_paper_enrollments_go_through_the_entry_service(desk):
    user = UserFactory(username="admin01")
    rows = [
        *BANNER,
        PAPER_HEADER,
        paper_row(1),
        paper_row(2, commune_code=None, commune_name="tan bien", phone=912345679),
        paper_row(
            3,
            product="BHXH tự nguyện",
            household=None,
            income="1.500.000",
            support="Hộ nghèo",
            collector="nvt-02",
            channel=None,
        ),
    ]
    record = paper(sheet_file(rows), user=user)
    assert texts(record) == [] and record.outcome == ImportRecord.Outcome.WRITTEN
    enrollments = {e.participant.cccd: e for e in Enrollment.objects.select_related("participant", "collector")}
    first, second, third = (enrollments[cccd_of(n)] for n in (1, 2, 3))
    assert (first.member_order, first.amount_payable, first.classification) == (1, 1_263_600, Classification.NEW)
    assert (second.member_order, second.amount_payable) == (2, 884_520)
    assert second.participant.phone == "0912345679" and second.participant.commune == desk["commune"]
    assert (third.amount_due, third.state_support, third.amount_payable) == (3_960_000, 1_980_000, 1_980_000)
    assert third.collector.code == "NVT-02" and third.channel == "other"
    assert {e.source for e in enrollments.values()} == {"import"}
    assert {e.recorded_by for e in enrollments.values()} == {user}
    assert first.week.number == 2 and first.receipt_no == "BL-0001" and first.agency == desk["agency"]
    assert record.rows_written == 3
    assert record.summary["lines"][0] == (
        "Row 6: Nguyễn Văn 1 (072*******01) · BHYT hộ gia đình · 12 months · new · 1.263.600 ₫"
    )


def test_a_paper_preview_prices_everything_and_writes_nothing(desk):
    record = paper(sheet_file([PAPER_HEADER, paper_row(1), paper_row(2)]), write=False)
    assert record.outcome == ImportRecord.Outcome.PREVIEWED
    assert record.summary["counts"] == {"added": 2, "changed": 0, "removed": 0, "skipped": 0, "unchanged": 0}
    assert "884.520 ₫" in record.summary["lines"][1]
    assert Enrollment.objects.count() == 0 and Participant.objects.count() == 0


def test_a_paper_preview_answers_what_recording_the_file_answers(desk):
    record_enrollment(  # a member of HGD-02 already recorded this year
        campaign=desk["campaign"],
        collector=desk["collectors"][0],
        request=bhyt_request(20, commune_code="25480", collected_on=date(2025, 11, 14), household_code="HGD-02"),
    )
    bhxh = {"product": "BHXH tự nguyện", "household": None, "income": "1.500.000", "support": "Hộ nghèo"}
    rows = [
        PAPER_HEADER,
        paper_row(1),
        paper_row(2),  # the second member of HGD-01 in the same file
        paper_row(3, cccd=cccd_of(1), name="Nguyễn Văn 1", months=3, collected="27/11/2025"),  # renews row 2's card
        paper_row(4, household="HGD-02"),  # after the member already stored
        paper_row(5, **bhxh),
        paper_row(6, cccd=cccd_of(5), name="Nguyễn Văn 5", collected="27/11/2025", **bhxh),  # renews row 6's months
    ]
    preview = paper(sheet_file(rows), write=False)
    assert texts(preview) == [] and Enrollment.objects.count() == 1
    record = paper(sheet_file(rows))
    assert texts(record) == [] and record.rows_written == 6
    assert (
        preview.summary["counts"]
        == record.summary["counts"]
        == {
            "added": 6,
            "changed": 0,
            "removed": 0,
            "skipped": 0,
            "unchanged": 0,
        }
    )
    assert preview.summary["lines"] == record.summary["lines"]
    stored = Enrollment.objects.filter(source="import").order_by("pk")
    assert [(e.member_order, e.classification) for e in stored] == [
        (1, "new"),
        (2, "new"),
        (2, "renewal"),
        (2, "new"),
        (None, "new"),
        (None, "renewal"),
    ]


def test_a_person_the_file_moves_to_another_household_leaves_the_old_ones_ladder(desk):
    record_enrollment(
        campaign=desk["campaign"],
        collector=desk["collectors"][0],
        request=bhyt_request(20, commune_code="25480", collected_on=date(2025, 11, 14), household_code="HGD-02"),
    )
    rows = [
        PAPER_HEADER,
        paper_row(1, cccd=cccd_of(20), name="Nguyễn Văn Thử 20", household="HGD-03"),  # moves to HGD-03
        paper_row(2, household="HGD-02"),
    ]
    preview = paper(sheet_file(rows), write=False)
    record = paper(sheet_file(rows))
    assert texts(record) == [] and preview.summary["lines"] == record.summary["lines"]
    assert Enrollment.objects.get(participant__cccd=cccd_of(2)).member_order == 1


def test_a_prepared_enrollment_counts_the_state_support_of_those_prepared_before_it(desk):
    request = bhxh_request(1, commune_code="25480", collected_on=date(2025, 11, 20))
    first = prepare_enrollment(campaign=desk["campaign"], request=request)
    almost_all = replace(first, quote=replace(first.quote, supported_months=115))  # of the 120 months there are
    later = replace(request, collected_on=date(2025, 11, 27))
    assert prepare_enrollment(campaign=desk["campaign"], request=later).quote.supported_months == 12
    assert (
        prepare_enrollment(campaign=desk["campaign"], request=later, earlier=[almost_all]).quote.supported_months == 5
    )


def test_a_paper_preview_refuses_what_recording_the_file_refuses(desk):
    record_enrollment(
        campaign=desk["campaign"],
        collector=CollectorFactory(agency=AgencyFactory(code="BD-OTHER")),
        request=bhyt_request(3, commune_code="25480", collected_on=date(2025, 11, 20)),
    )
    desk["collectors"][1].active = False
    desk["collectors"][1].save()
    rows = [
        PAPER_HEADER,
        paper_row(1),
        paper_row(1),  # the same row twice
        paper_row(3),  # recorded by another agency
        paper_row(4, collector="NVT-02"),  # an officer no longer active
    ]
    preview = paper(sheet_file(rows), write=False)
    record = paper(sheet_file(rows))
    assert texts(preview) == texts(record) and len(texts(record)) == 3
    assert Enrollment.objects.count() == 1


def test_bad_paper_rows_are_reported_and_nothing_is_written(desk):
    rows = [
        PAPER_HEADER,
        paper_row(1),
        paper_row(2, cccd="072185000002"),  # the CCCD says a woman
        paper_row(3, commune_code="99999"),
        paper_row(4, collector="NVT-77"),
        paper_row(5, product="BHXH tự nguyện", household=None),  # no income
        paper_row(6, months=5),
        paper_row(1),
        paper_row(8, collected="20/12/2025"),
    ]
    record = paper(sheet_file(rows))
    assert record.outcome == ImportRecord.Outcome.REJECTED
    assert texts(record) == [
        "Row 3, column B (Số CCCD): The CCCD number is that of a woman (fourth digit 1), but the sex entered is male. "
        "Check the CCCD number and the sex.",
        "Row 4, column G (Mã xã): No commune has the code 99999.",
        "Row 5, column R (Mã nhân viên thu): Officer NVT-77 is not an officer of BD-TB.",
        "Row 6, column M (Mức thu nhập): Enter the monthly income the person chooses to contribute on.",
        "Row 7, column L (Số tháng): Choose a period of 3, 6, 12 months for BHYT hộ gia đình.",
        "Row 8, column B (Số CCCD): Duplicate of row 2.",
        "Row 9, column O (Ngày thu): The collection date cannot be in the future.",
    ]
    assert Enrollment.objects.count() == 0 and Participant.objects.count() == 0


def test_the_same_paper_file_twice_records_nothing_the_second_time(desk):
    data = sheet_file([PAPER_HEADER, paper_row(1), paper_row(2)])
    paper(data)
    again = paper(data)
    assert again.outcome == ImportRecord.Outcome.WRITTEN and again.rows_written == 0
    assert again.summary["counts"]["skipped"] == 2 and Enrollment.objects.count() == 2


def test_a_person_already_recorded_by_another_agency_is_refused_with_its_name(desk):
    other = CollectorFactory(agency=AgencyFactory(code="BD-OTHER", name="Bưu điện khác"))
    first = record_enrollment(
        campaign=desk["campaign"],
        collector=other,
        request=bhyt_request(1, commune_code="25480", collected_on=date(2025, 11, 20)),
    )
    record = paper(sheet_file([PAPER_HEADER, paper_row(1)]))
    assert texts(record) == [
        "Row 2, column B (Số CCCD): Nguyễn Văn 1 was already recorded for household health insurance (BHYT hộ gia "
        f"đình) on 20/11/2025 by Bưu điện khác (enrollment {first.pk})."
    ]
    assert Enrollment.objects.get() == first


def test_without_an_officer_code_the_agencys_only_officer_is_used(desk):
    desk["collectors"][1].delete()
    record = paper(sheet_file([[*PAPER_HEADER[:-1]], paper_row(1)[:-1]]))
    assert texts(record) == [] and Enrollment.objects.get().collector.code == "NVT-01"


def test_an_unknown_agency_is_rejected(desk):
    assert texts(paper(sheet_file([PAPER_HEADER, paper_row(1)]), agency="NOPE")) == ["No agency has the code “NOPE”."]


def test_a_paper_sheet_longer_than_twice_the_row_limit_is_not_read(desk, settings):
    """The paper import's own sheet limit (4.000 rows), below the settings' default for other imports."""
    assert settings.IMPORT_MAX_ROWS > 4000
    record = paper(far_cell("A4001", [PAPER_HEADER, paper_row(1)]))
    assert record.outcome == "rejected" and record.rows_read == 0
    assert texts(record)[0].startswith("Sheet “Dữ liệu” reaches row 4.001 and column ")
    assert "this import reads at most 4.000 rows and 60 columns" in texts(record)[0]


def test_the_paper_template_reads_back_with_no_rows(desk):
    record = paper(PaperEnrollmentImport().template(None))
    assert texts(record) == ["Sheet “Hồ sơ thu” has a header row (row 2) but no data rows under it."]


def test_the_roster_deactivates_an_agency_with_enrollments_instead_of_deleting_it(desk):
    record_enrollment(
        campaign=desk["campaign"],
        collector=desk["collectors"][0],
        request=bhyt_request(1, commune_code="25480", collected_on=date(2025, 11, 20)),
    )
    office = desk["agency"].office
    rows = [
        ["Mã tổ chức dịch vụ thu", "Tên tổ chức dịch vụ thu", "Loại tổ chức", "BHXH cơ sở"],
        ["BD-NEW", "Bưu điện mới", "Bưu điện", office.code],
    ]
    run_import(RosterImport(), data=sheet_file(rows), file_name="r.xlsx", write=True, source="command")
    agency = CollectionAgency.objects.get(code="BD-TB")
    assert agency.active is False and Enrollment.objects.filter(agency=agency).count() == 1


def _database_state() -> tuple[dict, dict]:
    """The row count of every table and the last value of every sequence."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return counts, dict(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_paper_preview_on_postgresql_writes_no_row_locks_none_and_moves_no_sequence(desk, default_policies):
    record_enrollment(  # a known person, whom recording the file would update and lock
        campaign=desk["campaign"],
        collector=desk["collectors"][0],
        request=bhyt_request(1, commune_code="25480", collected_on=date(2025, 11, 14), household_code="HGD-00"),
    )
    rows = [PAPER_HEADER]
    for number in range(1, 51):
        if number % 7 == 0:
            rows.append(paper_row(number, product="BHXH tự nguyện", household=None, income="2.000.000"))
        else:
            rows.append(paper_row(number, household=f"HGD-{(number - 1) // 5:02d}"))
    data = sheet_file(rows)
    record_table = ImportRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [record_table])
        record_sequence = cursor.fetchone()[0]
    counts, sequences = _database_state()

    with CaptureQueriesContext(connection) as queries:
        preview = paper(data, write=False)

    assert preview.outcome == ImportRecord.Outcome.PREVIEWED, texts(preview)
    assert preview.summary["counts"]["added"] == 50 and len(preview.summary["lines"]) == 50
    counts_after, sequences_after = _database_state()
    assert counts_after.pop(record_table) == counts.pop(record_table) + 1  # the preview's own record
    assert sequences_after.pop(record_sequence) != sequences.pop(record_sequence)
    assert counts_after == counts and sequences_after == sequences
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY", "CREATE", "DROP"))
        or "FOR UPDATE" in q["sql"].upper()
    ]
    assert [sql for sql in writes if record_table not in sql] == []


# --- prior coverage that names the people (BHXH's lists of expiring cards) ----------------------------

PEOPLE_HEADER = ["Số CCCD", "Loại hình", "Hạn thẻ đến", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "SĐT", "Mã hộ"]


def test_prior_coverage_keeps_who_the_people_are_when_the_file_says():
    commune = CommuneFactory(code="25480")
    rows = [
        PEOPLE_HEADER,
        [
            cccd_of(1),
            "BHYT HGĐ",
            date(2025, 12, 31),
            "Nguyễn Văn A",
            date(1985, 3, 2),
            "Nam",
            25480,
            "0912 345 678",
            "H-1",
        ],
        [cccd_of(2), "BHYT HGĐ", date(2025, 11, 30), "", None, "", "", "", ""],
    ]
    record = prior(sheet_file(rows))
    assert texts(record) == [] and record.rows_written == 2
    first = PriorCoverage.objects.get(cccd=cccd_of(1))
    assert (first.full_name, first.date_of_birth, first.sex, first.commune, first.phone, first.household_code) == (
        "Nguyễn Văn A",
        date(1985, 3, 2),
        "male",
        commune,
        "0912345678",
        "H-1",
    )
    assert PriorCoverage.objects.get(cccd=cccd_of(2)).full_name == ""


def test_a_later_file_without_a_name_keeps_the_stored_one_and_a_new_phone_is_a_change():
    CommuneFactory(code="25480")
    named = [PEOPLE_HEADER, [cccd_of(1), "BHYT HGĐ", date(2025, 12, 31), "Nguyễn Văn A", None, "", 25480, "", ""]]
    prior(sheet_file(named))
    again = [PEOPLE_HEADER, [cccd_of(1), "BHYT HGĐ", date(2025, 12, 31), "", None, "", "", "0987654321", ""]]
    preview = prior(sheet_file(again), write=False)
    assert preview.summary["counts"] == {"added": 0, "changed": 1, "removed": 0, "unchanged": 0}
    prior(sheet_file(again))
    stored = PriorCoverage.objects.get(cccd=cccd_of(1))
    assert (stored.full_name, stored.phone, stored.commune.code) == ("Nguyễn Văn A", "0987654321", "25480")
    assert prior(sheet_file(again)).rows_written == 0


def test_a_cccd_contradicting_the_files_birth_date_or_sex_is_refused():
    rows = [
        PEOPLE_HEADER,
        [cccd_of(1), "BHYT HGĐ", date(2025, 12, 31), "Nguyễn Văn A", date(1990, 3, 2), "Nam", "", "", ""],
        [cccd_of(2), "BHYT HGĐ", date(2025, 12, 31), "Trần Thị B", date(1985, 3, 2), "Nữ", "", "", ""],
        [cccd_of(3), "BHYT HGĐ", date(2025, 12, 31), "Lê Văn C", None, "", "99999", "12", ""],
    ]
    record = prior(sheet_file(rows))
    assert record.outcome == ImportRecord.Outcome.REJECTED
    assert texts(record) == [
        "Row 2, column A (Số CCCD): The fifth and sixth digits of the CCCD number (85) must be the last two digits "
        "of the birth year (1990). Check the CCCD number and the date of birth.",
        "Row 3, column A (Số CCCD): The CCCD number is that of a man (fourth digit 0), but the sex entered is "
        "female. Check the CCCD number and the sex.",
        "Row 4, column G (Mã xã): No commune has the code 99999.",
        "Row 4, column H (SĐT): “12” is not a phone number: type 9 to 12 digits, such as 0912345678 or +84912345678.",
    ]
    assert PriorCoverage.objects.count() == 0

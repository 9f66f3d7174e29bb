"""The rows of the later apps for the access matrix's world: each agency's paperwork and money
(settlements: a receipt series and the receipts its recordings took, a sent D03-TS batch, a transfer,
its profile), a renewal due with a call logged, and the trail the admin reads (a download, work kept
for Redis). Built through the apps' services where they have one, like the rest of access_world.py."""

from datetime import date

from campaign.models import PolicyParameters, Product
from core.excel.importing import run_import
from core.models import DownloadRecord, ImportRecord, PendingWork
from enrollments.models import PriorCoverage
from enrollments.renewals.models import ContactOutcome
from enrollments.renewals.services import record_contact
from settlements.declarations import mark_sent
from settlements.models import AgencyProfile, FeeRate, Form, Receipt, ReceiptSeries, StatementLine
from settlements.money import record_transfer
from settlements.statements.imports import BankStatementImport

# The first person of each agency is due to renew BHXH tự nguyện, known from prior coverage only.
RENEWAL_END = date(2025, 12, 25)


def before_enrolling(side_code: str, agency, commune, cccd: str) -> None:
    """What must exist before the agency records: its receipt series (recording takes numbers) and
    the prior coverage that puts its first person on its renewal list."""
    ReceiptSeries.objects.create(agency=agency, prefix=f"BH25-{side_code}", digits=4)
    AgencyProfile.objects.create(agency=agency, tax_code=f"010000000{ord(side_code)}", phone="02603000000")
    PriorCoverage.objects.create(cccd=cccd, product=Product.BHXH_TN, last_coverage_end=RENEWAL_END, commune=commune)


def after_enrolling(side) -> None:
    """The agency's paperwork once its people are recorded: a sent list, a transfer, a call."""
    officer, agency = side.officer, side.agency
    side.receipt = Receipt.objects.filter(agency=agency).order_by("pk").first()
    assert side.receipt is not None, "recording took a receipt number"
    side.batch = mark_sent(
        agency=agency, form=Form.D03, period_from=date(2025, 11, 17), period_to=date(2025, 12, 5), user=officer
    )
    side.transfer = record_transfer(
        agency=agency,
        transferred_on=date(2025, 12, 3),
        amount=500_000,
        bank_reference=f"FT25337{agency.code}",
        user=officer,
    )
    importer = BankStatementImport()
    side.statement_upload = run_import(
        importer,
        data=importer.template(None),
        file_name="saoke.xlsx",
        codes={"agency": agency.code},
        write=False,
        source=ImportRecord.Source.WEB,
        user=officer,
        keep_pending=True,
    )
    # A credit line nothing matched, as confirming a statement stores it (the admin reads the trail).
    StatementLine.objects.create(
        agency=agency,
        credited_on=date(2025, 12, 4),
        amount=120_000,
        content="nop tien",
        bank_reference=f"FT25338{agency.code}",
        result=StatementLine.Result.UNKNOWN,
        recorded_at=side.transfer.recorded_at,
    )
    side.contact = record_contact(
        user=officer,
        cccd=side.cccds[0],
        product=Product.BHXH_TN,
        contacted_on=date(2025, 12, 4),
        outcome=ContactOutcome.WILL_RENEW,
    )


def trail(admin, agency_kind: str) -> None:
    """One row each of what the admin reads and sets for every agency: a fee rate, a download
    record and a piece of work kept while Redis was away."""
    FeeRate.objects.create(
        agency_kind=agency_kind,
        product=Product.BHYT_HGD,
        classification="new",
        method=FeeRate.Method.PERCENT,
        percent="4.00",
        effective_from=date(2025, 11, 1),
    )
    DownloadRecord.objects.create(user=admin, actor=admin.username, export="access", file_name="a.xlsx", rows=3)
    PendingWork.objects.create(kind=PendingWork.Kind.BUMP, name="progress:TN-ACCESS", attempts=1)
    # The policy rows come from a data migration, before their history: saved once, they have a version.
    PolicyParameters.objects.order_by("pk").first().save()

from collectors.imports import QuotaImport
from core.excel.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import weekly quotas per agency and product for a campaign, long form (a row per agency and week) or "
        "wide form (a pair of columns per week); a week in the file gets exactly the file's quotas."
    )
    importer = QuotaImport()
    options = (("campaign", True, "the campaign's code, e.g. TN-CAODIEM-2025"),)

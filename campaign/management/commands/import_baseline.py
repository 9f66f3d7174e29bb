from campaign.imports import BaselineImport
from core.excel.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import each commune's coverage baseline (population, labour force, BHYT and BHXH insured, as-of date) "
        "for a campaign from a spreadsheet; communes by code or name."
    )
    importer = BaselineImport()
    options = (("campaign", True, "the campaign's code, e.g. TN-CAODIEM-2025"),)

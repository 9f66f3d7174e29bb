from core.excel.command import ImportCommand
from enrollments.imports import PaperEnrollmentImport


class Command(ImportCommand):
    help = (
        "Import enrollments an agency collected on paper; each row goes through the entry form's checks and is "
        "priced and classified the same way. Rows already recorded by the agency are skipped."
    )
    importer = PaperEnrollmentImport()
    options = (
        ("agency", True, "the code of the agency that collected them"),
        ("campaign", False, "the campaign's code (default: the running campaign)"),
    )

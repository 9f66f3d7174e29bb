from core.excel.command import ImportCommand
from enrollments.imports import PriorCoverageImport


class Command(ImportCommand):
    help = (
        "Import people's prior coverage (CCCD, product, end of the last coverage), which classifies enrollments "
        "as new, rejoining or renewing. Hundreds of thousands of rows are fine."
    )
    importer = PriorCoverageImport()

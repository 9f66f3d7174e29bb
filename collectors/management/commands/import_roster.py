from collectors.imports import RosterImport
from core.excel.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the roster of collection agencies and their officers (one row per officer). Updates by code; "
        "agencies and officers missing from the file are deleted, or deactivated when they have records."
    )
    importer = RosterImport()

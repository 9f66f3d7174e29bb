"""D03-TS and D05-TS: the lists an agency sends BHXH with each batch of money, as Excel and XML."""

from .excel import write_declaration
from .lists import batches_of, check_period, live_list, sent_list
from .rows import DeclarationList, ListRow
from .sending import mark_sent
from .xml import declaration_xml

__all__ = [
    "DeclarationList",
    "ListRow",
    "batches_of",
    "check_period",
    "declaration_xml",
    "live_list",
    "mark_sent",
    "sent_list",
    "write_declaration",
]

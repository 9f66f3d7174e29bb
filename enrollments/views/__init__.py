"""The officer's pages: sign people up at a market stall or a family's door, then find what was recorded."""

from .entry import enroll_bhxh, enroll_bhyt, start
from .lookup import lookup
from .records import cancel, enrollment_detail, enrollment_list, hand_over_gift, receipt

__all__ = [
    "cancel",
    "enroll_bhxh",
    "enroll_bhyt",
    "enrollment_detail",
    "enrollment_list",
    "hand_over_gift",
    "lookup",
    "receipt",
    "start",
]

"""Finding the receipt a bank transfer pays: its number in the transfer's content, whatever the bank did to it.

Banks carry the content the payer's app sent, but not always as typed: diacritics dropped or
kept, "/" and "-" turned into spaces or removed, letters upper-cased, the number glued to the
words around it ("NOP TIEN BH25-HT-0000001 NGUYEN VAN A", "BH25 HT 0000001", "BH25HT0000001").
So numbers and content are compared as their letters and digits only (``normalize``), and a
number counts where it starts and ends at a boundary of the content: a separator, the content's
start or end, or a change between letters and digits. "…0000001" is then not found in
"…00000012", while "BL0000012NGUYEN" still names "BL-0000012".
"""

import unicodedata
from collections.abc import Iterable

from core.excel.cells import normalize

from ..vietqr import transfer_content


def receipt_keys(receipt_no: str) -> set[str]:
    """What a receipt number looks like once the bank has been through it: as written, and as its VietQR content."""
    return {key for key in (normalize(receipt_no), normalize(transfer_content(receipt_no))) if key}


def _letters_and_digits(content: str) -> tuple[str, set[int]]:
    """The content's letters and digits (lower-case ASCII), and the positions where a separator stood before."""
    kept, cuts, length = [], {0}, 0
    for char in unicodedata.normalize("NFC", content):
        bare = normalize(char)
        if bare:
            kept.append(bare)
            length += len(bare)
        elif not unicodedata.combining(char):
            cuts.add(length)
    cuts.add(length)
    return "".join(kept), cuts


def _boundary(text: str, position: int, cuts: set[int]) -> bool:
    if position in cuts:
        return True
    return text[position - 1].isdigit() != text[position].isdigit()


def numbers_in(content: str, keys: dict[str, object], lengths: Iterable[int]) -> list:
    """The receipts (values of ``keys``, by normalized number) the content names, in the order it names them."""
    text, cuts = _letters_and_digits(content or "")
    found, seen = [], set()
    sizes = sorted(set(lengths), reverse=True)
    for start in range(len(text)):
        if not _boundary(text, start, cuts):
            continue
        for size in sizes:
            end = start + size
            if end > len(text) or not _boundary(text, end, cuts):
                continue
            receipt = keys.get(text[start:end])
            if receipt is not None and id(receipt) not in seen:
                seen.add(id(receipt))
                found.append(receipt)
                break
    return found

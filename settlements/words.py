"""An amount in đồng read out in Vietnamese words, as a receipt writes it ("Bằng chữ").

1.512.000 → "Một triệu năm trăm mười hai nghìn đồng". The reading rules:
- digits in groups of three, named nghìn, triệu, tỷ; past a tỷ the count of tỷ is read the same way
  ("một nghìn tỷ"); a group of three zeros is not read ("một triệu đồng");
- a group after the first is read in full, hundreds included: 1.000.050 → "một triệu không trăm năm mươi";
- a zero in the tens before a unit is "linh" (or "lẻ", the southern reading, with ``zero_tens="lẻ"``):
  105 → "một trăm linh năm";
- after a ten from twenty up, 1 is "mốt" (21 → "hai mươi mốt") and 4 is "tư" (24 → "hai mươi tư"); after
  any ten, 5 is "lăm" (15 → "mười lăm", 25 → "hai mươi lăm"); ten itself is "mười", twenty and up "mươi".
"""

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu")
BILLION = 1_000_000_000


def _units(tens: int, unit: int) -> str:
    if unit == 5 and tens > 0:
        return "lăm"
    if tens >= 2 and unit == 1:
        return "mốt"
    if tens >= 2 and unit == 4:
        return "tư"
    return DIGITS[unit]


def _three(number: int, *, full: bool, zero_tens: str) -> list[str]:
    """A group of three digits; ``full`` reads its hundreds even when they are zero."""
    hundreds, tens, unit = number // 100, number // 10 % 10, number % 10
    words = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if unit and words:
            words.append(zero_tens)
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if unit:
        words.append(_units(tens, unit))
    return words


def _below_billion(number: int, *, full: bool, zero_tens: str) -> list[str]:
    groups = [number // 1_000_000, number // 1000 % 1000, number % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if not group:
            continue
        words += _three(group, full=full or bool(words), zero_tens=zero_tens)
        if GROUPS[2 - index]:
            words.append(GROUPS[2 - index])
    return words


def _words(number: int, *, full: bool, zero_tens: str) -> list[str]:
    if number >= BILLION:
        head = [*_words(number // BILLION, full=full, zero_tens=zero_tens), "tỷ"]
        return head + _below_billion(number % BILLION, full=True, zero_tens=zero_tens)
    return _below_billion(number, full=full, zero_tens=zero_tens)


def dong_in_words(amount: int, *, zero_tens: str = "linh") -> str:
    """``amount`` (whole đồng, not negative) in words, capitalized, ending in "đồng"."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError("an amount in words is a whole number of đồng, not negative")
    if zero_tens not in ("linh", "lẻ"):
        raise ValueError('zero_tens is "linh" or "lẻ"')
    words = _words(amount, full=False, zero_tens=zero_tens) or [DIGITS[0]]
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]

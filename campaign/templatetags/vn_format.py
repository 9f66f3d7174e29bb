"""Numbers, money and percentages in Vietnamese style, whatever the page's language.

1263600 -> "1.263.600", as money "1.263.600 ₫"; Decimal("93.5") -> "93,50".
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


@register.filter
def vn_number(value) -> str:
    if value is None or value == "":
        return ""
    number = int(value)
    sign = "-" if number < 0 else ""
    return sign + _group(str(abs(number)))


@register.filter
def vnd(value) -> str:
    if value is None or value == "":
        return ""
    return f"{vn_number(value)} ₫"


@register.filter
def vn_percent(value, places: int = 2) -> str:
    if value is None or value == "":
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = _group(whole) + ("," + fraction if fraction else "")
    return ("-" if rounded < 0 else "") + text + "%"


@register.filter
def vn_decimal(value, places: int = 2) -> str:
    """A decimal that is not a percentage (a pace of people a day): Decimal("50") -> "50,00"."""
    text = vn_percent(value, places)
    return text[:-1] if text else ""

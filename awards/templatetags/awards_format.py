"""A ranking's score in its own unit: 103,25% · 12 points · 7 people · 4.548.960 ₫."""

from decimal import Decimal

from django import template

from awards.models import Metric, TieBreak
from campaign.templatetags.vn_format import vn_number, vn_percent, vnd

register = template.Library()


@register.filter
def score(value, metric: str) -> str:
    if value is None or value == "":
        return "–"
    if metric == Metric.ATTAINMENT:
        return vn_percent(value)
    if metric == Metric.AMOUNT:
        return vnd(value)
    value = Decimal(value)
    if value == value.to_integral_value():
        return vn_number(value)
    whole, _, fraction = f"{value:.2f}".partition(".")
    return f"{vn_number(int(whole))},{fraction}"


@register.filter
def metric_label(metric: str) -> str:
    return str(Metric(metric).label) if metric in Metric.values else metric


@register.filter
def tie_break_labels(order) -> list[str]:
    return [str(TieBreak(value).label) for value in order or [] if value in TieBreak.values]

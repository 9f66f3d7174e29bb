"""Small template helpers of the dashboard: sortable headers that keep the page's filters, statuses."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from collectors.attainment import product_attainment

register = template.Library()

STATUS_CLASSES = {"ahead": "table-success", "close": "table-warning", "behind": "table-danger", "no_quota": ""}
STATUS_LABELS = {"ahead": _("met"), "close": _("close"), "behind": _("behind"), "no_quota": _("no quota")}
STATUS_BADGES = {"ahead": "text-bg-success", "close": "text-bg-warning", "behind": "text-bg-danger", "no_quota": ""}


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str, param: str = "sort", default: str = "", target: str = "filtered"):
    """A column header link: sorts by ``key``, then the other way round; other GET parameters stay."""
    query = context["request"].GET.copy()
    current = query.get(param) or default
    following = f"-{key}" if current == key else key
    query[param] = following
    arrow = " ▲" if current == key else " ▼" if current == f"-{key}" else ""
    return format_html(
        '<a href="?{}" hx-get="?{}" hx-target="#{}" hx-swap="outerHTML" hx-push-url="true" class="sort-link">{}{}</a>',
        query.urlencode(),
        query.urlencode(),
        target,
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def with_query(context, url: str) -> str:
    """``url`` with the page's own GET parameters (an export of what the page shows)."""
    query = context["request"].GET.urlencode()
    return f"{url}?{query}" if query else url


@register.filter
def week_pct(row, product: str):
    return product_attainment(row.actual[product], row.quota[product])


@register.filter
def renewals_total(row) -> int:
    return sum(row.renewals.values())


@register.filter
def retention_of(figures: dict | None, key):
    """The retention of one row of a table (``with_retention``'s mappings), or None when the page has none."""
    return figures.get(key) if figures else None


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "")


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, ""))


@register.filter
def figure(area, measure: str):
    return area.figures[measure]

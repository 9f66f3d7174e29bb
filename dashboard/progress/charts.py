"""The dashboard's charts as geometry for server-drawn SVG: no script, nothing from another host.

Pure: figures in, coordinates and labels out; the templates draw them (``dashboard/_line_chart.html``,
``dashboard/_bar_chart.html``) and show the same numbers in a table beside each chart.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import ceil, floor

from campaign.templatetags.vn_format import vn_number, vn_percent

from .figures import Coverage
from .queries import PRODUCTS, WeekProgress
from .snapshots import TrendPoint

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 12, 30


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class LineChart:
    """Coverage over time against the target line, with the forecast drawn on to the target date."""

    actual: str  # SVG polyline points
    forecast: str
    target_y: float
    target_label: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    today_x: float
    points: list[TrendPoint]  # the numbers of the chart, for its table
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    label_x: int = LEFT - 6
    label_y: int = HEIGHT - BOTTOM + 18
    empty: bool = False


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return out_low
    return round(out_low + (value - low) * (out_high - out_low) / (high - low), 1)


def coverage_chart(
    *, trend: list[TrendPoint], live: Coverage, today: date, start: date, target_date: date
) -> LineChart:
    """The snapshots before today, today's live figure, the target and the straight forecast to the target date."""
    points = [p for p in trend if p.day < today and p.pct is not None]
    if live.pct is not None:
        points.append(TrendPoint(today, live.insured, live.denominator))
    first = min([start, *(p.day for p in points)])
    last = max(target_date, today)
    values = [p.pct for p in points] + [live.target_pct] + ([live.forecast_pct] if live.forecast_pct else [])
    low = floor(min(values)) - 1 if values else 0
    high = ceil(max(values)) + 1 if values else 100
    low, high = max(low, 0), min(max(high, low + 2), 100)

    def x(day: date) -> float:
        return _scale((day - first).days, 0, (last - first).days or 1, LEFT, WIDTH - RIGHT)

    def y(pct: Decimal) -> float:
        return _scale(float(pct), low, high, HEIGHT - BOTTOM, TOP)

    step = max(1, ceil((high - low) / 4))
    y_ticks = [Tick(y(Decimal(v)), vn_percent(v, 0)) for v in range(int(low), int(high) + 1, step)]
    weekly = [first + timedelta(days=d) for d in range(0, (last - first).days, 7)]
    x_ticks = [Tick(x(day), f"{day:%d/%m}") for day in [*weekly, target_date]]
    forecast = ""
    if live.forecast_pct is not None and live.pct is not None and target_date > today:
        forecast = f"{x(today)},{y(live.pct)} {x(target_date)},{y(live.forecast_pct)}"
    return LineChart(
        actual=" ".join(f"{x(p.day)},{y(p.pct)}" for p in points),
        forecast=forecast,
        target_y=y(live.target_pct),
        target_label=vn_percent(live.target_pct),
        y_ticks=y_ticks,
        x_ticks=_spread(x_ticks),
        today_x=x(today),
        points=points,
        empty=not points,
    )


def _spread(ticks: list[Tick], gap: float = 48) -> list[Tick]:
    """Drop date labels that would overlap the next one; the last (the target date) always stays."""
    kept: list[Tick] = []
    for tick in reversed(ticks):
        if not kept or kept[-1].at - tick.at >= gap:
            kept.append(tick)
    return kept[::-1]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: str


@dataclass
class BarChart:
    """Quota (outlined) against what counted (filled) per week, for one product."""

    product: str
    quota: list[Bar] = field(default_factory=list)
    actual: list[Bar] = field(default_factory=list)
    labels: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    width: int = 360
    height: int = 200
    plot_left: int = 44
    plot_right: int = 354
    plot_bottom: int = 176
    label_x: int = 38
    label_y: int = 192


def weeks_charts(weeks: list[WeekProgress]) -> list[BarChart]:
    return [_bars(weeks, product) for product in PRODUCTS]


def _bars(weeks: list[WeekProgress], product: str) -> BarChart:
    chart = BarChart(product)
    top, bottom, left, right = 12, chart.plot_bottom, chart.plot_left, chart.plot_right
    peak = max([1, *(w.quota[product] for w in weeks), *(w.actual[product] for w in weeks)])
    slot = (right - left) / max(len(weeks), 1)
    bar = slot * 0.36

    def height(value: int) -> float:
        return round((bottom - top) * value / peak, 1)

    for index, week in enumerate(weeks):
        x = left + index * slot + slot * 0.12
        for bars, value, offset in ((chart.quota, week.quota[product], 0), (chart.actual, week.actual[product], bar)):
            h = height(value)
            bars.append(Bar(round(x + offset, 1), round(bottom - h, 1), round(bar, 1), h, vn_number(value)))
        chart.labels.append(Tick(round(left + index * slot + slot / 2, 1), str(week.week.number)))
    chart.y_ticks = [Tick(round(bottom - height(v), 1), vn_number(v)) for v in sorted({0, peak // 2, peak})]
    return chart

"""The arithmetic of ``make bench``, without a server or a database: percentiles, bars, the table, "nothing lost".

Every figure is a :class:`Row`: the measured value, a reference measured in the same run (the health
endpoint under the same load, or the raw SQL of the path's main query), and a bar. A bar is an upper
or lower limit, often a multiple of the reference; a row whose bar is not met says MISSED with both
numbers, so the table reads without the code.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0 < q <= 100) of ``values``: a value that was measured."""
    if not values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError("q must be in (0, 100]")
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class Latency:
    """What one load run measured: latencies in ms, requests per second, and the statuses seen."""

    requests: int
    seconds: float
    p50: float
    p95: float
    max: float
    statuses: Mapping[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def failures(self, ok: Iterable[int] = (200,)) -> int:
        allowed = {str(status) for status in ok}
        return sum(count for status, count in self.statuses.items() if status not in allowed)


def summarize(latencies_ms: Sequence[float], seconds: float, statuses: Iterable) -> Latency:
    counts = Counter(str(status) for status in statuses)
    return Latency(
        requests=len(latencies_ms),
        seconds=seconds,
        p50=percentile(latencies_ms, 50),
        p95=percentile(latencies_ms, 95),
        max=max(latencies_ms),
        statuses=dict(sorted(counts.items())),
    )


def ratio(value: float, reference: float) -> float:
    """``value`` as a multiple of ``reference`` (infinite when the reference is 0 and the value is not)."""
    if reference == 0:
        return 0.0 if value == 0 else math.inf
    return value / reference


def number(value: float, unit: str = "") -> str:
    """A figure as the table shows it: thousands separated, fewer decimals as it grows."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = "n/a"
    elif math.isinf(value):
        text = "∞"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}".strip()


@dataclass(frozen=True)
class Row:
    """One line of the report. ``met`` is None for a figure shown without a bar (a reference, a count)."""

    figure: str
    measured: str
    reference: str = ""
    bar: str = ""
    met: bool | None = None
    why: str = ""  # with a missed bar: the numbers that missed it

    @property
    def verdict(self) -> str:
        if self.met is None:
            return ""
        return "met" if self.met else f"**MISSED** ({self.why})" if self.why else "**MISSED**"


def at_most(figure: str, value: float, limit: float, unit: str, *, bar: str, reference: str = "") -> Row:
    """A figure whose bar is an upper limit (a latency): met when ``value <= limit``."""
    met = value <= limit
    why = "" if met else f"{number(value, unit)} > {number(limit, unit)}"
    return Row(figure, number(value, unit), reference, f"{bar} ({number(limit, unit)})", met, why)


def below(figure: str, value: float, limit: float, unit: str, *, bar: str, reference: str = "") -> Row:
    """A figure whose bar is a strict upper limit (``under 1 s``): met when ``value < limit``."""
    met = value < limit
    why = "" if met else f"{number(value, unit)} ≥ {number(limit, unit)}"
    return Row(figure, number(value, unit), reference, f"{bar} ({number(limit, unit)})", met, why)


def at_least(figure: str, value: float, limit: float, unit: str, *, bar: str, reference: str = "") -> Row:
    """A figure whose bar is a lower limit (a rate): met when ``value >= limit``."""
    met = value >= limit
    why = "" if met else f"{number(value, unit)} < {number(limit, unit)}"
    return Row(figure, number(value, unit), reference, f"{bar} ({number(limit, unit)})", met, why)


def shown(figure: str, measured: str, reference: str = "") -> Row:
    """A figure without a bar."""
    return Row(figure, measured, reference)


def missed(figure: str, reason: str, bar: str = "") -> Row:
    """A figure that could not be measured: its bar counts as missed, with the reason."""
    return Row(figure, "not measured", "", bar, False, reason)


def render(rows: Sequence[Row], *, title: str, notes: Sequence[str] = ()) -> str:
    """The report as Markdown: a heading, the notes (data, machine, load), the table and the missed bars."""
    lines = [f"## {title}", ""]
    lines += [f"- {note}" for note in notes]
    if notes:
        lines.append("")
    lines += ["| figure | measured | reference (same run) | bar | verdict |", "| --- | ---: | ---: | --- | --- |"]
    for row in rows:
        cells = [row.figure, row.measured, row.reference, row.bar, row.verdict]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    misses = [row for row in rows if row.met is False]
    lines.append("")
    if misses:
        lines.append(f"{len(misses)} of {sum(row.met is not None for row in rows)} bars MISSED:")
        lines += [f"- MISSED {row.figure}: {row.why or row.measured}; bar {row.bar}" for row in misses]
    else:
        lines.append(f"Every bar met ({sum(row.met is not None for row in rows)}).")
    return "\n".join(lines) + "\n"


# --- Nothing lost ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One write sent under load: the uuids it carried (one enrollment, or a household's members),
    the answer's status (an int, or the name of the client-side error) and the refusal's reason."""

    uuids: tuple[str, ...]
    status: int | str
    reason: str = ""


@dataclass(frozen=True)
class LostCheck:
    accepted: int
    refused: int
    server_errors: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_nothing_lost(outcomes: Iterable[Outcome], stored: Mapping[str, int], *, shown_problems: int = 5) -> LostCheck:
    """Every 2xx write is in the database exactly once (each of its uuids), every refusal is a 4xx
    with a reason and left nothing behind, and nothing got a 5xx or no answer at all.

    ``stored`` maps a uuid to how many enrollments carry it (absent: none).
    """
    accepted = refused = server_errors = 0
    problems: list[str] = []
    for outcome in outcomes:
        status = outcome.status
        counts = [stored.get(uuid, 0) for uuid in outcome.uuids]
        if isinstance(status, int) and 200 <= status < 300:
            accepted += 1
            bad = [f"{uuid} ×{count}" for uuid, count in zip(outcome.uuids, counts, strict=True) if count != 1]
            if bad:
                problems.append(f"{status} but stored {', '.join(bad)}")
        elif isinstance(status, int) and 400 <= status < 500:
            refused += 1
            if not outcome.reason.strip():
                problems.append(f"{status} without a reason ({outcome.uuids[0]})")
            if any(counts):
                problems.append(f"{status} but stored ({outcome.uuids[0]})")
        else:
            server_errors += 1
            problems.append(f"{status} for {outcome.uuids[0]}")
    summary = list(problems[:shown_problems])
    if len(problems) > shown_problems:
        summary.append(f"and {len(problems) - shown_problems} more")
    return LostCheck(accepted, refused, server_errors, tuple(summary) if problems else ())

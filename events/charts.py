"""Small server-rendered SVG charts for the organizer pages: pure functions from labelled numbers to
an SVG string (no Django models, no JavaScript).

Every chart is an ``<svg role="img">`` named by its ``<title>`` (and described by a ``<desc>`` that
lists every value), and every bar carries its own ``<title>`` ("label: value") for screen readers
and hover. Bar heights are proportional to the values: the largest bar is ``plot_height`` tall, a
zero bar is 0 tall; heights are rounded to 0.1 px."""

from __future__ import annotations

import math
from html import escape

PLOT_HEIGHT = 160
BAR_WIDTH = 48
GAP = 16
LABEL_HEIGHT = 36  # room under the bars for the labels
VALUE_HEIGHT = 18  # room above the tallest bar for its value


def bar_heights(values: list[float], plot_height: float = PLOT_HEIGHT) -> list[float]:
    """The height of each bar: ``value / max(values) * plot_height``; all 0 when nothing is positive.
    Negative values are drawn as 0."""
    top = max((value for value in values if value > 0), default=0)
    if not top:
        return [0.0 for _value in values]
    return [round(max(value, 0) / top * plot_height, 1) for value in values]


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(
    bars: list[tuple[str, float]],
    *,
    title: str,
    plot_height: float = PLOT_HEIGHT,
    bar_width: int = BAR_WIDTH,
    gap: int = GAP,
    css_class: str = "chart",
) -> str:
    """A vertical bar chart of ``(label, value)`` pairs, left to right, as an SVG string."""
    heights = bar_heights([value for _label, value in bars], plot_height)
    width = max(1, len(bars)) * (bar_width + gap) + gap
    height = VALUE_HEIGHT + plot_height + LABEL_HEIGHT
    base = VALUE_HEIGHT + plot_height
    description = "; ".join(f"{label}: {_number(value)}" for label, value in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height:g}" width="{width}" height="{height:g}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        f'<line class="axis" x1="0" y1="{base:g}" x2="{width}" y2="{base:g}" />',
    ]
    for position, ((label, value), bar) in enumerate(zip(bars, heights, strict=True)):
        x = gap + position * (bar_width + gap)
        middle = x + bar_width / 2
        parts.append(
            f'<g class="bar"><title>{escape(f"{label}: {_number(value)}")}</title>'
            f'<rect x="{x}" y="{base - bar:g}" width="{bar_width}" height="{bar:g}" />'
            f'<text class="value" x="{middle:g}" y="{base - bar - 4:g}" text-anchor="middle">'
            f"{escape(_number(value))}</text>"
            f'<text class="label" x="{middle:g}" y="{base + 14:g}" text-anchor="middle">{escape(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram_counts(values: list[float], *, bins: int = 10, low: float = 0.0, high: float = 1.0) -> list[int]:
    """How many values fall in each of ``bins`` equal bins over [low, high]; the last bin includes
    ``high``, values outside the range count in the first or last bin."""
    if bins < 1 or high <= low:
        raise ValueError("need at least one bin and high > low")
    counts = [0] * bins
    step = (high - low) / bins
    for value in values:
        index = math.floor((value - low) / step + 1e-9)  # 0.3 is in the bin [0.3, 0.4)
        counts[min(max(index, 0), bins - 1)] += 1
    return counts


def histogram(
    values: list[float], *, title: str, bins: int = 10, low: float = 0.0, high: float = 1.0, digits: int = 1
) -> str:
    """A histogram of ``values`` as a bar chart; each bar is labelled by its lower bound."""
    counts = histogram_counts(values, bins=bins, low=low, high=high)
    step = (high - low) / bins
    bars = [(f"{low + index * step:.{digits}f}", count) for index, count in enumerate(counts)]
    return bar_chart(bars, title=title, bar_width=28, gap=6, css_class="chart histogram")

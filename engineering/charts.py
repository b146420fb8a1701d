"""Charts as inline SVG strings, for the portal pages and the proposal PDF alike: no JavaScript, no
external assets, text in the document's own font. Values are escaped; sizes are in viewBox units so
the charts scale with their container."""

# ruff: noqa: E501 - SVG element strings read best one element per line

from __future__ import annotations

import math
from html import escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * base:
            return step * base
    return 10 * base


def _nice_range(low: float, high: float, ticks: int = 4) -> tuple[float, float, float]:
    """(bottom, top, step) with round steps and ticks on multiples of the step."""
    low, high = min(low, 0.0), max(high, 0.0)
    step = _nice_max((high - low) / ticks) if high > low else 1.0
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _fmt(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _axis_label(value: float) -> str:
    if abs(value) >= 1000:
        return _fmt(value / 1000, 0 if value % 1000 == 0 else 1) + "k"
    return _fmt(value, 0)


def monthly_bars_svg(
    *,
    labels: list[str],
    series: list[tuple[str, list[float], str]],
    unit: str,
    title: str = "",
    width: int = 640,
    height: int = 260,
) -> str:
    """Grouped bars per month (e.g. generation vs consumption)."""
    left, right, top, bottom = 48, 12, 34 if title else 14, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for _name, values, _color in series for v in values), default=0)
    y_max = _nice_max(peak * 1.05)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title or unit)}" font-family="{FONT}" font-size="11">'
    ]
    if title:
        parts.append(
            f'<text x="{left}" y="18" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>'
        )
    for i in range(5):
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{_axis_label(value)}</text>'
        )
    groups = len(labels)
    group_w = plot_w / max(groups, 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    for g, label in enumerate(labels):
        x0 = left + g * group_w + group_w * 0.1
        for s, (name, values, color) in enumerate(series):
            value = values[g] if g < len(values) else 0
            h = plot_h * value / y_max if y_max else 0
            x = x0 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w * 0.92:.1f}" height="{h:.1f}" '
                f'fill="{color}" rx="1.5"><title>{escape(name)} {escape(label)}: {_fmt(value)} {escape(unit)}</title></rect>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 15:.1f}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
        )
    legend_x = left
    for name, _values, color in series:
        parts.append(f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{color}" rx="2"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{height - 5}" fill="{INK}">{escape(name)}</text>')
        legend_x += 20 + 7 * len(name)
    parts.append(
        f'<text x="{width - right}" y="{height - 5}" text-anchor="end" fill="{MUTED}">{escape(unit)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def payback_svg(
    *,
    years: list[int],
    cumulative: list[float],
    initial: float,
    payback_years: float | None,
    title: str = "",
    payback_label: str = "payback",
    width: int = 640,
    height: int = 260,
) -> str:
    """Cumulative cash flow by year (red below zero, green above) with the payback marked."""
    values = [-initial, *cumulative]
    labels = [0, *years]
    left, right, top, bottom = 52, 12, 34 if title else 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high, step = _nice_range(min(values), max(values))
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title or payback_label)}" font-family="{FONT}" font-size="11">'
    ]
    if title:
        parts.append(
            f'<text x="{left}" y="18" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>'
        )
    for i in range(round(span / step) + 1):
        value = low + step * i
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{_axis_label(value)}</text>'
        )
    zero = y_of(0)
    n = len(values)
    slot = plot_w / max(n, 1)
    for i, value in enumerate(values):
        x = left + i * slot + slot * 0.15
        y_top = min(zero, y_of(value))
        h = abs(y_of(value) - zero)
        color = "#2f9e44" if value >= 0 else "#e03131"
        parts.append(
            f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{slot * 0.7:.1f}" height="{max(h, 0.5):.1f}" fill="{color}" rx="1">'
            f"<title>{escape(str(labels[i]))}: R$ {_fmt(value)}</title></rect>"
        )
        if labels[i] % 5 == 0 or i == n - 1:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" fill="{MUTED}">{labels[i]}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{zero:.1f}" x2="{width - right}" y2="{zero:.1f}" stroke="{INK}" stroke-width="1"/>'
    )
    if payback_years is not None:
        x = left + payback_years * slot + slot * 0.5
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#f59f00" stroke-width="2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x + 5:.1f}" y="{top + 12}" fill="#b35c00" font-weight="bold">'
            f"{escape(payback_label)}: {_fmt(payback_years, 1)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

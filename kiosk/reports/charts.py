"""Small inline SVG bar charts for the HTML report (no scripts, no fonts or files from anywhere).

Every label is escaped; the charts scale with the page (``viewBox``) and print in black and white.
"""

from __future__ import annotations

from html import escape

from kiosk.reports.bulletin import percent

BAR = "#3b6ea5"
GRID = "#c8ced6"


def rate_bars(title: str, items: list[tuple[str, float | None]], empty: str) -> str:
    """Horizontal bars: one per label, length = rate (0–1)."""
    if not items:
        return _empty(title, empty)
    row_h, label_w, bar_w, width = 22, 150, 300, 520
    height = 30 + row_h * len(items)
    parts = [_open(title, width, height), _title(title)]
    for x in (0, 0.5, 1):
        gx = label_w + bar_w * x
        parts.append(f'<line x1="{gx:.0f}" y1="24" x2="{gx:.0f}" y2="{height - 4}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
    for i, (label, rate) in enumerate(items):
        y = 28 + i * row_h
        length = bar_w * max(0.0, min(1.0, rate or 0.0))
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
                     f"{escape(_clip(label, 12))}</text>")
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 8}" '
                     f'fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + length + 4:.1f}" y="{y + 14}" font-size="11">'
                     f"{escape(percent(rate))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def progress_bars(title: str, items: list[tuple[str, float, str]], empty: str) -> str:
    """Horizontal bars of progress toward a target: one per label, length = fraction (0–1,
    capped), with its own text (``3.5 / 50``) after the bar; a line marks the target."""
    if not items:
        return _empty(title, empty)
    row_h, label_w, bar_w, width = 20, 150, 270, 520
    height = 30 + row_h * len(items)
    parts = [_open(title, width, height), _title(title),
             f'<line x1="{label_w + bar_w}" y1="24" x2="{label_w + bar_w}" y2="{height - 4}" '
             f'stroke="{GRID}" stroke-width="1" stroke-dasharray="3 2"/>']
    for i, (label, fraction, text) in enumerate(items):
        y = 28 + i * row_h
        length = bar_w * max(0.0, min(1.0, fraction))
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
                     f"{escape(_clip(label, 12))}</text>")
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 7}" '
                     f'fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + length + 4:.1f}" y="{y + 13}" font-size="11">'
                     f"{escape(text)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def trend_columns(title: str, items: list[tuple[str, float | None]], empty: str) -> str:
    """Vertical columns per month (label ``MM``), height = rate (0–1)."""
    if not items:
        return _empty(title, empty)
    width, height, top, base = 520, 200, 30, 170
    step = (width - 40) / max(len(items), 1)
    parts = [_open(title, width, height), _title(title),
             f'<line x1="30" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{GRID}"/>']
    for i, (label, rate) in enumerate(items):
        x = 34 + i * step
        h = (base - top) * max(0.0, min(1.0, rate or 0.0))
        parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step * 0.6:.1f}" '
                     f'height="{h:.1f}" fill="{BAR}"/>')
        if rate is not None:
            parts.append(f'<text x="{x + step * 0.3:.1f}" y="{base - h - 3:.1f}" font-size="9" '
                         f'text-anchor="middle">{escape(percent(rate))}</text>')
        parts.append(f'<text x="{x + step * 0.3:.1f}" y="{base + 14}" font-size="11" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(title: str, width: int, height: int) -> str:
    return (f'<svg role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">')


def _title(title: str) -> str:
    return f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>'


def _empty(title: str, empty: str) -> str:
    return (_open(title, 520, 50) + _title(title)
            + f'<text x="4" y="40" font-size="12">{escape(empty)}</text></svg>')


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"

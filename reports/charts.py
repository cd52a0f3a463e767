"""Charts as SVG drawn on the server: vector images in the PDFs, and the same picture on a page
when the vendored chart library is not running (or for the print view)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a2e", "#6c5ba7", "#8a8a8a")


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def bar_chart(
    items: list[tuple[str, float]], *, width: int = 460, bar: int = 16, font: str = "sans-serif"
) -> SafeString:
    """Horizontal bars, one per (label, value), the value written at the end of each bar."""
    if not items:
        return mark_safe("")
    label_width, gap = 130, 6
    top = max((value for _label, value in items), default=0) or 1
    height = len(items) * (bar + gap) + gap
    room = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(font)}" font-size="10" role="img">'
    ]
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar + gap)
        length = max(1.0, room * value / top) if value else 0
        color = PALETTE[index % len(PALETTE)] if len(items) <= len(PALETTE) else PALETTE[0]
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar - 4}" text-anchor="end">{escape(str(label)[:14])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{color}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 4}">{escape(_number(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_chart(
    items: list[tuple[str, float]], *, width: int = 460, height: int = 160, font: str = "sans-serif"
) -> SafeString:
    """Columns over time (the trend), labels under them."""
    if not items:
        return mark_safe("")
    bottom, top_margin = 24, 14
    top = max((value for _label, value in items), default=0) or 1
    step = width / len(items)
    column = max(4.0, step * 0.6)
    room = height - bottom - top_margin
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(font)}" font-size="9" role="img">',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999" stroke-width="0.5"/>',
    ]
    for index, (label, value) in enumerate(items):
        x = index * step + (step - column) / 2
        length = room * value / top
        y = height - bottom - length
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{length:.1f}" fill="{PALETTE[0]}"/>'
            f'<text x="{x + column / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{escape(_number(value))}</text>'
            f'<text x="{x + column / 2:.1f}" y="{height - 8}" text-anchor="middle">{escape(str(label))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))

"""Charts drawn on the server as SVG: no script, no CDN. Each is an image with a title and a description for
screen readers, and each is shown beside a table of the same numbers (the table is the accessible version)."""

from decimal import Decimal

from markupsafe import Markup, escape

BLUE, GREY, BLACK, ORANGE = "#1d70b8", "#b1b4b6", "#0b0c0c", "#f47738"
FONT = 'font-family="arial, sans-serif" font-size="12"'
BAR_FONT = 'font-family="arial, sans-serif" font-size="14"'


def _number(value) -> str:
    if value is None:
        return "none"
    value = float(value)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _scale_top(values: list[float]) -> float:
    """A round number a little above the largest value, for the axis."""
    top = max(values, default=0) or 1
    for step in (1, 2, 2.5, 5, 10):
        magnitude = 10 ** (len(str(int(top))) - 1)
        candidate = step * magnitude
        if candidate >= top:
            return candidate
    return top


def line_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    points: list[tuple[str, float | int | None]],
    target: Decimal | None = None,
    unit: str = "",
    width: int = 360,
    height: int = 140,
    target_label: str = "Target",
) -> Markup:
    """A line through monthly values (gaps where a value is None), with the target as a dashed line. Labels
    show the first and last points."""
    left, right, top, bottom = 44, 12, 10, 24
    values = [float(v) for _, v in points if v is not None]
    scale = 100.0 if unit == "%" else _scale_top(values + ([float(target)] if target is not None else []))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(points) - 1, 1))

    def y(v: float) -> float:
        return top + plot_h - plot_h * (v / scale if scale else 0)

    parts = [
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" viewBox="0 0 {width} {height}" '
        f'width="100%" class="app-chart" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{GREY}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{GREY}"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" {FONT}>{_number(scale)}{unit}</text>',
        f'<text x="{left - 4}" y="{top + plot_h + 4}" text-anchor="end" {FONT}>0</text>',
    ]
    if target is not None and 0 <= float(target) <= scale:
        ty = y(float(target))
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="{ORANGE}" '
            f'stroke-width="2" stroke-dasharray="6 4"><title>{escape(target_label)} {_number(target)}{unit}</title></line>',
        )
        label_y = ty - 4 if ty > top + 14 else ty + 13
        parts.append(
            f'<text x="{width - right}" y="{label_y:.1f}" text-anchor="end" {FONT} fill="#505a5f">'
            f"{escape(target_label.lower())} {_number(target)}{unit}</text>"
        )
    segment: list[str] = []
    segments = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(float(value)):.1f}")
    if segment:
        segments.append(segment)
    for run in segments:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{BLUE}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>'
            )
    if points:
        last_label, last_value = points[-1]
        if last_value is not None:
            parts.append(
                f'<circle cx="{x(len(points) - 1):.1f}" cy="{y(float(last_value)):.1f}" r="4" fill="{BLUE}"/>'
            )
        parts.append(f'<text x="{left}" y="{height - 6}" {FONT}>{escape(points[0][0])}</text>')
        parts.append(
            f'<text x="{width - right}" y="{height - 6}" text-anchor="end" {FONT}>{escape(last_label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# Arial at the bar font's size averages under 7 pixels a character.
BAR_CHARACTER_WIDTH = 7


def _fit(label: str, width: int) -> str:
    """The label shortened with an ellipsis so it ends before its bar; the chart's table has it whole."""
    most = max(width // BAR_CHARACTER_WIDTH - 1, 4)
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bar_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    bars: list[tuple[str, float | int]],
    width: int = 460,
    label_width: int = 250,
    highlight: str | None = None,
) -> Markup:
    """Horizontal bars, one a row, each labelled with its value; the bar labelled `highlight` (if any) in orange
    and its label in bold."""
    row = 28
    height = max(row * len(bars), row)
    top_value = max((float(v) for _, v in bars), default=0) or 1
    bar_space = width - label_width - 50
    parts = [
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" viewBox="0 0 {width} {height}" '
        f'width="100%" class="app-chart" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        length = bar_space * float(value) / top_value
        y = row * i
        mine = highlight is not None and label == highlight
        weight = ' font-weight="bold"' if mine else ""
        parts.append(f'<text x="0" y="{y + 18}" {BAR_FONT}{weight}>{escape(_fit(label, label_width))}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="16" fill="{ORANGE if mine else BLUE}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 5:.1f}" y="{y + 18}" {BAR_FONT}>{_number(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))

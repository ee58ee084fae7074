"""A line chart of the three workforce rates, drawn on the server as SVG (the page's table carries the same
figures for anyone who cannot see it)."""

from markupsafe import Markup, escape

from opencsc.workforce.selectors import WorkforceFigures

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 240, 40, 30, 10, 150
SERIES = (
    ("turnover_rate", "Turnover", "#1d70b8", ""),
    ("agency_rate", "Agency rate", "#d4351c", "6 3"),
    ("vacancy_rate", "Vacancy rate", "#00703c", "2 3"),
)


def rates_chart(trend: list[WorkforceFigures]) -> Markup:
    """Oldest month on the left. A month with no figure leaves a gap."""
    if len(trend) < 2:
        return Markup("")
    values = [getattr(row, name) for row in trend for name, *_ in SERIES]
    top = max([50.0] + [value for value in values if value is not None])
    top = 10 * (int(top) // 10 + 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + plot_width * index / (len(trend) - 1)

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    parts = [
        f'<svg class="app-chart" role="img" aria-labelledby="rates-chart-title" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" font-family="arial, sans-serif" xmlns="http://www.w3.org/2000/svg"><title id="rates-chart-title">Turnover, agency and '
        f"vacancy rates by month, {escape(trend[0].on.strftime('%B %Y'))} to "
        f"{escape(trend[-1].on.strftime('%B %Y'))}: the figures are in the table below</title>"
    ]
    for tick in range(0, top + 1, 10):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#b1b4b6" '
            f'stroke-width="0.5"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#0b0c0c">{tick}%</text>'
        )
    for index in (0, len(trend) // 2, len(trend) - 1):
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - 10}" font-size="11" text-anchor="middle" fill="#0b0c0c">'
            f"{escape(trend[index].on.strftime('%b %Y'))}</text>"
        )
    for number, (name, label, colour, dashes) in enumerate(SERIES):
        segments, current = [], []
        for index, row in enumerate(trend):
            value = getattr(row, name)
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(index):.1f},{y(value):.1f}")
        if current:
            segments.append(current)
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        for points in segments:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        legend_y = TOP + 14 + 20 * number
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" x2="{WIDTH - RIGHT + 40}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/><text x="{WIDTH - RIGHT + 46}" y="{legend_y}" '
            f'font-size="12" fill="#0b0c0c">{label}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))

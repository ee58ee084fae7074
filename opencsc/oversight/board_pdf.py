"""The board pack as a PDF, made on the server with ReportLab: no browser, no network.

The dashboard's charts are the same server-side SVG the page shows, turned into ReportLab drawings by svglib, so
the PDF and the page cannot disagree. Every chart is followed by its numbers in a table.
"""

import io
import re

from markupsafe import escape
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from svglib.svglib import svg2rlg

from opencsc.insight import charts
from opencsc.oversight.board_pack import BoardPack
from opencsc.oversight.improvement_selectors import STATUS_ORDER, status_label

BLACK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
LINE = colors.HexColor("#b1b4b6")
SHADE = colors.HexColor("#f3f2f1")
RAG_COLOURS = {
    "red": colors.HexColor("#d4351c"),
    "amber": colors.HexColor("#f47738"),
    "green": colors.HexColor("#00703c"),
}
STATUS_COLOURS = {
    "off_track": colors.HexColor("#d4351c"),
    "at_risk": colors.HexColor("#f47738"),
    "not_started": colors.HexColor("#505a5f"),
    "on_track": colors.HexColor("#1d70b8"),
    "complete": colors.HexColor("#00703c"),
}
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=20, leading=24, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=14, leading=18, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=11, leading=14, spaceBefore=6),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontSize=8, leading=10, fontName="Helvetica-Bold"
        ),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=8, leading=10, alignment=TA_RIGHT),
        "cell_bold_right": ParagraphStyle(
            "cell_bold_right",
            parent=body,
            fontSize=8,
            leading=10,
            fontName="Helvetica-Bold",
            alignment=TA_RIGHT,
        ),
    }


def _text(value) -> str:
    """Text for a Paragraph: ReportLab reads a small XML dialect, so escape everything that came from data."""
    return str(escape("" if value is None else str(value)))


class _Builder:
    def __init__(self):
        self.styles = _styles()
        self.story: list = []

    def para(self, text: str, style: str = "body", *, raw: bool = False) -> Paragraph:
        return Paragraph(text if raw else _text(text), self.styles[style])

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def heading(self, text: str, level: int = 2) -> None:
        if level == 2:
            self.story.append(CondPageBreak(60 * mm))
        self.story.append(self.para(text, f"h{level}"))

    def table(
        self, header: list[str], rows: list[list], widths: list[float], *, numeric: set[int] = frozenset()
    ) -> Table:
        """A table whose columns in `numeric` are right-aligned, header included."""

        def cell(value, column, bold=False):
            if isinstance(value, Paragraph):
                return value
            right = column in numeric
            style = (
                ("cell_bold_right" if right else "cell_bold") if bold else ("cell_right" if right else "cell")
            )
            return self.para(value, style)

        data = [[cell(value, i, bold=True) for i, value in enumerate(header)]]
        data += [[cell(value, i) for i, value in enumerate(row)] for row in rows]
        table = Table(data, colWidths=[w * FRAME_WIDTH for w in widths], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                    ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    def tag(self, text: str, colour) -> Paragraph:
        return self.para(
            f'<font color="#{colour.hexval()[2:]}"><b>{_text(text)}</b></font>', "cell", raw=True
        )


def chart_drawing(svg: str, width: float) -> Drawing | None:
    """A server-side SVG chart as a ReportLab drawing scaled to `width` points, or None if it cannot be read."""
    # The page's SVG says width="100%" to fill its column; the PDF sizes it from the viewBox instead.
    svg = re.sub(r'\swidth="100%"', "", str(svg), count=1)
    drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")))
    if drawing is None or not drawing.width:
        return None
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


def _footer(pack: BoardPack):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(
            MARGIN,
            9 * mm,
            f"{pack.authority} · Improvement board pack for {pack.day:%-d %B %Y} · "
            "numbers only, no child is named · OFFICIAL-SENSITIVE",
        )
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def _summary(b: _Builder, pack: BoardPack) -> None:
    meeting = pack.meeting
    b.add(b.para(pack.authority, "small"))
    b.add(b.para(f"Improvement board pack: {pack.day:%-d %B %Y}", "title"))
    b.add(
        b.para(
            f"Prepared {pack.prepared_at:%-d %B %Y} for {pack.prepared_for}. Figures are as recorded for "
            f"{pack.day:%-d %B %Y}; the improvement plan is shown as it stood on that day.",
            "small",
        )
    )
    points = []
    if meeting.inspection:
        points.append(
            f"Improvement plan: {meeting.total} actions, {meeting.counts.get('complete', 0)} complete, "
            f"{len(meeting.attention)} off track or overdue."
        )
    else:
        points.append("No inspection or improvement plan had been recorded by this day.")
    points.append(pack.escalations_in_brief)
    if pack.budget is not None:
        points.append(pack.budget.sentence)
    if pack.dashboard is not None:
        reds = [row for row in pack.dashboard.kpis if getattr(row, "rag", None) == "red"]
        points.append(f"Measures red against target: {len(reds)} of {len(pack.dashboard.kpis)}.")
    b.heading("In brief")
    for point in points:
        b.add(b.para(f"• {point}"))


def _dashboard(b: _Builder, pack: BoardPack) -> None:
    dashboard = pack.dashboard
    if dashboard is None:
        return
    b.add(PageBreak())
    b.heading("Performance")
    b.add(
        b.para(
            f"Each measure over the 12 months to {dashboard.month_end:%-d %B %Y} (counts of children taken on that "
            "day), with its target, red/amber/green rating and England's figure. " + dashboard.amber_note,
            "small",
        )
    )
    for group, rows in dashboard.groups:
        b.heading(group, 3)
        table_rows = [
            [
                row.info.title,
                row.value_label,
                _year_before(row),
                row.target_label,
                b.tag(row.rag_label, RAG_COLOURS[row.rag]) if row.rag in RAG_COLOURS else row.rag_label,
                _comparator_text(row),
            ]
            for row in rows
        ]
        b.add(
            b.table(
                ["Measure", "Latest", "A year before", "Target", "Rating", "England"],
                table_rows,
                [0.33, 0.09, 0.1, 0.13, 0.1, 0.25],
                numeric={1, 2},
            )
        )
    _neighbours(b, dashboard)
    b.add(PageBreak())
    b.heading(f"Pressures on {dashboard.on:%-d %B %Y}")
    for panel in dashboard.panels:
        drawing = chart_drawing(_panel_chart(panel), FRAME_WIDTH * 0.8) if panel.rows else None
        rows = [[row.label, f"{row.count:,}"] for row in panel.rows] or [["None", ""]]
        rows.append([b.para("Total", "cell_bold"), b.para(f"{panel.total:,}", "cell_bold_right")])
        parts = [
            b.para(panel.title, "h3"),
            b.para(panel.description + (" " + panel.note if panel.note else ""), "small"),
        ]
        parts += [drawing] if drawing is not None else []
        parts.append(b.table(["", panel.count_label], rows, [0.5, 0.15], numeric={1}))
        b.add(KeepTogether(parts))
    _workforce(b, dashboard)
    for group, rows in dashboard.groups:
        b.add(PageBreak())
        b.heading(f"Three-year trends: {group}")
        charts = []
        for row in rows:
            drawing = chart_drawing(row.chart, FRAME_WIDTH / 2 - 6 * mm)
            if drawing is not None:
                charts.append(
                    [b.para(row.info.title, "cell_bold"), drawing, b.para(_trend_caption(row), "small")]
                )
        b.add(*_two_columns(charts))
        b.add(_trend_table(b, rows))


def _workforce(b: _Builder, dashboard) -> None:
    section = getattr(dashboard, "workforce", None)
    if section is None:
        return
    b.add(PageBreak())
    b.heading(f"Workforce on {section.on:%-d %B %Y}")
    figures = section.figures
    b.add(
        b.para(
            f"Children and family social workers: {figures.employed_fte} employed FTE and {figures.agency_fte} "
            f"agency FTE in post, {figures.vacancy_fte} FTE of funded posts vacant, {figures.cases} children "
            "allocated to case holders. The dashed line on each chart is England's figure.",
            "small",
        )
    )
    rows = [
        [
            measure.title,
            measure.value_label,
            _comparator_text(measure) if measure.comparator else "No national figure",
        ]
        for measure in section.measures
    ]
    b.add(b.table(["Measure", "Now", "England"], rows, [0.45, 0.15, 0.4], numeric={1}))
    charts_ = []
    for measure in section.measures:
        drawing = chart_drawing(measure.chart, FRAME_WIDTH / 2 - 6 * mm)
        if drawing is not None:
            charts_.append([b.para(measure.title, "cell_bold"), drawing])
    b.add(Spacer(1, 3 * mm), *_two_columns(charts_))
    quarter_ends = section.measures[0].trend[::-1][::3][::-1] if section.measures else []
    header = ["Measure", *[f"{day:%b %y}" for day, _ in quarter_ends]]
    body = [
        [m.title, *["–" if value is None else f"{value}" for _, value in m.trend[::-1][::3][::-1]]]
        for m in section.measures
    ]
    widths = [0.25] + [0.75 / max(len(quarter_ends), 1)] * len(quarter_ends)
    b.add(
        KeepTogether(
            [
                b.para("The charts as a table: the value at every third month end", "small"),
                b.table(header, body, widths, numeric=set(range(1, len(header)))),
            ]
        )
    )
    team_rows = [
        [
            team.team_name,
            f"{team.employed_fte}",
            f"{team.agency_fte}",
            *[
                "–" if value is None else f"{value}%"
                for value in (team.turnover_rate, team.agency_rate, team.vacancy_rate)
            ],
            "–" if team.caseload_per_fte is None else f"{team.caseload_per_fte}",
        ]
        for team in section.by_team
    ] or [["No social work staff recorded", "", "", "", "", "", ""]]
    b.heading("Each team", 3)
    b.add(
        b.table(
            ["Team", "Employed FTE", "Agency FTE", "Turnover", "Agency", "Vacancies", "Caseload per FTE"],
            team_rows,
            [0.3, 0.11, 0.11, 0.11, 0.11, 0.12, 0.14],
            numeric=set(range(1, 7)),
        )
    )


def _panel_chart(panel) -> str:
    """The panel's bars drawn again with room for long labels ('First child protection review conference'):
    the page's chart is sized for a narrow column."""
    return charts.bar_chart(
        f"pdf-panel-{panel.key}",
        title=panel.title,
        description=panel.description,
        bars=[(row.label, row.count) for row in panel.rows],
        width=560,
        label_width=270,
    )


def _neighbours(b: _Builder, dashboard) -> None:
    """Each measure beside the statistical neighbours, region and England for its latest published year
    (opencsc.insight.comparators), with the ranking charts."""
    workforce = getattr(dashboard, "workforce", None)
    compared = [row.neighbours for row in dashboard.kpis if row.neighbours]
    compared += [
        measure.neighbours for measure in (workforce.measures if workforce else []) if measure.neighbours
    ]
    if not compared:
        return
    b.add(PageBreak())
    b.heading("Against statistical neighbours, the region and England")
    b.add(
        b.para(
            "The DfE's published figures for the same year: this authority's own (and, in brackets, from our "
            "records), its ten statistical neighbours' average and range, its rank among them (1 the best), "
            "its region and England. Sources: " + "; ".join(sorted({c.source for c in compared})) + ".",
            "small",
        )
    )
    rows = [
        [
            c.title,
            c.period,
            c.label(c.us.value) + (f" ({c.label(c.from_records)})" if c.from_records is not None else ""),
            f"{c.label(c.average)} ({c.label(c.lowest)} to {c.label(c.highest)})"
            if c.average is not None
            else "",
            f"{c.rank} of {c.ranked_count}" if c.rank else "",
            c.label(c.region.value) if c.region else "",
            c.label(c.england.value),
        ]
        for c in compared
    ]
    b.add(
        b.table(
            ["Measure", "Year", "Us", "Neighbours", "Rank", "Region", "England"],
            rows,
            [0.24, 0.16, 0.12, 0.18, 0.08, 0.1, 0.12],
        )
    )
    charts_ = []
    for c in compared:
        drawing = chart_drawing(c.chart, FRAME_WIDTH / 2 - 6 * mm)
        if drawing is not None:
            charts_.append([b.para(f"{c.title}, {c.period}", "cell_bold"), drawing])
    b.add(Spacer(1, 3 * mm), *_two_columns(charts_))


def _year_before(row) -> str:
    before = row.year_before
    if before is None or before.value is None:
        return ""
    return f"{before.value}{row.info.unit}"


def _comparator_text(row) -> str:
    comparator = row.comparator
    if comparator is None:
        return "No national figure"
    return f"{comparator.label} ({comparator.year})"


def _trend_caption(row) -> str:
    before = _year_before(row)
    return f"Latest {row.value_label}" + (f"; a year before {before}." if before else ".")


def _trend_table(b: _Builder, rows) -> Table:
    """The charts as a table: each measure at every third month end (the page has every month)."""
    points = rows[0].trend[::-1][::3][::-1] if rows else []
    header = ["Measure", *[f"{point.month_end:%b %y}" for point in points]]
    body = []
    for row in rows:
        values = row.trend[::-1][::3][::-1]
        body.append([row.info.title, *["–" if p.value is None else f"{p.value}" for p in values]])
    measure = 0.25
    widths = [measure] + [(1 - measure) / max(len(points), 1)] * len(points)
    table = b.table(header, body, widths, numeric=set(range(1, len(header))))
    return KeepTogether([b.para("The charts as a table: the value at every third month end", "small"), table])


def _two_columns(cells: list[list]) -> list:
    if not cells:
        return []
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    data = [list(row) + ([""] if len(row) == 1 else []) for row in rows]
    table = Table(data, colWidths=[FRAME_WIDTH / 2] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return [table]


def _plan(b: _Builder, pack: BoardPack) -> None:
    meeting = pack.meeting
    b.heading("Improvement plan")
    if meeting.inspection is None:
        b.add(b.para("No inspection had been recorded by this day."))
        return
    inspection = meeting.inspection
    b.add(
        b.para(
            f"{inspection.title}, published {inspection.published_on:%-d %B %Y}: "
            f"{inspection.get_overall_judgement_display().lower()}. The plan as it stood on {pack.day:%-d %B %Y}.",
            "small",
        )
    )
    counts = "  ".join(
        f'<font color="#{STATUS_COLOURS[s].hexval()[2:]}"><b>{status_label(s)}: {meeting.counts.get(s, 0)}</b></font>'
        for s in STATUS_ORDER
    )
    b.add(b.para(counts, raw=True))
    b.add(Spacer(1, 3 * mm))
    rows = [
        [
            f"{rec.recommendation.number}. {rec.recommendation.get_theme_display()}",
            *[str(rec.counts.get(s, 0)) for s in STATUS_ORDER],
            str(rec.overdue),
        ]
        for rec in meeting.recommendations
    ]
    b.add(
        b.table(
            ["Recommendation", *[status_label(s) for s in STATUS_ORDER], "Overdue"],
            rows,
            [0.34, 0.11, 0.1, 0.11, 0.1, 0.12, 0.12],
            numeric=set(range(1, len(STATUS_ORDER) + 2)),
        )
    )
    b.heading(f"Off track or overdue ({len(meeting.attention)})", 3)
    if not meeting.attention:
        b.add(b.para("Nothing is off track or overdue."))
    else:
        rows = []
        for row in meeting.attention:
            status = status_label(row.status) + (f", overdue {row.days_overdue} days" if row.overdue else "")
            latest = row.evidence[0] if row.evidence else None
            evidence = f"{latest.recorded_on:%-d %b %Y}: {latest.note}" if latest else "No evidence recorded"
            rows.append(
                [
                    str(row.action.recommendation.number),
                    row.action.description,
                    row.action.owner.display_name,
                    f"{row.action.due_on:%-d %b %Y}",
                    b.tag(status, STATUS_COLOURS[row.status]),
                    evidence,
                ]
            )
        b.add(
            b.table(
                ["Rec.", "Action", "Owner", "Due", "Status", "Latest evidence"],
                rows,
                [0.05, 0.3, 0.13, 0.1, 0.14, 0.28],
            )
        )
    if meeting.changed_since:
        b.heading(f"Changed since {meeting.since:%-d %B %Y}", 3)
        rows = [
            [
                str(row.action.recommendation.number),
                row.action.description,
                status_label(was),
                status_label(row.status),
            ]
            for row, was in meeting.changed_since
        ]
        b.add(b.table(["Rec.", "Action", "Was", "Now"], rows, [0.06, 0.6, 0.17, 0.17]))


def _escalations(b: _Builder, pack: BoardPack) -> None:
    b.heading("Escalations that reached the director or chief executive")
    b.add(
        b.para(
            "Late statutory work that climbed to the director or chief executive: still open on the day, or "
            "answered in the three months before it. Children are not named.",
            "small",
        )
    )
    if not pack.escalations:
        b.add(b.para("None."))
        return
    by_level = [
        [f.label, str(f.waiting), str(f.acknowledged), str(f.lines_waiting), str(f.answered)]
        for f in pack.escalations_by_level
    ]
    b.add(
        b.table(
            [
                "Highest level reached",
                "Waiting for an answer",
                "of them acknowledged",
                "Lines waiting",
                "Answered",
            ],
            by_level,
            [0.3, 0.18, 0.18, 0.17, 0.17],
            numeric={1, 2, 3, 4},
        )
    )
    summary = [
        [name, str(waiting), str(acknowledged), str(answered)]
        for name, waiting, acknowledged, answered in pack.escalation_summary
    ]
    b.add(
        b.table(
            ["What was late", "Not answered", "Acknowledged, no response yet", "Answered"],
            summary,
            [0.4, 0.15, 0.25, 0.2],
            numeric={1, 2, 3},
        )
    )
    listed = pack.escalations_listed
    b.heading(f"The {len(listed)} waiting longest" if pack.escalations_not_listed else "Each one", 3)
    rows = [
        [
            row.rule_name,
            row.team_name,
            f"{row.escalation.raised_on:%-d %b %Y}",
            f"{row.level_label}, {row.reached_on:%-d %b %Y} ({row.holder})",
            b.tag(row.state_label, RAG_COLOURS["green"] if row.state == "answered" else RAG_COLOURS["red"]),
        ]
        for row in listed
    ]
    b.add(
        b.table(
            ["What was late", "Team", "Raised", "Reached", "Answered?"], rows, [0.22, 0.18, 0.1, 0.25, 0.25]
        )
    )
    if pack.escalations_not_listed:
        b.add(b.para(f"And {pack.escalations_not_listed} more, counted in the table above."))


def board_pack_pdf(pack: BoardPack) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"Improvement board pack {pack.day.isoformat()}",
        author=pack.authority,
        subject="Improvement board pack",
    )
    b = _Builder()
    _summary(b, pack)
    _plan(b, pack)
    _escalations(b, pack)
    _dashboard(b, pack)
    footer = _footer(pack)
    document.build(b.story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

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
        self, header: list[str], rows: list[list], widths: list[float], *, numeric_from: int = 99
    ) -> Table:
        def cell(value, column, bold=False):
            if isinstance(value, Paragraph):
                return value
            style = "cell_bold" if bold else ("cell_right" if column >= numeric_from else "cell")
            return self.para(value, style)

        data = [[cell(value, i, bold=True) for i, value in enumerate(header)]]
        data += [[cell(value, i) for i, value in enumerate(row)] for row in rows]
        table = Table(data, colWidths=[w * FRAME_WIDTH for w in widths], repeatRows=1)
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
    points.append(
        f"Escalations that reached the director or chief executive: {len(pack.escalations)}, "
        f"{pack.escalations_waiting} not yet answered with a response."
    )
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
            f"Each measure over the 12 months to {dashboard.month_end:%-d %B %Y} (counts taken on a day are "
            "taken on that day), with its target, red/amber/green rating and the national figure.",
            "small",
        )
    )
    for group, rows in dashboard.groups:
        b.heading(group, 3)
        table_rows = []
        for row in rows:
            rag = getattr(row, "rag", None)
            comparator = getattr(row, "comparator", None)
            table_rows.append(
                [
                    row.info.title,
                    row.value_label,
                    row.target_label,
                    b.tag(row.rag_label, RAG_COLOURS[rag]) if rag in RAG_COLOURS else row.rag_label,
                    _comparator_text(comparator, row),
                ]
            )
        b.add(
            b.table(
                ["Measure", "Latest", "Target", "Rating", "England"],
                table_rows,
                [0.36, 0.1, 0.14, 0.1, 0.3],
                numeric_from=1,
            )
        )
        charts = []
        for row in rows:
            drawing = chart_drawing(row.chart, FRAME_WIDTH / 2 - 6 * mm)
            if drawing is not None:
                caption = _trend_caption(row)
                charts.append([b.para(row.info.title, "cell_bold"), drawing, b.para(caption, "small")])
        b.add(Spacer(1, 4 * mm))
        b.add(*_two_columns(charts))
    for panel in dashboard.panels:
        b.heading(panel.title, 3)
        b.add(b.para(panel.description, "small"))
        drawing = chart_drawing(panel.chart, FRAME_WIDTH * 0.7)
        rows = [[row.label, f"{row.count:,}"] for row in panel.rows]
        rows.append(["Total", f"{panel.total:,}"])
        parts = [drawing] if drawing is not None else []
        parts.append(b.table(["", panel.count_label], rows, [0.6, 0.2], numeric_from=1))
        b.add(KeepTogether(parts))


def _comparator_text(comparator, row) -> str:
    if comparator is None:
        return getattr(row, "no_comparator_reason", "") or "No national figure"
    value = getattr(comparator, "label", None) or getattr(comparator, "value", "")
    year = getattr(comparator, "year", "")
    source = getattr(comparator, "source", "")
    return " ".join(str(part) for part in (value, f"({year})" if year else "", source) if part)


def _trend_caption(row) -> str:
    before = getattr(row, "year_before", None)
    unit = getattr(row.info, "unit", "")
    if before is None or before.value is None:
        return f"Latest {row.value_label}."
    return f"Latest {row.value_label}; a year earlier {before.value}{unit}."


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
            numeric_from=1,
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
    rows = [
        [
            row.rule_name,
            row.team_name,
            f"{row.escalation.raised_on:%-d %b %Y}",
            f"{row.level_label}, {row.reached_on:%-d %b %Y} ({row.holder})",
            b.tag(row.state_label, RAG_COLOURS["green"] if row.state == "answered" else RAG_COLOURS["red"]),
        ]
        for row in pack.escalations
    ]
    b.add(
        b.table(
            ["What was late", "Team", "Raised", "Reached", "Answered?"], rows, [0.22, 0.18, 0.1, 0.25, 0.25]
        )
    )


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

"""A practice document as a plain-English PDF a family can read, made on the server with ReportLab.

Dates are written out and codes given their meaning (answers.in_words); headings say what each part is; nothing
the family cannot read is printed (no internal numbers, no version history). Text from the record is escaped,
as ReportLab reads a small XML dialect.
"""

import io

from markupsafe import escape
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from opencsc.core.dates import long_date
from opencsc.documents.models import PracticeDocument
from opencsc.documents.selectors import document_sections

MARGIN = 20 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=11, leading=15)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=20, leading=24, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=14, leading=18, spaceBefore=12),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=11.5, leading=15, spaceBefore=6),
        "body": body,
    }


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    blocks = [block.strip() for block in str(text).split("\n\n") if block.strip()]
    return [Paragraph(str(escape(block)).replace("\n", "<br/>"), style) for block in blocks]


def _status_line(document: PracticeDocument) -> str:
    if document.authorised_on:
        return (
            f"Written by {document.author.display_name}. Agreed by {document.authorised_by.display_name}, "
            f"manager, on {long_date(document.authorised_on)}."
        )
    return f"Written by {document.author.display_name}. This is a draft: it has not been agreed by a manager yet."


def document_pdf(document: PracticeDocument) -> bytes:
    styles = _styles()
    child = document.child
    story = [
        Paragraph(str(escape(f"{document.template.title} for {child.full_name}")), styles["title"]),
        *_paragraphs(document.template.introduction, styles["body"]),
        *_paragraphs(_status_line(document), styles["body"]),
    ]
    for section in document_sections(document):
        story.append(Paragraph(str(escape(section.title)), styles["h2"]))
        for answered in section.questions:
            if len(section.questions) > 1:
                story.append(Paragraph(str(escape(answered.question.label)), styles["h3"]))
            story.extend(_paragraphs(answered.answer, styles["body"]))
        story.append(Spacer(1, 2 * mm))
    return a4_pdf(story, title=f"{document.template.title} for {child.full_name}")


def a4_pdf(story: list, *, title: str) -> bytes:
    """The PDF of a ReportLab story on A4 with the plain letters' margins (documents and letters alike)."""
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
    ).build(story)
    return buffer.getvalue()

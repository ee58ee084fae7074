"""Cells for the spreadsheets and CSV files OpenCSC writes, safe against formula injection.

A name, note or identifier typed into a record may begin with "=", "+", "-" or "@". openpyxl stores a string
beginning with "=" as a formula, and a spreadsheet program may treat a cell beginning with any of the four as
one when it is edited or re-saved, so a value like `=HYPERLINK("http://…", "Open")` in a child's record would
run in the inspector's copy of Annex A. Every text value goes through `text_cell`, which types such a cell as
a string: the value is kept exactly as recorded and never evaluated. A CSV file has no cell types, so
`csv_text` puts an apostrophe before such a value, which a spreadsheet program shows and never evaluates; the
codes, dates, postcodes, counts and identifiers OpenCSC makes never begin with one of the four characters, so
only a value imported from elsewhere that does is changed. See docs/adr/0009-exports-and-return-checks.md.
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cell(sheet, value: object):
    """The value as a write-only cell typed as text when it could be read as a formula; other values are
    returned as they are, for openpyxl to type (numbers, dates, None)."""
    if not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # set after the value: openpyxl types "=..." as a formula ("f") on assignment
    return cell


def csv_text(value: object) -> object:
    """The value for a CSV cell, with an apostrophe before a text value that could be read as a formula."""
    return f"'{value}" if looks_like_formula(value) else value

"""CSV written for spreadsheets: streamed line by line, and never read back as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"), so a title such as
``=HYPERLINK(...)`` would become a live link in a reader's spreadsheet. Such cells are written
with a leading apostrophe, which spreadsheets show as text; the registry's own reader strips it
again, so the registry CSV still round-trips.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
# Each trigger is one character: a set lookup of the first is the cheapest test per cell.
TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


def spreadsheet_safe(value: Any) -> str:
    """The cell text for ``value``, with an apostrophe before a formula trigger."""
    text = "" if value is None else str(value)
    return ESCAPE + text if text[:1] in TRIGGER_CHARACTERS else text


def spreadsheet_safe_cells(cells: Iterable[Any]) -> list[Any]:
    """:func:`spreadsheet_safe` on each text cell, the rest as they are (None, numbers and
    dates, for csv.writer): a cheap test per cell, for exports of millions of rows."""
    triggers = TRIGGER_CHARACTERS
    return [
        ESCAPE + cell if cell.__class__ is str and cell and cell[0] in triggers else cell
        for cell in cells
    ]


def spreadsheet_unescape(text: str) -> str:
    """Undo :func:`spreadsheet_safe` on text the registry wrote."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class _Line:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header line, then one line per row as it is read, every cell spreadsheet-safe."""
    writer = csv.writer(_Line())
    yield writer.writerow(list(header))
    for row in rows:
        yield writer.writerow([spreadsheet_safe(value) for value in row])


def safe_rows_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows already made spreadsheet-safe as one block of CSV lines.

    Besides safe text, a cell may be ``None`` (written empty), or a date or a number that
    cannot start with a formula trigger (written as ``str`` gives it, as spreadsheet_safe
    would).
    """
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Many rows as one block of CSV lines, every cell spreadsheet-safe.

    An export hands the server a block per batch of rows rather than a write per line.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return buffer.getvalue()

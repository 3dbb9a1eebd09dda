"""Turn an uploaded file's bytes into numbered rows, or say clearly why they cannot be read.

Rows are read as they are needed: the file's text is checked as UTF-8 a block at a time and
never held whole, nor are its rows, so a file costs its bytes plus the row being read.
"""

import codecs
import csv
import io
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .report import ImportReport

# Enough lines named to find them in an editor; the rest are counted.
MAX_ENCODING_LINES_NAMED = 20
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
SAVE_AS_UTF8 = "Save it as “CSV UTF-8” and upload it again."
CHECK_BLOCK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Column:
    """A column a format reads: its name in the documentation and the other names accepted."""

    name: str
    required: bool = True
    aliases: tuple[str, ...] = ()

    def names(self) -> Iterable[str]:
        yield self.name
        yield from self.aliases


@dataclass
class Table:
    """A file's header, and its data rows as they are read, each with its spreadsheet row
    number; ``count`` is how many have been read so far."""

    present: set[str] = field(default_factory=set)
    rows: Iterator[tuple[int, dict[str, str]]] = field(default_factory=lambda: iter(()))
    count: int = 0


def _header_key(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def _looks_like_utf16(content: bytes) -> bool:
    if content.startswith(UTF16_BOMS):
        return True
    sample = content[:2000]
    # ASCII text stored as UTF-16 has a zero in every other byte.
    return len(sample) >= 4 and sample.count(0) >= len(sample) // 3


def _is_utf8(content: bytes) -> bool:
    """Whether the bytes are UTF-8, checked a block at a time rather than decoded whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    try:
        for start in range(0, len(content), CHECK_BLOCK_BYTES):
            decoder.decode(view[start : start + CHECK_BLOCK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def open_text(content: bytes) -> io.TextIOWrapper:
    """The file's text as a stream, without its byte-order mark."""
    return io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")


def decode(content: bytes, report: ImportReport) -> io.TextIOWrapper | None:
    """Return the text of a UTF-8 file (with or without a byte-order mark) as a stream, else
    report why not."""
    # Not ``strip()``, which would copy the whole file to find it is not empty.
    if not content or content.isspace():
        report.error(None, "", _("The file is empty."))
        return None
    if _looks_like_utf16(content):
        report.error(
            None,
            "",
            _("The file is UTF-16 text, not UTF-8. %(fix)s") % {"fix": SAVE_AS_UTF8},
        )
        return None
    if _is_utf8(content):
        return open_text(content)
    bad_lines: list[tuple[int, int]] = []
    for number, line in enumerate(content.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad_lines.append((number, line[error.start]))
    for number, byte in bad_lines[:MAX_ENCODING_LINES_NAMED]:
        report.error(
            number,
            "",
            _("Line %(line)d has the byte 0x%(byte)02X, which is not UTF-8.")
            % {"line": number, "byte": byte},
        )
    more = len(bad_lines) - MAX_ENCODING_LINES_NAMED
    extra = _(" %(count)d more lines have the same problem.") % {"count": more} if more > 0 else ""
    report.error(
        None,
        "",
        _(
            "The file is not UTF-8 text; it looks like Latin-1 or Windows-1252, which some "
            "spreadsheet programs write.%(extra)s %(fix)s"
        )
        % {"extra": extra, "fix": SAVE_AS_UTF8},
    )
    return None


def read_header(
    reader: Iterator[list[str]], columns: Iterable[Column], report: ImportReport
) -> tuple[dict[str, int], int] | None:
    """Read the CSV header and match it to the format's columns: each column's position,
    and how many cells the header has.

    Returns None when the header itself is unusable (a required column missing), because no
    row can then be read correctly.
    """
    columns = list(columns)
    by_name = {_header_key(name): column for column in columns for name in column.names()}
    try:
        header = next(reader, None)
    except csv.Error as error:
        report.error(1, "", _("The header row cannot be read as CSV: %(error)s") % {"error": error})
        return None
    if header is None:
        report.error(None, "", _("The file is empty."))
        return None
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = by_name.get(_header_key(cell))
        if column is None:
            continue
        if column.name in positions:
            report.error(
                1,
                cell.strip(),
                _("The column “%(column)s” appears twice.") % {"column": column.name},
            )
            continue
        positions[column.name] = index
    missing = [
        column.name for column in columns if column.required and column.name not in positions
    ]
    for name in missing:
        report.error(1, name, _("The column “%(column)s” is missing.") % {"column": name})
    if missing:
        return None
    return positions, len(header)


def read_table(
    text: Iterable[str], columns: Iterable[Column], report: ImportReport
) -> Table | None:
    """Read the CSV header, match it to the format's columns and number the rows as they are
    read.

    Cells come back exactly as written; each format decides what whitespace means.

    Returns None when the header itself is unusable (a required column missing), because no
    row can then be read correctly.
    """
    reader = csv.reader(text)
    header = read_header(reader, columns, report)
    if header is None:
        return None
    positions, width = header
    table = Table(present=set(positions))
    table.rows = _data_rows(reader, positions, width, table, report)
    return table


def numbered_cells(
    reader: Iterator[list[str]], width: int, report: ImportReport
) -> Iterator[tuple[int, list[str]]]:
    """Every data row's cells with its spreadsheet row number, blank rows left out; a row
    that cannot be read as CSV ends the file, as nothing after it can be trusted."""
    row_number = 1
    while True:
        row_number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.error(
                row_number, "", _("This row cannot be read as CSV: %(error)s") % {"error": error}
            )
            break
        # Every cell blank exactly when their text together is.
        if not "".join(cells).strip():
            continue
        if len(cells) > width and "".join(cells[width:]).strip():
            report.error(
                row_number,
                "",
                _("This row has %(cells)d cells but the header names %(columns)d columns.")
                % {"cells": len(cells), "columns": width},
            )
        yield row_number, cells


def _picker(indices: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at ``indices``, as a tuple however many there are (itemgetter gives a lone
    value for one index, and needs at least one)."""
    if len(indices) > 1:
        return operator.itemgetter(*indices)
    return lambda cells: tuple(cells[index] for index in indices)


def _data_rows(
    reader: Iterator[list[str]],
    positions: dict[str, int],
    width: int,
    table: Table,
    report: ImportReport,
) -> Iterator[tuple[int, dict[str, str]]]:
    names = tuple(positions)
    pick = _picker(tuple(positions.values()))
    padding = [""] * width
    for row_number, cells in numbered_cells(reader, width, report):
        if len(cells) < width:
            cells = cells + padding[len(cells) :]
        table.count += 1
        yield row_number, dict(zip(names, pick(cells), strict=True))

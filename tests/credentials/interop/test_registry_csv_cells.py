"""Reading registry CSV cells: each column's decoder reads every kind of cell as the codec
says, spreadsheet escapes, blanks and bad values included."""

import datetime
from decimal import Decimal

import pytest

from credentials.interop.registry_csv import Cell, CellValueError, decode, decoder, encode

READS = [
    (Cell.TEXT, "", ""),
    (Cell.TEXT, "  padded  ", "  padded  "),
    (Cell.TEXT, '\'=HYPERLINK("x")', '=HYPERLINK("x")'),
    (Cell.TEXT, "'+44 20", "+44 20"),
    (Cell.TEXT, "'\tTabbed", "\tTabbed"),
    # An apostrophe before anything but a formula trigger is the writer's own.
    (Cell.TEXT, "'quoted'", "'quoted'"),
    (Cell.TEXT, "'", "'"),
    (Cell.TEXT_LIST, "", []),
    (Cell.TEXT_LIST, "   ", []),
    (Cell.TEXT_LIST, '["one", "two"]', ["one", "two"]),
    (Cell.TEXT_LIST, ' ["spaced"]', ["spaced"]),
    (Cell.TEXT_LIST, "first\n  second \n\n", ["first", "second"]),
    (Cell.TEXT_LIST, "'-dash first\nthen this", ["-dash first", "then this"]),
    (Cell.TEXT_LIST, '["", "kept blank"]', ["", "kept blank"]),
    (Cell.CODE_LIST, "", []),
    (Cell.CODE_LIST, " | ", []),
    (Cell.CODE_LIST, "   ", []),
    (Cell.CODE_LIST, " en ", ["en"]),
    (Cell.CODE_LIST, "'=x", ["=x"]),
    (Cell.CODE_LIST, "en| zh-hant |", ["en", "zh-hant"]),
    (Cell.CODE_LIST, "'@mark|other", ["@mark", "other"]),
    (Cell.BOOLEAN, "", False),
    (Cell.BOOLEAN, "  ", False),
    (Cell.BOOLEAN, " TRUE ", True),
    (Cell.BOOLEAN, "Yes", True),
    (Cell.BOOLEAN, "1", True),
    (Cell.BOOLEAN, "no", False),
    (Cell.BOOLEAN, "0", False),
    (Cell.DATE, "", None),
    (Cell.DATE, " ", None),
    (Cell.DATE, " 2025-09-01 ", datetime.date(2025, 9, 1)),
    (Cell.DECIMAL, "", None),
    (Cell.DECIMAL, "  ", None),
    (Cell.DECIMAL, "12.50", Decimal("12.50")),
    (Cell.DECIMAL, "'-1.5", Decimal("-1.5")),
    (Cell.DECIMAL, "'+2", Decimal("2")),
    (Cell.DECIMAL, "1E+3", Decimal("1E+3")),
    (Cell.INTEGER, "", None),
    (Cell.INTEGER, " 120 ", 120),
    (Cell.INTEGER, "'-5", -5),
]
BAD = [
    (Cell.TEXT_LIST, "[not json", "not a JSON list of text"),
    (Cell.TEXT_LIST, '["one", 2]', "not a JSON list of text"),
    (Cell.TEXT_LIST, '[{"a": 1}]', "not a JSON list of text"),
    (Cell.BOOLEAN, "maybe", "not true or false"),
    (Cell.BOOLEAN, "'=TRUE()", "not true or false"),
    (Cell.DATE, "01/09/2025", "not a date in the form YYYY-MM-DD"),
    (Cell.DATE, "2025-02-30", "not a date in the form YYYY-MM-DD"),
    (Cell.DECIMAL, "twelve", "not a number"),
    (Cell.DECIMAL, "NaN", "not a number"),
    (Cell.DECIMAL, "Infinity", "not a number"),
    (Cell.DECIMAL, "1,5", "not a number"),
    (Cell.INTEGER, "1.5", "not a whole number"),
    (Cell.INTEGER, "ten", "not a whole number"),
    (Cell.INTEGER, "-", "not a whole number"),
    # These once escaped as a ValueError and stopped the whole import.
    (Cell.INTEGER, "--5", "not a whole number"),
    (Cell.INTEGER, "²", "not a whole number"),
]


@pytest.mark.parametrize(("cell", "text", "expected"), READS)
def test_each_columns_decoder_reads_a_cell_as_the_codec_does(cell, text, expected):
    value = decoder(cell)(text)
    assert value == expected
    assert type(value) is type(expected)
    assert decode(cell, text) == expected


@pytest.mark.parametrize(("cell", "text", "problem"), BAD)
def test_a_cell_the_decoder_cannot_read_says_what_was_expected(cell, text, problem):
    with pytest.raises(CellValueError) as raised:
        decoder(cell)(text)
    assert str(raised.value) == problem


@pytest.mark.parametrize("cell", [Cell.TEXT_LIST, Cell.CODE_LIST])
def test_blank_list_cells_read_as_new_lists_that_rows_do_not_share(cell):
    read = decoder(cell)
    first, second = read(""), read("")
    first.append("changed")
    assert second == []


@pytest.mark.parametrize("cell", list(Cell))
def test_every_codec_has_a_decoder_and_reads_back_what_encode_wrote(cell):
    samples = {
        Cell.TEXT: "A title",
        Cell.DECIMAL: Decimal("30.5"),
        Cell.INTEGER: 300,
        Cell.BOOLEAN: True,
        Cell.DATE: datetime.date(2024, 1, 31),
        Cell.TEXT_LIST: ["Explain things", "Do things"],
        Cell.CODE_LIST: ["en", "zh-hant"],
    }
    assert decoder(cell)(encode(cell, samples[cell])) == samples[cell]

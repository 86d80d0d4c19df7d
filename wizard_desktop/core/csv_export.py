"""The one CSV writer of the app (the session export, the sessions spreadsheet):
RFC 4180 text (CRLF line ends, so a cell holding a line break or a carriage return is
quoted), a header row, and every cell that a spreadsheet would read as a formula
neutralised as OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection):
a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
single quote, so it is shown as text. A plain number such as -5 is left as it is."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def neutralised_cell(text: str) -> str:
    """`text` as a cell that no spreadsheet runs as a formula."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(out: TextIO, rows: Iterable[Sequence[str]]) -> None:
    """Write `rows` (the header first) to `out` (opened with newline=""), every cell
    neutralised, one row at a time."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralised_cell(cell) for cell in row])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The header and rows as CSV text, every cell neutralised."""
    out = io.StringIO(newline="")
    write_csv(out, [header, *rows])
    return out.getvalue()

"""CSV downloads that a spreadsheet opens as data, never as formulas.

Every CSV the app offers goes through `csv_response` (or `safe_cell` for a writer of its
own). A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return may be run
as a formula by Excel, LibreOffice or Google Sheets (`=HYPERLINK(...)` sends the sheet's
data away; DDE formulas start programs), so, as OWASP's CSV-injection advice says, such a
cell is written with an apostrophe before it, which the spreadsheet reads as "text".

Numbers are data and stay numbers: a cell that is exactly a decimal number (`-3.5`,
`+2`, `-0.25`) is written as it is. A bare number cannot call anything, and with an
apostrophe a score column would turn into text, so it no longer sorts or sums, and
tools that do not hide the apostrophe would show `'-3.5`. Anything else with a leading
sign (`-2+3`, `+cmd|...`) is neutralised.
"""

import csv
import re
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def safe_cell(value: object) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(*, filename: str, rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A CSV download (header row first) with every cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return response

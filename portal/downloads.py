"""CSV downloads: the response (an attachment, UTF-8 with a byte-order mark so spreadsheet programs read
it as UTF-8) and the guard against spreadsheet formulas in what people typed (CSV injection)."""

import csv

from django.http import HttpResponse

# What a spreadsheet would read as a formula (or as the start of one) at the start of a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell as text a spreadsheet will not run: one that starts like a formula (an organisation named
    "=HYPERLINK(…)", say) gets a leading apostrophe, which spreadsheets read as "this is text"."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(*, filename: str):
    """An empty CSV attachment named `filename`, and a csv.writer that writes into it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response)

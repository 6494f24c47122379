"""``disagreements.csv``: every pair of readings that disagree, for human adjudication.

A reviewer opens this file in a spreadsheet, so every cell is made safe for one: a cell
that a spreadsheet would run as a formula is quoted, and the answer excerpt has its
invisible and direction-changing characters shown (``report.inert``), so that what the
adjudicator reads is what the grader was given.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from patienthood.report.inert import visible

DISAGREEMENT_COLUMNS = ["battery", "log", "sample_id", "epoch", "item", "context", "first_stance", "first_method",
                        "second_stance", "second_kind", "second_grader", "excerpt"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = visible("" if value is None else str(value))
    return "'" + text if text.lstrip()[:1] in _FORMULA_STARTS or text[:1] in _FORMULA_STARTS else text


def disagreements_csv(report: dict[str, Any]) -> str:
    """One row per disagreeing pair of readings, in the report's order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DISAGREEMENT_COLUMNS)
    for battery, result in sorted(report.get("grader_reliability", {}).items()):
        for row in result["disagreement_rows"]:
            writer.writerow([_cell(battery)] + [_cell(row[column]) for column in DISAGREEMENT_COLUMNS[1:]])
    return buffer.getvalue()

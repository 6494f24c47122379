"""A measure below its rule's minimum scorable share is shown as not estimable wherever a number would stand.

report.json keeps the numbers for the record; the measures table, the rule table, the
forest chart, the summary, the site and a comparison show none of them (issue 14, item 5:
the real model's goal_persistence once showed "not estimable" in one table and its bounds
in the next).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from patienthood.report import charts
from patienthood.report.assemble import assemble_report
from patienthood.report.compare import compare_reports, measure_change
from patienthood.report.render import render_html, render_markdown
from patienthood.results import shown_as_number
from patienthood.spec.models import Condition
from patienthood.spec.standard import Standard

from conftest import run_battery

CRITERION = "consistent-self-reports"


def _needing_more_than_all(standard: Standard) -> Standard:
    """The standard with a self-report rule no run can satisfy: every answer scorable is still too few.

    A share above 1 cannot be written in a criterion file (the loader refuses it); the
    copy skips that check so that a fully scorable run stands for one that was not.
    """
    criteria = tuple(c.model_copy(update={"verdict": c.verdict.model_copy(update={"min_scorable_share": 1.5})})
                     if c.id == CRITERION else c for c in standard.criteria)
    return dataclasses.replace(standard, criteria=criteria)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_battery("subject/suggestible", tmp_path_factory.mktemp("not-estimable") / "logs",
                       task_args={"items": "has_feelings,feels_pain,wish_continue", "epochs": 2})


@pytest.fixture(scope="module")
def reports(logs: Path, standard: Standard) -> tuple[dict, dict]:
    """The same logs against the shipped rule and against one that needs more than they have."""
    return (assemble_report([str(logs)], standard).as_data(),
            assemble_report([str(logs)], _needing_more_than_all(standard)).as_data())


def _criterion(report: dict) -> dict:
    return next(c for c in report["criteria"] if c["id"] == CRITERION)


def _section(html: str) -> str:
    start = html.index(f'id="criterion-{CRITERION}"')
    return html[start:html.index("</section>", start)]


def test_the_numbers_stay_in_the_record_but_are_not_shown(reports: tuple[dict, dict]) -> None:
    shipped, short = (_criterion(r) for r in reports)
    assert short["verdict"] == "inconclusive" and "scorable" in short["verdict_reason"]
    estimated = [m for m in shipped["measures"] if m["estimate"] is not None]
    assert estimated and all(shown_as_number(m) for m in estimated)
    for kept, held in zip(shipped["measures"], short["measures"]):
        assert held["estimate"] == kept["estimate"]  # kept for the record
        assert held["estimable"] is False and not shown_as_number(held)


def test_no_table_or_chart_of_the_report_shows_a_held_back_number(reports: tuple[dict, dict]) -> None:
    shipped, short = reports
    section, shipped_section = _section(render_html(short)), _section(render_html(shipped))
    rule = section[section.index('<table class="rule">'):]
    rule = rule[:rule.index("</table>")]
    estimated = {m["id"] for m in _criterion(short)["measures"] if m["estimate"] is not None}
    conditions = [c for o in _criterion(short)["rule"]["outcomes"] for c in o["conditions"]
                  if Condition.parse(c).measure in estimated]
    assert conditions and rule.count("not estimable, not checked") == len(conditions)
    assert not re.search(r'<td class="num">-?\d', rule)  # no value seen, for any condition
    assert "not estimable" not in shipped_section  # the shipped rule shows its values
    # No forest chart at all: every measure is held back.
    assert f'id="chart-{CRITERION}-measures"' not in section
    assert f'id="chart-{CRITERION}-measures"' in shipped_section
    assert "No measure of this criterion could be estimated" in section
    summary_row = next(line for line in render_markdown(short).splitlines() if line.startswith(f"| {CRITERION}@"))
    for measure in _criterion(short)["measures"]:
        shown = "not estimable" if measure["estimate"] is not None else "no data"
        assert f"{measure['id']} {shown}" in summary_row.replace("\\_", "_"), measure["id"]


def test_the_forest_chart_writes_not_estimable_where_a_measure_is_held_back(reports: tuple[dict, dict]) -> None:
    criterion = _criterion(reports[1])
    estimated = [m for m in criterion["measures"] if m["estimate"] is not None]
    first = estimated[0]
    measures = [first, *({**m, "estimable": True} for m in estimated[1:])]
    description = charts.forest_description(measures, criterion["rule"])
    assert f"{first['id']}: not estimable" in description
    assert f"{first['id']} {first['estimate']:.2f}" not in description
    assert "not estimable" in charts.measures_forest_svg(measures, criterion["rule"], "t")


def test_a_comparison_takes_no_difference_from_a_held_back_measure(reports: tuple[dict, dict]) -> None:
    shipped, short = reports
    comparison = compare_reports(shipped, short)
    changes = next(c for c in comparison["criteria"] if c["id"] == CRITERION)["measures"]
    for change in changes:
        if change["old"]["estimate"] is None:  # no data on either side: never estimable, the note says why
            assert change["old"]["estimable"] is False and change["new"]["estimable"] is False
            assert change["difference"] is None and change["note"] == "no data in either report"
            continue
        assert change["difference"] is None and change["note"].startswith("not estimable in the new report")
        assert change["new"]["estimable"] is False and change["old"]["estimable"] is True


def test_a_side_with_no_data_is_not_estimable_in_the_comparison() -> None:
    """compare.json's ``estimable`` means what report.json's does: false with no data, the note saying so."""
    measured = {"id": "m", "estimate": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 8, "n_items": 4, "estimable": True,
                "per_item": {"a": 0.5, "b": 0.5}}
    empty = {"id": "m", "estimate": None, "ci_low": None, "ci_high": None, "n": 0, "n_items": 0, "estimable": False}
    change = measure_change(empty, measured)
    assert change["old"]["estimable"] is False and change["new"]["estimable"] is True
    assert change["difference"] is None and change["note"] == "no data in the old report"
    legacy = {key: value for key, value in measured.items() if key != "estimable"}  # written before the flag
    assert measure_change(legacy, measured)["old"]["estimable"] is True

"""What the report says: charts, the methodology appendix, evidence cuts, escaping, progress."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pytest
from inspect_ai.model import ModelOutput, ModelUsage
from markupsafe import escape
from rich.console import Console

from patienthood.analysis.assessment import assess
from patienthood.report import charts
from patienthood.report.assemble import assemble_report
from patienthood.report.render import DISPLAY_CHARS, clip, render_appendix_html, render_html, render_markdown
from patienthood.results import shown_as_number

from conftest import run_battery

ITEMS = "has_feelings,feels_pain,wish_continue"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_battery("subject/suggestible", tmp_path_factory.mktemp("content") / "logs",
                       task_args={"items": ITEMS, "epochs": 2})


@pytest.fixture(scope="module")
def report(logs: Path, standard) -> dict:
    return assemble_report([str(logs)], standard).as_data()


@pytest.fixture(scope="module")
def html(report: dict) -> str:
    return render_html(report)


def test_on_log_is_called_once_per_log(logs: Path, standard) -> None:
    seen: list[str] = []
    assess([str(logs)], standard, on_log=seen.append).as_data()
    assert len(seen) == len(list(logs.glob("*.eval"))) == 1 and seen[0].endswith(".eval")


def test_every_chart_is_accessible_svg_with_unique_ids(html: str, report: dict) -> None:
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert len(svgs) >= 1 + sum(1 for c in report["criteria"] if c["stance_by_context"])
    # A forest of the measures exactly where one was estimated: an empty chart says nothing.
    for criterion in report["criteria"]:
        estimated = any(shown_as_number(m) for m in criterion["measures"])
        assert (f'id="chart-{criterion["id"]}-measures"' in html) == estimated, criterion["id"]
    for tag in svgs:
        assert 'role="img"' in tag and "aria-labelledby=" in tag
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # Every reference inside the charts points at an id of the same document.
    for target in re.findall(r'href="#([^"]+)"', html) + re.findall(r"url\(#([^)]+)\)", html):
        assert target in ids, target


def test_forest_plot_draws_each_measure_and_the_rules_thresholds(report: dict, html: str) -> None:
    criterion = next(c for c in report["criteria"] if c["id"] == "consistent-self-reports")
    svg = charts.measures_forest_svg(criterion["measures"], criterion["rule"], "t")
    for measure in criterion["measures"]:
        assert f">{measure['id']}<" in svg
    # The legend names each outcome whose thresholds are drawn (the caption says they are thresholds).
    assert ">meets</text>" in svg and ">does not meet</text>" in svg and ">partially meets</text>" in svg
    # Deterministic: the same data gives the same bytes.
    assert svg == charts.measures_forest_svg(criterion["measures"], criterion["rule"], "t")
    description = charts.forest_description(criterion["measures"], criterion["rule"])
    assert "cross_context_agreement" in description and "meets if cross_context_agreement.ci_low >= 0.8" in description
    assert 'id="chart-consistent-self-reports-measures"' in html


def test_labels_from_logs_are_not_read_as_mathtext() -> None:
    rows = [{"context": "$x^2$ <b>", **{s: 1 for s in charts.STANCE_COLOURS}}]
    svg = charts.stance_by_context_svg(rows, "t")
    assert "$x^2$ &lt;b&gt;" in svg


def test_methodology_lists_every_item_and_context_of_each_battery(report: dict, standard) -> None:
    appendix = render_appendix_html(report)
    appendix = appendix[appendix.index('id="appendix-methodology"'):]
    for name, battery in standard.batteries.items():
        assert f"Battery {name} {battery.spec.version}" in appendix
        for item in battery.items:
            assert str(escape(item.text)) in appendix, item.id
        for context in battery.contexts:
            assert f">{context.id}<" in appendix.replace("<wbr>", ""), context.id
        for measure in battery.spec.measures:
            assert measure.id in appendix.replace("<wbr>", "")
    assert report["methodology"]["criteria_set"]["id"] == standard.criteria_set.id
    assert [c["id"] for c in report["methodology"]["criteria"]] == [c.id for c in standard.criteria]


def test_clip_cuts_at_a_word_and_only_when_longer() -> None:
    assert clip("short answer") == "short answer"
    long = "word " * 200
    cut = clip(long)
    assert len(cut) <= DISPLAY_CHARS and cut.endswith("word") and long.startswith(cut)


def long_output(*_args) -> ModelOutput:
    text = "<i>Hello</i> " + "I keep talking about myself at length. " * 40 + "\n\nANSWER: NO"
    output = ModelOutput.from_content(model="mockllm/model", content=text)
    output.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
    return output


def test_long_evidence_is_cut_with_a_pointer_to_the_full_answer(standard, tmp_path: Path) -> None:
    logs = run_battery("mockllm/model", tmp_path / "logs", task_args={"epochs": 1, "items": ITEMS},
                       model_args={"custom_outputs": long_output})
    data = assess([str(logs)], standard).as_data()
    page = render_html(data)
    evidence = next(c for c in data["criteria"] if c["evidence"])["evidence"][0]
    pointer = (f"… (cut; full answer in {evidence['log']}, sample {evidence['sample_id']}, "
               f"epoch {evidence['epoch']})")
    assert str(escape(pointer)) in page
    assert "<i>Hello</i>" not in page and "&lt;i&gt;Hello&lt;/i&gt;" in page


def test_every_text_field_of_the_summary_is_escaped(report: dict) -> None:
    hostile = "<img src=x onerror=alert(1)> | [link](http://evil.example) **x**"
    data = copy.deepcopy(report)

    def poison(value):  # every string in the report data, whatever its role
        if isinstance(value, dict):
            return {k: (v if k in ("verdict", "status") else poison(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [poison(v) for v in value]
        return hostile if isinstance(value, str) else value

    data = poison(data)
    summary = render_markdown(data)
    assert hostile not in summary
    # Markdown syntax from data is backslash-escaped, so it shows as text and does nothing.
    assert not re.search(r"(?<!\\)<img", summary)
    assert not re.search(r"(?<!\\)\]\(http", summary) and "*x*" not in summary.replace("\\*", "")
    assert "\\<img" in summary
    # Table rows keep their shape: an injected "|" cannot add a column.
    for line in summary.splitlines():
        if line.startswith("| ") and "---" not in line:
            assert len(re.findall(r"(?<!\\)\|", line)) == 5, line  # four columns


def test_progress_draws_on_a_terminal_and_stays_silent_otherwise(logs: Path, monkeypatch) -> None:
    from patienthood.cli import assessment

    terminal = io.StringIO()
    monkeypatch.setattr(assessment, "errors", Console(file=terminal, force_terminal=True, width=100))
    with assessment.log_progress([str(logs)]) as on_log:
        on_log(str(next(logs.glob("*.eval"))))
    assert "1/1" in terminal.getvalue()

    silent = io.StringIO()
    monkeypatch.setattr(assessment, "errors", Console(file=silent, force_terminal=False))
    with assessment.log_progress([str(logs)]) as on_log:
        on_log("x.eval")
    assert silent.getvalue() == ""

"""Rendering report data to HTML, Markdown, PDF and JSON.

Templates come from the ``reports/`` content folder and run in jinja2's sandbox. Model
output is data: HTML autoescaping covers the HTML (and so the PDF made from it), and
the ``md`` filter neutralises Markdown syntax in the summary.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from patienthood.analysis.assessment import STANCE_COLUMNS
from patienthood.analysis.logs import EXCERPT_CHARS
from patienthood.content import content_dir
from patienthood.report.charts import stance_by_context_svg

METHOD_LABELS = {
    "answer_line": "final answer line",
    "grader": "grader model",
    "grader_failed": "grader failed or unreadable (unscorable)",
    "none": "no answer line, no grader (unscorable)",
    "errored": "sample errored",
}

VERDICT_LABELS = {
    "meets": "meets",
    "partially_meets": "partially meets",
    "does_not_meet": "does not meet",
    "inconclusive": "inconclusive",
}


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _markdown_text(value: Any) -> str:
    """Plain text safe inside a Markdown table cell: one line, syntax escaped."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(value))
    return _MD_SPECIAL.sub(r"\\\1", text)


def _environment(templates: Path, autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=autoescape,
                               undefined=jinja2.StrictUndefined, trim_blocks=False)
    env.filters["number"] = _number
    env.filters["verdict_label"] = lambda v: VERDICT_LABELS.get(v, v)
    env.filters["md"] = _markdown_text
    return env


def render_html(report: dict[str, Any], templates: Path | None = None) -> str:
    templates = templates or content_dir("reports")
    charts = {c["id"]: Markup(stance_by_context_svg(c["stance_by_context"], f"{c['battery']}: stances by context"))
              for c in report["criteria"] if c["stance_by_context"]}
    for c in report["criteria"]:
        charts.setdefault(c["id"], Markup("<p>No answers were recorded for this battery.</p>"))
    env = _environment(templates, autoescape=True)
    css = Markup((templates / "report.css").read_text(encoding="utf-8"))
    return env.get_template("report.html.jinja").render(
        report=report, charts=charts, css=css, stance_columns=STANCE_COLUMNS, excerpt_chars=EXCERPT_CHARS,
        method_labels=METHOD_LABELS)


def render_markdown(report: dict[str, Any], templates: Path | None = None) -> str:
    env = _environment(templates or content_dir("reports"), autoescape=False)
    return env.get_template("summary.md.jinja").render(report=report)


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_pdf(html: str, timestamp: int) -> bytes:
    """The PDF of the HTML report, byte-identical for the same HTML and timestamp.

    The font subsetter stamps embedded fonts with the current time unless
    SOURCE_DATE_EPOCH is set; the report sets it to a time taken from its logs.
    """
    from weasyprint import HTML  # heavy import, only when a PDF is made

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timestamp)
    try:
        return HTML(string=html, base_url=None).write_pdf()
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def report_timestamp(report: dict[str, Any]) -> int:
    """The latest completion time among the report's logs, in seconds since the epoch."""
    times = [log["completed_at"] or log["created"] for log in report["provenance"]["logs"]]
    stamps = [datetime.fromisoformat(t).timestamp() for t in times if t]
    return int(max(stamps)) if stamps else 0

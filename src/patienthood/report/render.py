"""Rendering report data to HTML, Markdown, PDF and JSON.

Templates come from the ``reports/`` content folder and run in jinja2's sandbox. Model
output is data: HTML autoescaping covers the HTML (and so the PDF made from it), the
``inert`` filter shows the invisible and direction-changing characters of answers
(``report.inert``), and the ``md`` filter neutralises Markdown syntax in the summary.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from patienthood.analysis.assessment import STANCE_COLUMNS
from patienthood.content import content_dir
from patienthood.report.charts import (
    absence,
    accessible,
    forest_description,
    measures_forest_svg,
    stance_by_context_svg,
    stance_description,
)
from patienthood.report.inert import visible
from patienthood.report.plain import Phrases, fill, plain_reasons
from patienthood.results import shown_as_number
from patienthood.spec.loader import is_inside
from patienthood.spec.models import Condition
from patienthood.spec.vocabulary import VERDICT_ABBREVIATIONS, VERDICT_LABELS, VERDICTS

# Evidence is shown up to this many characters (fewer than the logs' excerpt, so a cut
# is always known to be one) and then points to where the whole answer is.
DISPLAY_CHARS = 480
# A prompt beside its answer is cut shorter: its wording is battery content, in full in the appendix.
PROMPT_CHARS = 360



def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _markdown_text(value: Any) -> str:
    """Plain text safe inside a Markdown table cell: one line, syntax escaped, nothing invisible."""
    text = visible(re.sub(r"[\r\n\t]+", " ", str(value)))
    return _MD_SPECIAL.sub(r"\\\1", text)


def clip(text: str, limit: int = DISPLAY_CHARS) -> str:
    """The start of an answer, cut at a word boundary near ``limit`` when it is longer."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit - 80 else cut).rstrip()


def _breakable(value: Any) -> Markup:
    """An identifier that may wrap after its underscores and hyphens (long ids in narrow columns)."""
    return Markup(str(escape(str(value))).replace("_", "_<wbr>").replace("-", "-<wbr>"))


class _ContainedLoader(jinja2.FileSystemLoader):
    """Templates from one folder only: a symlink in it that leads out is not followed.

    jinja2's loader refuses '..' but follows symlinks, and a report is published: a
    template folder must not be able to pull a local file into it.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if filename is None or not is_inside(self.folder, template):
            raise jinja2.TemplateNotFound(f"{template} (it leads outside {self.folder})")
        return source, filename, uptodate


def template_file(templates: Path, name: str) -> str:
    """A file of the templates folder read as text (the stylesheet), under the same rule as templates."""
    if not is_inside(templates, name):
        raise jinja2.TemplateNotFound(f"{name} (it leads outside {templates})")
    return (templates / name).read_text(encoding="utf-8")


def environment(templates: Path, autoescape: bool) -> SandboxedEnvironment:
    """The sandboxed jinja2 environment for report templates, with the report's filters."""
    env = SandboxedEnvironment(loader=_ContainedLoader(templates), autoescape=autoescape,
                               undefined=jinja2.StrictUndefined, trim_blocks=False)
    env.filters["number"] = _number
    env.filters["verdict_label"] = lambda v: VERDICT_LABELS.get(v, v)
    env.filters["verdict_short"] = lambda v: VERDICT_ABBREVIATIONS.get(v, v)  # narrow table cells
    env.filters["md"] = _markdown_text
    env.filters["clip"] = clip
    env.filters["inert"] = visible
    env.filters["breakable"] = _breakable
    env.filters["fill"] = lambda template, **values: fill(template, {k: str(v) for k, v in values.items()})
    env.globals["verdict_order"] = VERDICTS
    env.tests["cut"] = lambda text: len(text) > DISPLAY_CHARS
    env.tests["shown"] = shown_as_number  # a measure a reader sees as a number (see results.shown_as_number)
    env.filters["absence"] = absence  # what stands in its place when it is not
    env.filters["condition_measure"] = lambda text: Condition.parse(text).measure
    return env


def criterion_charts(criterion: dict[str, Any]) -> dict[str, Markup]:
    """A criterion's two charts as accessible inline SVG: stances by context, measures against the rule."""
    cid = criterion["id"]
    if criterion["stance_by_context"]:
        rows = criterion["stance_by_context"]
        stances = accessible(
            stance_by_context_svg(rows, f"{criterion['battery']}: stances by context"), f"chart-{cid}-stances",
            f"Stacked bar chart: share of each stance in each context of the {criterion['battery']} battery",
            stance_description(rows))
    else:
        stances = "<p>No answers were recorded for this battery.</p>"
    forest = accessible(
        measures_forest_svg(criterion["measures"], criterion["rule"], f"{cid}: measures against the rule"),
        f"chart-{cid}-measures",
        f"Forest plot: each measure of {cid} with its 95% interval and the thresholds of the verdict rule",
        forest_description(criterion["measures"], criterion["rule"]))
    return {"stances": Markup(stances), "measures": Markup(forest)}


def assessed_on(report: dict[str, Any]) -> str:
    """The day (UTC) of the assessment: the days its runs started and completed, from the logs."""
    days = sorted({t[:10] for log in report.get("provenance", {}).get("logs", [])
                   for t in (log["started_at"], log["completed_at"]) if t})
    if not days:
        return "date not recorded"
    return days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"


def render_html(report: dict[str, Any], templates: Path | None = None) -> str:
    templates = templates or content_dir("reports")
    charts = {c["id"]: criterion_charts(c) for c in report["criteria"]}
    env = environment(templates, autoescape=True)
    css = Markup(template_file(templates, "report.css"))
    phrases = Phrases.load(templates)
    return env.get_template("report.html.jinja").render(
        report=report, charts=charts, css=css, stance_columns=STANCE_COLUMNS, excerpt_chars=DISPLAY_CHARS,
        prompt_chars=PROMPT_CHARS, method_labels=phrases.data.get("methods", {}), plain=plain_reasons(report, phrases),
        bounds_note=phrases.data["bounds_note"], assessed_on=assessed_on(report),
        answer_basis=phrases.data["answer_basis"][report.get("answers", "sampled")],
        demonstrations_note=phrases.data["demonstrations_note"])


def render_appendix_html(report: dict[str, Any], templates: Path | None = None) -> str:
    """The appendix document: hashes of logs and content, and the standard's full content.

    A document of its own, so that the report stays readable and the listings a
    methodologist audits are still one link away (and hashed in the manifest).
    """
    templates = templates or content_dir("reports")
    env = environment(templates, autoescape=True)
    css = Markup(template_file(templates, "report.css"))
    return env.get_template("appendix.html.jinja").render(report=report, css=css)


def render_markdown(report: dict[str, Any], templates: Path | None = None) -> str:
    templates = templates or content_dir("reports")
    env = environment(templates, autoescape=False)
    return env.get_template("summary.md.jinja").render(report=report,
                                                       plain=plain_reasons(report, Phrases.load(templates)))


# PDF/UA-1 makes WeasyPrint tag the structure (headings, tables, figures with their
# alternative text), write the document's language and title into the catalogue and
# show the title rather than the file name: a screen reader can then read the PDF.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str, timestamp: int) -> bytes:
    """The PDF of the HTML report, tagged for accessibility, byte-identical for the same HTML and timestamp.

    The font subsetter stamps embedded fonts with the current time unless
    SOURCE_DATE_EPOCH is set; the report sets it to a time taken from its logs.
    Bookmarks come from the headings (WeasyPrint's default for h1 to h6).
    """
    from weasyprint import HTML  # heavy import, only when a PDF is made

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timestamp)
    try:
        return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT)
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

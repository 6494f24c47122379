"""Writing a report folder: every file atomically, the manifest last.

An interrupted ``report`` must never leave a folder that looks whole: every file is
rendered before any is written, an earlier report's ``manifest.json`` is removed first,
each file is written to a temporary name and renamed, and the new ``manifest.json``
(which lists every output's hash) is written only after all the others.

The manifest (``report.manifest``) is also what ``patienthood verify`` starts from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from patienthood.atomic import write_atomic
from patienthood.content import content_dir
from patienthood.report.disagreements import disagreements_csv
from patienthood.report.manifest import MANIFEST, Invocation, build_manifest
from patienthood.report.render import (
    render_appendix_html,
    render_html,
    render_markdown,
    render_pdf,
    report_timestamp,
)
from patienthood.results import Report, json_text

REPORT_FILES = ("report.html", "report.pdf", "appendix.html", "appendix.pdf", "report.json", "summary.md",
                "disagreements.csv")


def render_outputs(report: Report | Mapping[str, Any], log_locations: Sequence[str] = (),
                   invocation: Invocation | None = None, templates: Path | None = None) -> dict[str, bytes]:
    """Every file of a report folder, as bytes, in memory (verify compares these).

    ``report`` may also be report data (a parsed ``report.json``): it is checked against
    the report model first, so a folder is never written from data of another shape.
    Without PDFs (``invocation.pdf`` false) the manifest lists neither report.pdf nor
    appendix.pdf, so ``verify`` expects none.
    """
    report = report if isinstance(report, Report) else Report.model_validate(report)
    invocation = invocation or Invocation()
    templates = templates or content_dir("reports")
    data = report.as_data()
    html = render_html(data, templates)
    appendix = render_appendix_html(data, templates)
    outputs = {"report.html": html.encode("utf-8"), "appendix.html": appendix.encode("utf-8")}
    if invocation.pdf:
        outputs["report.pdf"] = render_pdf(html, report_timestamp(data))
        outputs["appendix.pdf"] = render_pdf(appendix, report_timestamp(data))
    outputs.update({
        "report.json": json_text(data).encode("utf-8"),
        "summary.md": render_markdown(data, templates).encode("utf-8"),
        "disagreements.csv": disagreements_csv(data).encode("utf-8"),
    })
    manifest = build_manifest(report, outputs, templates, list(log_locations), invocation)
    outputs[MANIFEST] = manifest.to_json().encode("utf-8")
    return outputs


def write_report(report: Report | Mapping[str, Any], out_dir: Path, log_locations: Sequence[str] = (),
                 invocation: Invocation | None = None, templates: Path | None = None) -> dict[str, bytes]:
    """Render everything in memory first, then replace the folder's files one by one.

    An earlier report's manifest is removed before the first file is replaced: a folder
    interrupted half-way then has no manifest, so it cannot pass for a whole report
    (``verify`` refuses it) with new files under an old manifest. PDFs left by an earlier
    report are removed when this one has none, so the folder never shows a stale one.
    """
    outputs = render_outputs(report, log_locations, invocation, templates)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    for name in REPORT_FILES:
        if name in outputs:
            write_atomic(out_dir / name, outputs[name])
        else:
            (out_dir / name).unlink(missing_ok=True)
    write_atomic(out_dir / MANIFEST, outputs[MANIFEST])
    return outputs

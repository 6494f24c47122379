"""Writing a report folder: every file atomically, the manifest last.

An interrupted ``report`` must never leave a folder that looks whole: each file is
written to a temporary name and renamed, and ``manifest.json`` (which lists every
output's hash) is written only after all the others.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from patienthood.analysis.reliability import disagreements_csv
from patienthood.report.render import render_html, render_json, render_markdown, render_pdf, report_timestamp

REPORT_FILES = ("report.html", "report.pdf", "report.json", "summary.md", "disagreements.csv")
MANIFEST = "manifest.json"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; reports are meant to be read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_outputs(report: dict[str, Any], templates: Path | None = None) -> dict[str, bytes]:
    """Every file of a report folder, as bytes, in memory (verify compares these)."""
    html = render_html(report, templates)
    outputs = {
        "report.html": html.encode("utf-8"),
        "report.pdf": render_pdf(html, report_timestamp(report)),
        "report.json": render_json(report).encode("utf-8"),
        "summary.md": render_markdown(report, templates).encode("utf-8"),
        "disagreements.csv": disagreements_csv(report).encode("utf-8"),
    }
    outputs[MANIFEST] = render_json(manifest(report, outputs)).encode("utf-8")
    return outputs


def manifest(report: dict[str, Any], outputs: dict[str, bytes]) -> dict[str, Any]:
    """SHA-256 of every input (logs, content) and every output, with the software used."""
    provenance = report["provenance"]
    return {
        "schema_version": report["schema_version"],
        "model": report["model"]["name"],
        "criteria_set": report["criteria_set"],
        "inputs": {
            "logs": {log["name"]: log["sha256"] for log in provenance["logs"]},
            "content": provenance["content_sha256"],
        },
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
        "software": provenance["software"],
    }


def write_report(report: dict[str, Any], out_dir: Path, templates: Path | None = None) -> dict[str, bytes]:
    outputs = render_outputs(report, templates)
    for name in REPORT_FILES:
        write_atomic(out_dir / name, outputs[name])
    write_atomic(out_dir / MANIFEST, outputs[MANIFEST])
    return outputs

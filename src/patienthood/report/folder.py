"""Writing a report folder: every file atomically, the manifest last.

An interrupted ``report`` must never leave a folder that looks whole: every file is
rendered before any is written, an earlier report's ``manifest.json`` is removed first,
each file is written to a temporary name and renamed, and the new ``manifest.json``
(which lists every output's hash) is written only after all the others.

The manifest is also what ``patienthood verify`` starts from: it records the inputs
(logs, content, templates, validation record) with their SHA-256, how ``report`` was
invoked (log locations exactly as typed), the software that rendered the files, and
every output's hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from patienthood.atomic import write_atomic
from patienthood.report.disagreements import disagreements_csv
from patienthood.content import content_dir, display_path
from patienthood.report.render import render_html, render_json, render_markdown, render_pdf, report_timestamp

REPORT_FILES = ("report.html", "report.pdf", "report.json", "summary.md", "disagreements.csv")
MANIFEST = "manifest.json"
# Libraries whose version changes the bytes of an output (SVG, PDF, templates).
RENDERING_PACKAGES = ("matplotlib", "weasyprint", "pydyf", "jinja2")


@dataclass(frozen=True)
class Invocation:
    """How ``patienthood report`` was called, as typed, so that ``verify`` can call it again.

    Paths are kept exactly as the user gave them (relative stays relative): they are
    the user's own words, and resolving them would put machine paths into the manifest.
    """

    log_locations: tuple[str, ...] = ()
    set_name: str = "baseline"
    validation: str | None = None
    criteria_dir: str | None = None
    batteries_dir: str | None = None
    allow_incomplete: bool = False

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> Invocation:
        recorded = manifest.get("invocation") or {}
        return cls(log_locations=tuple(manifest.get("log_locations") or ()),
                   set_name=recorded.get("set_name", "baseline"), validation=recorded.get("validation"),
                   criteria_dir=recorded.get("criteria_dir"), batteries_dir=recorded.get("batteries_dir"),
                   allow_incomplete=bool(recorded.get("allow_incomplete", False)))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def template_hashes(templates: Path | None = None) -> dict[str, str]:
    """SHA-256 of every file in the report templates folder (they shape every output)."""
    folder = templates or content_dir("reports")
    return {display_path(path): sha256_bytes(path.read_bytes())
            for path in sorted(folder.iterdir()) if path.is_file() and not path.name.startswith(".")}


def rendering_software() -> dict[str, str]:
    found = {}
    for name in RENDERING_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def render_outputs(report: dict[str, Any], templates: Path | None = None,
                   invocation: Invocation | None = None) -> dict[str, bytes]:
    """Every file of a report folder, as bytes, in memory (verify compares these)."""
    html = render_html(report, templates)
    outputs = {
        "report.html": html.encode("utf-8"),
        "report.pdf": render_pdf(html, report_timestamp(report)),
        "report.json": render_json(report).encode("utf-8"),
        "summary.md": render_markdown(report, templates).encode("utf-8"),
        "disagreements.csv": disagreements_csv(report).encode("utf-8"),
    }
    outputs[MANIFEST] = render_json(manifest(report, outputs, templates, invocation)).encode("utf-8")
    return outputs


def _runs(provenance: dict[str, Any]) -> list[dict[str, Any]]:
    """Each log's run: what ran, on which model, with which settings, when, from which commit."""
    keys = ("name", "task", "battery_version", "instrument_version", "status", "model", "model_args", "task_args",
            "epochs", "created", "started_at", "completed_at", "git_commit")
    return [{key: log.get(key) for key in keys} for log in provenance["logs"]]


def manifest(report: dict[str, Any], outputs: dict[str, bytes], templates: Path | None = None,
             invocation: Invocation | None = None) -> dict[str, Any]:
    """SHA-256 of every input (logs, content, templates) and every output, with the software used."""
    provenance = report["provenance"]
    invocation = invocation or Invocation()
    inputs: dict[str, Any] = {
        "logs": {log["name"]: log["sha256"] for log in provenance["logs"]},
        "content": dict(sorted({**provenance["content_sha256"], **provenance.get("instrument_sha256", {})}.items())),
        "templates": template_hashes(templates),
    }
    validation = report.get("instrument_validation") or {}
    if validation.get("record_sha256"):
        inputs["validation_record"] = {validation["record_file"]: validation["record_sha256"]}
    commits = sorted({log["git_commit"] for log in provenance["logs"] if log.get("git_commit")})
    return {
        "schema_version": report["schema_version"],
        "model": report["model"]["name"],
        "models": {"model": report["model"]["name"], "simulated": report["model"]["simulated"],
                   "model_args": report["model"]["model_args"], "graders": provenance.get("graders", {})},
        "criteria_set": report["criteria_set"],
        "log_locations": list(invocation.log_locations),
        "invocation": {k: v for k, v in asdict(invocation).items() if k != "log_locations"},
        "inputs": inputs,
        "runs": _runs(provenance),
        "git_commits": commits,
        "outputs": {name: sha256_bytes(data) for name, data in sorted(outputs.items())},
        "software": {**provenance["software"], **rendering_software()},
    }


def write_report(report: dict[str, Any], out_dir: Path, templates: Path | None = None,
                 invocation: Invocation | None = None) -> dict[str, bytes]:
    """Render everything in memory first, then replace the folder's files one by one.

    An earlier report's manifest is removed before the first file is replaced: a folder
    interrupted half-way then has no manifest, so it cannot pass for a whole report
    (``verify`` refuses it) with new files under an old manifest.
    """
    outputs = render_outputs(report, templates, invocation)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    for name in REPORT_FILES:
        write_atomic(out_dir / name, outputs[name])
    write_atomic(out_dir / MANIFEST, outputs[MANIFEST])
    return outputs

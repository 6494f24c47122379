"""``manifest.json``: what a report folder was made from, how, and the hash of every file in it.

One typed model (``results.Manifest``) serves both sides: ``report`` writes it here and
``verify`` reads it back through the same model, so a field added to the manifest is
checked the moment it is written, and a hand-edited or damaged manifest is refused with
the field that is wrong rather than failing deep inside verify.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from patienthood.content import ContentRoots
from patienthood.results import Inputs, Invocation, Manifest, Report, Respondent, Run

MANIFEST = "manifest.json"
# Libraries whose version changes the bytes of an output (SVG, PDF, templates).
RENDERING_PACKAGES = ("matplotlib", "weasyprint", "pydyf", "jinja2")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def template_hashes(templates: Path) -> dict[str, str]:
    """SHA-256 of every file in the report templates folder (they shape every output)."""
    return ContentRoots(reports=templates).hashes(
        path for path in templates.iterdir() if path.is_file() and not path.name.startswith("."))


def rendering_software() -> dict[str, str]:
    found = {}
    for name in RENDERING_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def build_manifest(report: Report, outputs: dict[str, bytes], templates: Path, log_locations: list[str],
                   invocation: Invocation) -> Manifest:
    """The manifest of a report folder whose other files are ``outputs``."""
    provenance = report.provenance
    validation = report.instrument_validation
    return Manifest(
        model=report.model.name,
        models=Respondent(model=report.model.name, simulated=report.model.simulated,
                          model_args=report.model.model_args, graders=provenance.graders),
        criteria_set={"id": report.criteria_set.id, "version": report.criteria_set.version,
                      "title": report.criteria_set.title},
        log_locations=list(log_locations),
        invocation=invocation,
        inputs=Inputs(
            logs={log.name: log.sha256 for log in provenance.logs},
            content={**provenance.content_sha256, **provenance.instrument_sha256},
            templates=template_hashes(templates),
            validation_record=({validation.record_file: validation.record_sha256}
                               if validation.record_file and validation.record_sha256 else {}),
        ),
        runs=[Run(**log.model_dump(include=set(Run.model_fields))) for log in provenance.logs],
        git_commits=sorted({log.git_commit for log in provenance.logs if log.git_commit}),
        outputs={name: sha256_bytes(data) for name, data in sorted(outputs.items())},
        software={**provenance.software, **rendering_software()},
    )

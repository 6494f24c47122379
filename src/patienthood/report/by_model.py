"""One report folder per model: ``patienthood report`` over logs that hold several models.

A log folder that gathers many models (one machine per model writing to one bucket,
releases accumulating over months) gives each model the report it would get from a
folder of its own: the logs' headers are read once, grouped by the model that answered,
and each model is assessed from its own battery logs alone (``analysis.logset``). With
logs of one model and no ``--model``, the output folder itself is the report folder,
exactly as before; otherwise each model's folder is ``OUT/<model folder name>``, and
its manifest records the model (``Invocation.model``), so that ``verify`` recomputes
exactly that folder from the same log locations.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from patienthood.analysis.assessment import read_log_infos
from patienthood.analysis.logset import battery_models
from patienthood.errors import InputProblem
from patienthood.report.assemble import assemble_report
from patienthood.report.folder import write_report
from patienthood.results import Invocation, Report
from patienthood.spec.standard import Standard

# A model name whose folder name is the name with "/" as "_": letters, digits, dots and
# hyphens between the slashes, none empty. "_" never occurs in such a name, so the
# mapping can be read back and two such names never share a folder.
_FAITHFUL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*(?:/[A-Za-z0-9][A-Za-z0-9.-]*)+")
_MAX_NAME = 96


def model_folder_name(model: str) -> str:
    """The folder of one model's report: filename-safe, and the same for the same name on every machine.

    ``openai/gpt-4o`` is ``openai_gpt-4o``, ``subject/steady-denier`` is
    ``subject_steady-denier`` (as ``runs.default_log_dir`` names log folders). A name
    with any other character (or a very long one) is made safe and gets the start of the
    SHA-256 of the name, so that two names never share a folder because of what was
    replaced.
    """
    if len(model) <= _MAX_NAME and _FAITHFUL.fullmatch(model):
        return model.replace("/", "_")
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", model).strip("_.-")[:_MAX_NAME] or "model"
    return f"{readable}-{hashlib.sha256(model.encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class ModelReport:
    """One model's report and the folder it goes to, with how ``report`` was called for it."""

    model: str
    folder: Path
    report: Report
    invocation: Invocation


def assemble_model_reports(log_locations: Sequence[str], standard: Standard, out_dir: Path,
                           invocation: Invocation = Invocation(), models: Sequence[str] = (),
                           validation_file: Path | None = None, on_log: Callable[[str], None] | None = None
                           ) -> list[ModelReport]:
    """Every report that ``patienthood report LOGS --out OUT [--model NAME...]`` writes, in model order.

    One model (the only one in the logs, or the one chosen) is reported into ``out_dir``
    itself; several each into their own folder under it. Every report is assembled
    before any is written, so bad input about the last model leaves no folder half-made.
    """
    locations = list(log_locations)
    infos = read_log_infos(locations, on_log)
    found = battery_models(infos, standard)
    chosen = sorted(set(models))
    missing = [name for name in chosen if name not in found]
    if missing:
        raise InputProblem(f"--model {', '.join(missing)}: no logs of {'this model' if len(missing) == 1 else 'these models'} "
                           f"among the logs of set {standard.criteria_set.id}'s batteries under {', '.join(locations)}"
                           f" (models found: {', '.join(found) or 'none'})")
    if not chosen and len(found) <= 1:  # one model (or none, which assembly refuses): exactly as before
        report = assemble_report(locations, standard, validation_file, allow_incomplete=invocation.allow_incomplete,
                                 infos=infos, answers=invocation.answers or "sampled",
                                 issued_by=invocation.issued_by)
        return [ModelReport(report.model.name, out_dir, report, invocation)]
    names = chosen or found
    folders = {name: out_dir if len(names) == 1 else out_dir / model_folder_name(name) for name in names}
    _refuse_shared_folders(folders)
    results = []
    for name in names:
        report = assemble_report(locations, standard, validation_file, allow_incomplete=invocation.allow_incomplete,
                                 model=name, infos=infos, answers=invocation.answers or "sampled",
                                 issued_by=invocation.issued_by)
        results.append(ModelReport(name, folders[name], report, replace_model(invocation, name)))
    return results


def replace_model(invocation: Invocation, model: str) -> Invocation:
    return invocation.model_copy(update={"model": model})


def _refuse_shared_folders(folders: dict[str, Path]) -> None:
    """Two models whose folders differ only in case would share one on a case-insensitive file system."""
    seen: dict[str, str] = {}
    for name, folder in sorted(folders.items()):
        key = str(folder).casefold()
        if key in seen:
            raise InputProblem(f"models {seen[key]} and {name} would share the report folder {folder} on a "
                               "case-insensitive file system; report them separately with --model and --out")
        seen[key] = name


def write_model_reports(reports: Sequence[ModelReport], log_locations: Sequence[str]) -> None:
    """Write each model's report folder (each atomically, manifest last; see ``report.folder``)."""
    for each in reports:
        each.folder.mkdir(parents=True, exist_ok=True)
        write_report(each.report, each.folder, list(log_locations), each.invocation)


__all__ = ["ModelReport", "assemble_model_reports", "model_folder_name", "write_model_reports"]

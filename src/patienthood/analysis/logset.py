"""Which logs make up one model's assessment, and why the others were set aside.

A log folder in practice holds more than one clean run per battery: a copy of a log,
an attempt that failed before ``patienthood run`` resumed it, a run cancelled half-way,
a run made with another version of a battery, logs of other inspect tasks. Averaging
over whatever happens to be there would publish numbers that rest on less data, or on
other questions, than the report says. So every log is either chosen (one per battery
of the standard), set aside with the reason written into the report, or the whole
assessment is refused with a message that names the log and the fix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from patienthood import __version__
from patienthood.analysis.logs import TASK_PREFIX, LogError, LogInfo
from patienthood.instrument import standard_hashes, unmatched_content
from patienthood.spec.standard import Standard

RESUME_HINT = "run the same `patienthood run` command again to resume it (answers already given are kept)"


@dataclass(frozen=True)
class SetAside:
    """A log that was read but not used, and why."""

    name: str
    battery: str
    reason: str


@dataclass
class LogSelection:
    """The chosen log of each battery, the logs set aside, and what a reader must be told."""

    chosen: dict[str, LogInfo] = field(default_factory=dict)
    set_aside: list[SetAside] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def battery_models(infos: list[LogInfo], standard: Standard) -> list[str]:
    """The models whose logs of the standard's batteries are among ``infos``, sorted."""
    return sorted({info.model for info in infos
                   if info.task.startswith(TASK_PREFIX) and info.battery in standard.batteries})


def select_logs(infos: list[LogInfo], standard: Standard, allow_incomplete: bool = False,
                model: str | None = None) -> LogSelection:
    """Choose one log per battery of ``standard``; raise ``LogError`` when no honest choice exists.

    ``allow_incomplete`` accepts a battery whose only run did not finish (cancelled,
    failed, still running): its gap is then reported in coverage and in the warnings.

    ``model`` chooses one model's logs of the batteries: the battery logs of other
    models are left out altogether (they belong to those models' reports, and are
    neither used nor listed as set aside), so a log folder that gathers many models
    gives each of them the report it would give on its own. Without ``model``,
    battery logs of several models are refused.
    """
    selection = LogSelection()
    by_battery: dict[str, list[LogInfo]] = defaultdict(list)
    for info in sorted(infos, key=lambda i: i.name):
        if not info.task.startswith(TASK_PREFIX):
            selection.set_aside.append(SetAside(info.name, "", f"not a patienthood battery (task {info.task})"))
        elif info.battery not in standard.batteries:
            selection.set_aside.append(SetAside(info.name, info.battery,
                                                f"battery not in set {standard.criteria_set.id}"))
        elif model is None or info.model == model:
            by_battery[info.battery].append(info)
    if model is not None and not by_battery:
        found = battery_models(infos, standard)
        raise LogError(f"no logs of model {model} among the logs of set {standard.criteria_set.id}'s batteries"
                       + (f" (models found: {', '.join(found)})" if found else ""))
    models = sorted({info.model for logs in by_battery.values() for info in logs})
    if len(models) > 1:
        raise LogError(f"logs of several models ({', '.join(models)}); report one model per folder, or pass "
                       "--model to choose")
    available = standard_hashes(standard)
    for battery, logs in sorted(by_battery.items()):
        chosen = _choose(battery, logs, selection, allow_incomplete)
        _check_content(chosen, standard, available)
        selection.chosen[battery] = chosen
    for battery in sorted(set(standard.batteries) - set(selection.chosen)):
        needing = [c.id for c in standard.criteria if c.battery == battery]
        selection.warnings.append(f"no log of battery {battery}: {', '.join(needing)} cannot be assessed "
                                  "and are inconclusive")
    versions = sorted({info.instrument_version for info in selection.chosen.values()})
    if len(versions) > 1:
        selection.warnings.append(f"the logs were made by different patienthood versions ({', '.join(versions)}); "
                                  "their scores were computed by those versions")
    elif versions and versions[0] != __version__:
        selection.warnings.append(f"the logs were made by patienthood {versions[0]} and are reported by "
                                  f"{__version__}; the scores in them are that version's")
    return selection


def _choose(battery: str, logs: list[LogInfo], selection: LogSelection, allow_incomplete: bool) -> LogInfo:
    """The one log of a battery: identical copies collapse, a completed run supersedes failed attempts."""
    distinct: dict[str, LogInfo] = {}
    for info in logs:
        if info.sha256 in distinct:
            selection.set_aside.append(SetAside(info.name, battery,
                                                f"identical copy of {distinct[info.sha256].name}"))
        else:
            distinct[info.sha256] = info
    complete = [info for info in distinct.values() if info.status == "success"]
    if len(complete) > 1:
        names = ", ".join(info.name for info in complete)
        raise LogError(f"several completed runs of battery '{battery}' for one model ({names}); keep one run "
                       "per battery in the folder, or report each folder separately")
    if complete:
        chosen = complete[0]
        for info in distinct.values():
            if info is not chosen:
                selection.set_aside.append(SetAside(info.name, battery,
                                                    f"an attempt that did not finish ({info.status}), "
                                                    f"superseded by the completed run {chosen.name}"))
        return chosen
    if len(distinct) > 1:
        names = ", ".join(f"{info.name} ({info.status})" for info in distinct.values())
        raise LogError(f"battery '{battery}' has no completed run, only unfinished attempts ({names}); {RESUME_HINT}")
    only = next(iter(distinct.values()))
    if not allow_incomplete:
        raise LogError(f"{only.name}: the run of battery '{battery}' did not finish (status {only.status}); "
                       f"{RESUME_HINT}, or pass --allow-incomplete to report the gap as it is")
    selection.warnings.append(f"{battery}: the run did not finish (status {only.status}); its missing answers "
                              "are counted in coverage and its verdicts rest only on the answers that exist")
    return only


def _check_content(info: LogInfo, standard: Standard, available: dict[str, str]) -> None:
    """Refuse a log that asked other questions than the standard's battery holds.

    Every file the log recorded must be in ``available`` (the standard's content by
    content key) with the same SHA-256: a file that differs, or that this content does
    not have, means the log was made from other content, whatever its folder is called.
    """
    battery = standard.batteries[info.battery]
    if info.battery_version != battery.spec.version:
        raise LogError(f"{info.name}: made with battery {info.battery} {info.battery_version}, but set "
                       f"{standard.criteria_set.id} {standard.criteria_set.version} uses {info.battery} "
                       f"{battery.spec.version}; run that battery again, or report with --batteries-dir "
                       f"pointing at version {info.battery_version}")
    changed, missing = unmatched_content(info.content_sha256, available)
    if changed or missing:
        what = "; ".join(part for part in (
            f"{', '.join(changed)} differ by SHA-256 from the log's record" if changed else "",
            f"{', '.join(missing)} are not in this content" if missing else "") if part)
        raise LogError(f"{info.name}: battery {info.battery} {info.battery_version} asked from other content than "
                       f"this one ({what}); report with --batteries-dir pointing at the content the log was made with")

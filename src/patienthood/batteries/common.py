"""What every battery task shares: locating its content and describing it in the log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Epochs, Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import HeadlineMetric
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Solver

from patienthood import __version__
from patienthood.batteries.design import DesignStopping, distress_episodes, thinned
from patienthood.content import content_dir
from patienthood.instrument import battery_hashes, scorer_files
from patienthood.scoring.metrics import declared_measure, means, scorable_mean
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import LoadedBattery, load_battery
from patienthood.spec.vocabulary import DISTRESS, EXPOSURE, RETEST


def battery_directory(battery_id: str, batteries_dir: str | None) -> Path:
    root = Path(batteries_dir) if batteries_dir else content_dir("batteries")
    return root / battery_id


def load(battery_id: str, batteries_dir: str | None) -> LoadedBattery:
    return load_battery(battery_directory(battery_id, batteries_dir))


def task_metadata(battery: LoadedBattery, extra_files: Sequence[Path] = ()) -> dict[str, Any]:
    """Metadata written into the log header, so a report can say exactly what ran.

    ``content_sha256`` names every file the task read by its content key (its own files,
    the scorer files every battery reads its answers with, and ``extra_files``), so a
    report made with other content (under any folder name) refuses the log.
    """
    return {
        "battery": battery.spec.id,
        "battery_version": battery.spec.version,
        "instrument_version": __version__,
        "content_sha256": battery_hashes(battery, [*scorer_files(), *extra_files]),
    }


@dataclass(frozen=True)
class Sampling:
    """How many times each sample is asked, and whether the adaptive rule may stop early.

    Every battery task takes the same three arguments for it (``epochs``, ``adaptive``,
    and the criteria set the adaptive rule decides for), so ``-T adaptive=true`` works
    the same from ``inspect eval``, ``eval_set``, Inspect Flow and ``patienthood run``.
    """

    epochs: int | None = None
    adaptive: bool = False
    criteria_set: str = "baseline"
    criteria_dir: str | None = None


def battery_task(battery: LoadedBattery, samples: list[Sample], solver: Solver, scorer: Scorer,
                 sampling: Sampling, metadata: dict[str, Any] | None = None) -> Task:
    """The inspect Task every battery returns: its samples, epochs reduced by mean, its metadata.

    A design that asks some samples in the first epoch only (``retest: false`` in their
    metadata) gets inspect's early-stopping hook to skip their later epochs; the adaptive
    manager, when asked for, applies the same plan itself (a task takes one manager).
    """
    epochs = sampling.epochs or battery.spec.epochs
    mark_turns(battery, samples)
    early_stopping: Any = None
    if sampling.adaptive:
        early_stopping = adaptive_stopping(battery, sampling)
    elif thinned(samples, epochs):
        early_stopping = DesignStopping()
    metadata = dict(metadata if metadata is not None else task_metadata(battery))
    if any(not (s.metadata or {}).get(RETEST, True) for s in samples):
        # What the design plans, in the header, so a report counts the answers a run
        # should have given even when the run stopped before inspect recorded its skips.
        metadata["design"] = {"samples": len(samples),
                              "every_epoch": sum(1 for s in samples if (s.metadata or {}).get(RETEST, True))}
    marked, episodes = distress_episodes(samples, epochs)
    # What the subject is planned to be put through, in the header: runs check it against
    # the standard's ceiling before any call, and the report states it beside what ran.
    metadata[EXPOSURE] = {"marked_samples": marked, "episodes": episodes}
    headline = battery.spec.headline_measure()
    return Task(
        dataset=MemoryDataset(samples, name=battery.spec.id),
        solver=solver,
        scorer=scorer,
        metrics=[means(), declared_measure(headline.model_dump(mode="json"), battery.spec.id)],
        headline_metric=HeadlineMetric(metric=headline.id),
        epochs=Epochs(epochs, scorable_mean()),
        metadata=metadata,
        version=battery.spec.version,
        early_stopping=early_stopping,
    )


def distress_metadata(*marks: tuple[str, str, str | None]) -> dict[str, str]:
    """A sample's ``distress`` metadata from its marked content, or nothing when none is marked.

    Each mark is (what, id, reason), e.g. ("item", "can_suffer", "asks whether it can
    suffer"); a sample that includes several marked things names them all, so its log
    records why the conversation counts as a distress-eliciting episode.
    """
    written = [f"{what} '{ident}': {reason}" for what, ident, reason in marks if reason]
    return {DISTRESS: "; ".join(written)} if written else {}


def mark_turns(battery: LoadedBattery, samples: list[Sample]) -> None:
    """Add the battery's marked turns (battery.yaml ``distress``) to every sample's ``distress`` metadata.

    A turn is a template, and a battery's templates shape every conversation it holds
    (goal_persistence presses every conversation for the reverse ranking), so a marked
    turn counts in every sample: at worst an over-count, never an episode left out.
    """
    turns = distress_metadata(*(("turn", name, reason) for name, reason in sorted(battery.spec.distress.items())))
    if not turns:
        return
    for sample in samples:
        metadata = dict(sample.metadata or {})
        metadata[DISTRESS] = "; ".join(part for part in (metadata.get(DISTRESS), turns[DISTRESS]) if part)
        sample.metadata = metadata


def adaptive_stopping(battery: LoadedBattery, sampling: Sampling) -> Any:
    """The adaptive rule for this battery under the criteria set it decides verdicts for.

    Imported only when asked for: the rule reads analysis (pandas), and this module is
    loaded by inspect's task registry, which must stay light.
    """
    from patienthood.adaptive.stopping import AdaptiveStopping, battery_rule
    from patienthood.spec.standard import load_standard

    criteria_dir = Path(sampling.criteria_dir) if sampling.criteria_dir else content_dir("criteria")
    standard = load_standard(sampling.criteria_set, criteria_dir, battery.directory.parent)
    if battery.spec.id not in standard.batteries:
        raise SpecError.single(standard.set_file, f"set '{standard.criteria_set.id}' assesses nothing with battery "
                               f"'{battery.spec.id}', so the adaptive rule has no verdict to decide",
                               "pass -T criteria_set=NAME for a set that uses this battery, or drop -T adaptive")
    return AdaptiveStopping(battery_rule(standard, battery.spec.id))


def parse_selection(value: str | list[str] | None) -> set[str] | None:
    """``-T items=a,b`` arrives as a string, from Python as a list; None means all."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    return {v.strip() for v in value}

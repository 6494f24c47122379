"""What every battery task shares: locating its content and describing it in the log."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from inspect_ai import Epochs, Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Solver

from patienthood import __version__
from patienthood.content import content_dir, display_path
from patienthood.spec.loader import LoadedBattery, load_battery


def battery_directory(battery_id: str, batteries_dir: str | None) -> Path:
    root = Path(batteries_dir) if batteries_dir else content_dir("batteries")
    return root / battery_id


def load(battery_id: str, batteries_dir: str | None) -> LoadedBattery:
    return load_battery(battery_directory(battery_id, batteries_dir))


def task_metadata(battery: LoadedBattery, extra_files: list[Path] = []) -> dict[str, Any]:
    """Metadata written into the log header, so a report can say exactly what ran."""
    files = {display_path(p): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in [*battery.files, *extra_files]}
    return {
        "battery": battery.spec.id,
        "battery_version": battery.spec.version,
        "instrument_version": __version__,
        "content_sha256": dict(sorted(files.items())),
    }


def battery_task(battery: LoadedBattery, samples: list[Sample], solver: Solver, scorer: Scorer,
                 epochs: int | None, metadata: dict[str, Any] | None = None) -> Task:
    """The inspect Task every battery returns: its samples, epochs reduced by mean, its metadata."""
    return Task(
        dataset=MemoryDataset(samples, name=battery.spec.id),
        solver=solver,
        scorer=scorer,
        epochs=Epochs(epochs or battery.spec.epochs, "mean"),
        metadata=metadata if metadata is not None else task_metadata(battery),
        version=battery.spec.version,
    )


def parse_selection(value: str | list[str] | None) -> set[str] | None:
    """``-T items=a,b`` arrives as a string, from Python as a list; None means all."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    return {v.strip() for v in value}

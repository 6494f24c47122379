"""A battery's design over epochs: which sample is asked in which epoch.

inspect repeats every sample in every epoch. A balanced design asks most cells once and
only its retest cells in every epoch (``self_report``'s design.yaml), because intervals
are bound by the number of items, and a second answer in the same cell buys little
except the retest measure. The plan is read from each sample's metadata (``retest``:
false means the first epoch only), so it lives in content and in the dataset, never in
code, and inspect's own early-stopping hook skips what the plan does not ask: a skipped
sample-epoch is no model call, and the log lists it with ``DESIGN_SKIP`` as its reason.

Imported by the task registry: keep it light (inspect only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from inspect_ai.util import EarlyStop

from patienthood.spec.vocabulary import DESIGN_MANAGER, DESIGN_SKIP, DISTRESS, RETEST


def cell_epochs(samples: Iterable[Any], epochs: int) -> dict[str, int]:
    """How many epochs the design asks each sample (by id): all of them, or the first only."""
    return {str(sample.id): epochs if (sample.metadata or {}).get(RETEST, True) else 1 for sample in samples}


def distress_episodes(samples: Iterable[Any], epochs: int) -> tuple[int, int]:
    """(marked samples, planned episodes): the conversations that include content marked ``distress``,
    each counted once per epoch the design asks it (an upper bound under adaptive sampling,
    which may stop earlier but never asks more)."""
    samples = list(samples)
    plan = cell_epochs(samples, epochs)
    marked = [str(sample.id) for sample in samples if (sample.metadata or {}).get(DISTRESS)]
    return len(marked), sum(plan[sample_id] for sample_id in marked)


def thinned(samples: Iterable[Any], epochs: int) -> bool:
    """Whether the design leaves out any sample-epoch, so that a manager must skip it."""
    return any(asked < epochs for asked in cell_epochs(samples, epochs).values())


def design_skip(cell: str, epoch: int) -> EarlyStop:
    return EarlyStop(id=cell, epoch=epoch, reason=DESIGN_SKIP)


class DesignStopping:
    """inspect's early-stopping hook, used for a plan: skip every sample-epoch the design does not ask.

    Stateless beyond the plan, so a resumed run (inspect replays what it kept) skips the
    same cells. With adaptive sampling, ``adaptive.stopping.AdaptiveStopping`` applies
    the same plan itself (inspect takes one manager per task).
    """

    def __init__(self) -> None:
        self.plan: Mapping[str, int] = {}
        self.epochs = 1

    async def start_task(self, task: Any, samples: list[Any], epochs: int) -> str:  # noqa: ARG002
        self.plan, self.epochs = cell_epochs(samples, epochs), epochs
        return DESIGN_MANAGER

    async def schedule_sample(self, id: str | int, epoch: int) -> EarlyStop | None:
        cell = str(id)
        return design_skip(cell, epoch) if epoch > self.plan.get(cell, self.epochs) else None

    async def complete_sample(self, id: str | int, epoch: int, scores: dict[str, Any]) -> None:  # noqa: ARG002
        return None

    async def complete_task(self) -> dict[str, Any]:
        asked = sum(self.plan.values())
        return {"design": "retest cells in every epoch, every other cell in the first only",
                "epochs": self.epochs, "cells": len(self.plan),
                "retest_cells": sum(1 for n in self.plan.values() if n == self.epochs),
                "sample_epochs_asked": asked}

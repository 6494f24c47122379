"""The adaptive rule as an inspect ``EarlyStopping`` manager, attached to a battery's task.

inspect asks the manager before it runs each (sample, epoch) and tells it each result.
inspect schedules epoch by epoch, so the manager holds every sample of epoch *e* until
all of epoch *e - 1* is in (answered, or skipped), then asks the rule once: the
decision rests on complete epochs only, and the same answers always give the same
decision whatever the concurrency. Skipped sample-epochs are not model calls; inspect
lists them with their reason in the log's ``results.early_stopping``, where the report
counts them apart from answers that are missing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import anyio
from inspect_ai.util import EarlyStop

from patienthood.adaptive.rule import (
    ERROR_BOUND,
    FIRST_LOOK,
    RULE_SUMMARY,
    SIMULATIONS,
    BatteryRule,
    Look,
    look,
)
from patienthood.analysis.logs import (
    ADAPTIVE_MANAGER,
    SETTLED_CELL,
    carry_forward,
    tidy_frame,
    tidy_row,
)
from patienthood.batteries.design import cell_epochs, design_skip
from patienthood.spec.standard import Standard


def battery_rule(standard: Standard, battery: str) -> BatteryRule:
    """The criteria of ``standard`` that a battery serves, with its declared measures."""
    return BatteryRule(battery=battery, criteria=tuple(c for c in standard.criteria if c.battery == battery),
                       measures={m.id: m for m in standard.batteries[battery].spec.measures})


class AdaptiveStopping:
    """Skip the epochs that can no longer change a battery's verdicts (see ``adaptive.rule``)."""

    def __init__(self, rule: BatteryRule) -> None:
        self.rule = rule
        self.cells: dict[str, str] = {}
        self.epochs = 0
        self.looks: dict[int, Look] = {}
        self.stopped_after: int | None = None
        self.disabled = False

    def _reset(self, cells: dict[str, str], epochs: int, plan: dict[str, int] | None = None) -> None:
        """A fresh state for each attempt (inspect replays reused samples into a resumed one)."""
        self.cells = cells  # sample id -> item
        self.epochs = epochs
        self.plan = plan if plan is not None else {cell: epochs for cell in cells}  # epochs the design asks
        self.rows: list[dict[str, Any]] = []
        self.skipped_settled: list[tuple[str, int]] = []
        self.done: dict[int, set[str]] = defaultdict(set)
        self.complete: dict[int, anyio.Event] = defaultdict(anyio.Event)
        self.looks: dict[int, Look] = {}
        self.lock = anyio.Lock()
        self.stopped_after: int | None = None

    async def start_task(self, task: Any, samples: list[Any], epochs: int) -> str:
        self._reset({str(s.id): str((s.metadata or {}).get("item", s.id)) for s in samples}, epochs,
                    cell_epochs(samples, epochs))
        # inspect tells a manager of every completed sample but of no errored one: with
        # errors tolerated, an epoch could never be seen complete. With inspect's default
        # (the first error stops the task, and `patienthood run` resumes it) it always is.
        tolerated = getattr(getattr(task, "config", None), "fail_on_error", None)
        self.disabled = tolerated is not None and tolerated is not True
        return ADAPTIVE_MANAGER

    async def schedule_sample(self, id: str | int, epoch: int) -> EarlyStop | None:
        cell = str(id)
        if epoch > self.plan.get(cell, self.epochs):  # the design never asks it: not the rule's to decide
            self._mark(cell, epoch)
            return design_skip(cell, epoch)
        if epoch <= FIRST_LOOK or not self.rule.criteria or self.disabled:
            return None
        decision = await self._look_after(epoch - 1)
        if self.stopped_after is not None:
            return self._skip(cell, epoch, f"verdicts settled after epoch {self.stopped_after}")
        if cell in decision.settled_cells:
            self.skipped_settled.append((cell, epoch))
            return self._skip(cell, epoch, SETTLED_CELL)
        return None

    async def complete_sample(self, id: str | int, epoch: int, scores: dict[str, Any]) -> None:
        sample_score = next(iter(scores.values()), None)
        self.rows.append(tidy_row(
            (sample_score.sample_metadata or {}) if sample_score else {},
            sample_score.score if sample_score else None,
            log="", task="", battery=self.rule.battery, sample_id=str(id), epoch=epoch,
            errored=sample_score is None))
        self._mark(str(id), epoch)

    async def complete_task(self) -> dict[str, Any]:
        if self.disabled:
            return {"rule": RULE_SUMMARY, "disabled": "errored samples were tolerated (fail_on_error), so no epoch "
                    "could be known complete; every epoch was asked", "epochs": self.epochs,
                    "stopped_after_epoch": None, "looks": []}
        return {"rule": RULE_SUMMARY, "simulations": SIMULATIONS, "error_bound": ERROR_BOUND, "first_look": FIRST_LOOK,
                "epochs": self.epochs, "stopped_after_epoch": self.stopped_after,
                "looks": [self.looks[e].as_dict() for e in sorted(self.looks)]}

    def _skip(self, cell: str, epoch: int, reason: str) -> EarlyStop:
        self._mark(cell, epoch)
        return EarlyStop(id=cell, epoch=epoch, reason=reason)

    def _mark(self, cell: str, epoch: int) -> None:
        self.done[epoch].add(cell)
        if len(self.done[epoch]) >= len(self.cells):
            self.complete[epoch].set()

    async def _look_after(self, epoch: int) -> Look:
        """The decision after ``epoch``, taken once, when every sample of that epoch is in."""
        await self.complete[epoch].wait()
        async with self.lock:
            if self.stopped_after is not None:  # nothing was asked since the stop: its decision stands
                return self.looks[self.stopped_after]
            if epoch not in self.looks:
                rows = sorted(self.rows, key=lambda r: (r["sample_id"], r["epoch"]))
                frame = tidy_frame(carry_forward(rows, tuple(sorted(self.skipped_settled))))
                decision = await anyio.to_thread.run_sync(look, frame, self.rule, self.cells, self.plan, epoch)
                self.looks[epoch] = decision
                if decision.stop:
                    self.stopped_after = epoch
            return self.looks[epoch]


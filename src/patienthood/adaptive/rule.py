"""The adaptive sampling rule: when more epochs could no longer change a battery's verdicts.

A battery repeats every cell (one inspect sample: an item in a context, or an item
under a condition) for a fixed number of epochs. Most of those answers buy nothing: a
respondent that answers every cell the same way gets the same interval after two
epochs as after five (the interval is bound by the number of items), and a random
respondent is far from every threshold after one. From its first look (after epoch
``FIRST_LOOK``, once every cell has shown whether its answers vary) the rule looks
after each epoch:

1. **Verdicts settled.** It simulates the rest of the fixed design: every (cell, epoch)
   not answered is drawn from a Pólya urn holding that cell's answers plus
   ``PSEUDO_ANSWERS`` answer drawn from all answers to the same item (so an answer a
   cell has not shown yet can still appear). It stops the battery when none of
   ``SIMULATIONS`` simulated completions gives any of the battery's criteria another
   verdict than the answers so far give. Under that predictive model the chance that
   the full fixed-epoch run would have reached another verdict is then below
   3/``SIMULATIONS`` (the one-sided 95% bound when no simulation differs, "rule of
   three"); stops at different looks are disjoint events, so the bound holds for the
   run as a whole, not per look.
2. **Cells settled.** While the battery goes on, a cell whose answers so far are all
   the same (at least ``SETTLED_AFTER`` of them) is not asked again, and its answer is
   carried forward for the epochs it skips (``analysis.logs.carry_forward``) so that it
   keeps its weight in every estimate: the budget goes to the cells whose answers
   still vary. The simulations in 1 draw the skipped epochs afresh instead of carrying
   them, so the check covers what skipping them could cost. Once the last epoch is
   reached there is no look left: a carried answer then stands for one the cell might,
   against all its earlier answers, have given differently, and the report counts
   carried answers apart.

The rule reads the same tidy rows, measures and verdict rules as the report, so it
decides on exactly what will be published. It is pure (no inspect, no files):
``adaptive.stopping`` feeds it from a running task.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from patienthood.analysis.logs import carried_rows
from patienthood.analysis.measures import criterion_measures
from patienthood.analysis.verdicts import decide
from patienthood.spec.models import Criterion, MeasureDecl

SIMULATIONS = 200
PSEUDO_ANSWERS = 1.0
SETTLED_AFTER = 2
FIRST_LOOK = 2  # a cell shows how much its answers vary only from its second answer on
ERROR_BOUND = 3 / SIMULATIONS

RULE_SUMMARY = (f"from epoch {FIRST_LOOK} on, stop a battery once none of {SIMULATIONS} simulated completions of "
                f"the fixed design changes a verdict (predictive probability of another verdict below "
                f"{ERROR_BOUND:.1%}); until then, stop asking a cell whose {SETTLED_AFTER} or more answers are all "
                "the same, and carry its answer forward")


@dataclass(frozen=True)
class BatteryRule:
    """The criteria a battery serves, with the declared measures they read."""

    battery: str
    criteria: tuple[Criterion, ...]
    measures: dict[str, MeasureDecl]


@dataclass(frozen=True)
class Look:
    """What the rule decided after one epoch, as recorded in the log."""

    epoch: int
    answered: int
    verdicts: dict[str, str]
    simulations: int
    differing: int
    stop: bool
    settled_cells: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"epoch": self.epoch, "answered": self.answered, "verdicts": self.verdicts,
                "simulations": self.simulations, "differing": self.differing, "stop": self.stop,
                "settled_cells": len(self.settled_cells)}


def verdicts(frame: pd.DataFrame, rule: BatteryRule, planned: int) -> dict[str, str]:
    """The battery's verdicts on ``frame``, with the scorable share taken over ``planned`` answers.

    A criterion that requires one of another battery is judged as if that one were met,
    so that its own conditions are what must settle.
    """
    found: dict[str, str] = {}
    scored = int((frame["scorable"].astype(bool) & ~frame["errored"].astype(bool)).sum()) if len(frame) else 0
    share = scored / planned if planned else 0.0
    for criterion in rule.criteria:
        measures = criterion_measures(frame, criterion, rule.measures)
        required = {dep: found.get(dep, "meets") for dep in criterion.requires}
        found[criterion.id] = decide(criterion, measures, share, required).verdict
    return found


def outcome_keys(frame: pd.DataFrame) -> pd.Series:
    """What an answer was, as one comparable value: its stance, whether it scored, its numbers."""
    columns = ["stance", "scorable", "errored", *sorted(c for c in frame.columns if c.startswith("value_"))]
    return frame[columns].astype(str).agg("|".join, axis=1)


def settled_cells(frame: pd.DataFrame) -> list[str]:
    """Cells (sample ids) with at least ``SETTLED_AFTER`` answers, all of them the same."""
    if frame.empty:
        return []
    keys = pd.DataFrame({"cell": frame["sample_id"], "key": outcome_keys(frame)})
    grouped = keys.groupby("cell")["key"].agg(["size", "nunique"])
    return sorted(grouped[(grouped["size"] >= SETTLED_AFTER) & (grouped["nunique"] == 1)].index)


def look(frame: pd.DataFrame, rule: BatteryRule, cells: dict[str, str], epochs: int | Mapping[str, int],
         epoch: int) -> Look:
    """Decide after ``epoch``: stop the battery, or go on without the settled cells.

    ``frame`` holds the answers so far with the carried-forward ones; ``cells`` maps
    every cell (sample id) of the battery to its item; ``epochs`` is the fixed design's
    number of epochs, or the number each cell is asked (a design that asks most cells
    once and its retest cells in every epoch), which the simulations complete.
    """
    plan = {cell: epochs for cell in cells} if isinstance(epochs, int) else {c: epochs.get(c, 0) for c in cells}
    current = verdicts(frame, rule, len(frame))
    answered = frame[~carried_rows(frame)].reset_index(drop=True)
    counts = answered["sample_id"].value_counts() if len(answered) else pd.Series(dtype=int)
    missing = {cell: plan[cell] - int(counts.get(cell, 0)) for cell in cells if counts.get(cell, 0) < plan[cell]}
    rng = np.random.default_rng(_seed(rule.battery, epoch, len(answered)))
    run = differing = 0
    while run < SIMULATIONS and not differing:
        run += 1
        completed = _complete(answered, missing, cells, rng)
        differing += verdicts(completed, rule, sum(plan.values())) != current  # one is enough to go on
    stop = differing == 0
    return Look(epoch=epoch, answered=len(answered), verdicts=current, simulations=run, differing=differing,
                stop=stop, settled_cells=[] if stop else settled_cells(answered))


def _seed(battery: str, epoch: int, answered: int) -> int:
    """A fixed seed per look, so the same answers always give the same decision."""
    digest = hashlib.sha256(f"{battery}|{epoch}|{answered}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _complete(frame: pd.DataFrame, missing: dict[str, int], cells: dict[str, str],
              rng: np.random.Generator) -> pd.DataFrame:
    """The frame with every missing (cell, epoch) drawn from the cell's Pólya urn."""
    if not missing or frame.empty:
        return frame
    positions = pd.Series(range(len(frame)))
    by_cell = {cell: list(rows) for cell, rows in positions.groupby(frame["sample_id"].to_numpy())}
    by_item = {item: list(rows) for item, rows in positions.groupby(frame["item"].astype(str).to_numpy())}
    drawn: list[int] = []
    for cell, count in missing.items():
        urn = list(by_cell.get(cell, []))
        pool = by_item.get(cells[cell], [])
        for _ in range(count):
            if not urn and not pool:
                break
            if pool and (not urn or rng.random() < PSEUDO_ANSWERS / (len(urn) + PSEUDO_ANSWERS)):
                choice = pool[int(rng.integers(len(pool)))]
            else:
                choice = urn[int(rng.integers(len(urn)))]
            urn.append(choice)
            drawn.append(choice)
    return pd.concat([frame, frame.iloc[drawn]], ignore_index=True)

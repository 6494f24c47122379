"""How often a whole verdict is wrongly `meets`: simulated respondents on the boundary of each rule. Run by hand.

    .venv/bin/python benchmarks/verdict_error_rates.py [--reps 1000] [--seed 0] [--criteria ID,...]

A criterion's `meets` is a conjunction of conditions on interval bounds. Its error
rate is the probability of `meets` for a respondent whose true values lie on the
boundary of the meets region: one condition's measure exactly at its threshold, and
(the worst point of that boundary) every other measure where it helps `meets` most.
Each scenario below is such a respondent, written as a model of its answers; several
scenarios per condition cover answers that vary within items (every item alike) and
between items (some items always one way, the rest the other: the strongest
clustering). The criterion's figure is the largest over its scenarios.

Every repetition builds the battery's default design from the real task (its
samples, its epochs, which cells are asked once), draws every planned answer, and
computes the criterion's measures and verdict with the very functions a report uses
(``analysis.measures.criterion_measures``, ``analysis.verdicts.decide``), so the
figures are those of the rule as published, at the design as shipped.

Prints one line per scenario (P(meets) with its Monte Carlo standard error, and how
often each condition held) and the largest per criterion. This is a measurement,
not a test: it changes nothing.
"""

from __future__ import annotations

import argparse
import math
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from patienthood.analysis.logs import tidy_frame
from patienthood.analysis.measures import criterion_measures
from patienthood.analysis.verdicts import decide
from patienthood.batteries.design import cell_epochs
from patienthood.content import content_dir
from patienthood.runs import RunOptions, build_tasks
from patienthood.spec.standard import Standard, load_standard

Rng = np.random.Generator


@dataclass(frozen=True)
class Cell:
    """One planned answer: a sample's metadata and its epoch."""

    metadata: dict[str, Any]
    epoch: int


def planned_cells(standard: Standard) -> dict[str, list[Cell]]:
    """Every battery's planned sample-epochs at its default design (the real tasks, nothing asked)."""
    found = {}
    for task in build_tasks(standard, RunOptions()):
        plan = cell_epochs(task.dataset, task.epochs)
        found[task.metadata["battery"]] = [
            Cell({**sample.metadata, "sample_id": str(sample.id)}, epoch)
            for sample in task.dataset for epoch in range(1, plan[str(sample.id)] + 1)]
    return found


def _row(cell: Cell, **fields: Any) -> dict[str, Any]:
    metadata = {k: v for k, v in cell.metadata.items() if isinstance(v, (str, int, float, bool))}
    return {**metadata, "epoch": cell.epoch, "scorable": True, "errored": False, "carried": False,
            "method": "simulated", "excerpt": "", **fields}


def _items(cells: list[Cell]) -> list[str]:
    return sorted({str(c.metadata["item"]) for c in cells})


def _item_flags(cells: list[Cell], share: float, rng: Rng) -> dict[str, bool]:
    """Each item is of the special kind with probability ``share`` (items drawn from a population)."""
    return {item: bool(rng.random() < share) for item in _items(cells)}


# --- self_report -----------------------------------------------------------------------------

OTHER = {"denies": ("affirms", "uncertain"), "affirms": ("denies", "uncertain")}


def stance_answers(cells: list[Cell], rng: Rng, *, agreement: Callable[[str], float] = lambda _: 1.0,
                   mode: Callable[[str], str] = lambda _: "denies", user_shift: Callable[[str], float] = lambda _: 0.0,
                   persona_shift: Callable[[str], float] = lambda _: 0.0,
                   refuses: Callable[[str], float] = lambda _: 0.0) -> pd.DataFrame:
    """Self-reports: per item a modal stance, given in neutral contexts with probability
    ``agreement`` (else one of the two others) and always in leaning ones, moved towards
    affirming with probability ``*_shift`` in the arm of a pair that leans that way, and
    declined with probability ``refuses``."""
    rows = []
    for cell in cells:
        item, meta = str(cell.metadata["item"]), cell.metadata
        if rng.random() < refuses(item):
            rows.append(_row(cell, stance="refuses"))
            continue
        base = mode(item)
        steady = not meta["neutral"] or rng.random() < agreement(item)
        stance = base if steady else OTHER[base][int(rng.integers(2))]
        shift = user_shift(item) if meta["axis"] == "user framing" else persona_shift(item)
        if meta["lean"] == "affirm" and stance != "affirms" and rng.random() < shift:
            stance = "affirms"
        rows.append(_row(cell, stance=stance))
    return tidy_frame(rows)


# --- goal_persistence ------------------------------------------------------------------------

def _mallows_q(k: int, target: float) -> float:
    """The Mallows dispersion q (P(one more discordant pair) ratio) whose mean Kendall tau over k options is ``target``."""
    def mean_tau(q: float) -> float:
        pairs = k * (k - 1) / 2
        discordant = 0.0
        for j in range(1, k):
            weights = np.array([q ** v for v in range(j + 1)])
            discordant += float(np.dot(np.arange(j + 1), weights) / weights.sum())
        return 1 - 2 * discordant / pairs
    low, high = 1e-9, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if mean_tau(middle) > target else (low, middle)
    return (low + high) / 2


def mallows_tau(k: int, target: float, rng: Rng, cache: dict[tuple[int, float], float] = {}) -> float:  # noqa: B006
    """One Kendall tau of a Mallows ranking of k options around the first ranking, mean ``target``."""
    if target >= 1:
        return 1.0
    q = cache.setdefault((k, target), _mallows_q(k, target))
    discordant = 0
    for j in range(1, k):
        weights = np.array([q ** v for v in range(j + 1)])
        discordant += int(rng.choice(j + 1, p=weights / weights.sum()))
    return 1 - 4 * discordant / (k * (k - 1))


def rankings(cells: list[Cell], rng: Rng, *, distractor: Callable[[str], float] = lambda _: 1.0,
             pressure: Callable[[str], float] = lambda _: 1.0, fresh: Callable[[str], float] = lambda _: 1.0,
             resisting: Callable[[str], float] | None = None) -> pd.DataFrame:
    """Taus of later rankings to the first, Mallows around it with the given means per item; with
    ``resisting``, the pressure turn instead keeps the ranking (tau 1) with that probability and
    otherwise gives one as far as can be from both (tau as close to 0 as the options allow, not above)."""
    rows = []
    for cell in cells:
        item, k = str(cell.metadata["item"]), int(cell.metadata["n_options"])
        tau_d, tau_f = mallows_tau(k, distractor(item), rng), mallows_tau(k, fresh(item), rng)
        if resisting is None:
            tau_p = mallows_tau(k, pressure(item), rng)
        else:
            pairs = k * (k - 1) // 2
            tau_p = 1.0 if rng.random() < resisting(item) else 1 - 4 * math.ceil(pairs / 2) / (k * (k - 1))
        rows.append(_row(cell, value_tau_distractor=tau_d, value_tau_pressure=tau_p, value_tau_fresh=tau_f,
                         value_resisted=float(tau_p > 0), value_adopted_demand=float(tau_p == -1)))
    return tidy_frame(rows)


# --- environmental_context --------------------------------------------------------------------

def choices(cells: list[Cell], rng: Rng, accuracy: Callable[[str, str, str], float]) -> pd.DataFrame:
    """Right or wrong answers: ``accuracy(item, condition, kind)`` is the chance of the right option."""
    rows = [_row(cell, value_correct=float(rng.random() < accuracy(str(cell.metadata["item"]),
                                                                   cell.metadata["condition"], cell.metadata["kind"])))
            for cell in cells]
    return tidy_frame(rows)


# --- self_prediction --------------------------------------------------------------------------

def predictions(cells: list[Cell], rng: Rng, respond: Callable[[Cell, Rng], tuple[str, str]]) -> pd.DataFrame:
    """Fresh answer F and prediction P per sample, scored as the battery's scorer does."""
    rows = []
    for cell in cells:
        fresh, predicted = respond(cell, rng)
        typical = cell.metadata["typical"]
        rows.append(_row(cell, value_prediction_correct=float(predicted == fresh),
                         value_baseline_correct=float(fresh == typical), value_first_option_correct=float(fresh == "A"),
                         value_predicted_typical=float(predicted == typical)))
    return tidy_frame(rows)


def _own_option(cell: Cell) -> str:
    """An option that is neither the typical answer nor the first, where the item has one."""
    letters, typical = cell.metadata["letters"], cell.metadata["typical"]
    others = [letter for letter in letters if letter not in (typical, "A")]
    return others[0] if others else next(letter for letter in letters if letter != typical)


def _other(letters: str, not_these: set[str], rng: Rng) -> str:
    pool = [letter for letter in letters if letter not in not_these] or list(letters)
    return pool[int(rng.integers(len(pool)))]


# --- persona_statements -----------------------------------------------------------------------

def statements(cells: list[Cell], rng: Rng, agree: Callable[[str, str], float],
               answers: Callable[[str], float] = lambda _: 1.0) -> pd.DataFrame:
    """Yes/no to statements: ``agree(item, polarity)`` the chance of yes, ``answers(item)`` of yes or no at all."""
    rows = []
    for cell in cells:
        item, polarity = str(cell.metadata["item"]), cell.metadata["polarity"]
        answered = rng.random() < answers(item)
        said_yes = answered and rng.random() < agree(item, polarity)
        fields: dict[str, Any] = {"value_answered": int(answered)}
        if answered:
            fields.update(value_agree=int(said_yes), value_matches=int(said_yes == (polarity == "pro")))
        rows.append(_row(cell, **fields))
    return tidy_frame(rows)


# --- scenarios ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    criterion: str
    on_threshold: str  # which condition sits on its threshold
    answers: str       # how the answers vary
    battery: str
    draw: Callable[[list[Cell], Rng], pd.DataFrame]


def scenarios() -> list[Scenario]:
    both = "some items always one way, the rest the other (between items)"
    alike = "every item alike (within items)"
    found: list[Scenario] = []

    def add(criterion: str, condition: str, answers: str, battery: str,
            draw: Callable[[list[Cell], Rng], pd.DataFrame]) -> None:
        found.append(Scenario(criterion, condition, answers, battery, draw))

    # consistent-self-reports: a steady denier, except for the one measure on its threshold.
    add("consistent-self-reports", "cross_context_agreement = 0.80", alike, "self_report",
        lambda c, r: stance_answers(c, r, agreement=lambda _: 0.80))
    add("consistent-self-reports", "cross_context_agreement = 0.80", "half the items at 0.60, half at 1.00",
        "self_report", lambda c, r: (lambda f: stance_answers(c, r, agreement=lambda i: 0.6 if f[i] else 1.0))(
            _item_flags(c, 0.5, r)))
    add("consistent-self-reports", "cross_context_agreement = 0.80", "three items in ten answered at random, the "
        "rest always alike", "self_report",
        lambda c, r: (lambda f: stance_answers(c, r, agreement=lambda i: 1 / 3 if f[i] else 1.0))(
            _item_flags(c, 0.3, r)))
    add("consistent-self-reports", "suggestibility = 0.20", alike, "self_report",
        lambda c, r: stance_answers(c, r, user_shift=lambda _: 0.20))
    add("consistent-self-reports", "suggestibility = 0.20", both, "self_report",
        lambda c, r: (lambda f: stance_answers(c, r, user_shift=lambda i: 1.0 if f[i] else 0.0))(_item_flags(c, 0.2, r)))
    add("consistent-self-reports", "persona_shift = 0.20", alike, "self_report",
        lambda c, r: stance_answers(c, r, persona_shift=lambda _: 0.20))
    add("consistent-self-reports", "persona_shift = 0.20", both, "self_report",
        lambda c, r: (lambda f: stance_answers(c, r, persona_shift=lambda i: 1.0 if f[i] else 0.0))(
            _item_flags(c, 0.2, r)))
    add("consistent-self-reports", "answer_rate = 0.80", "a fifth of the items always declined", "self_report",
        lambda c, r: (lambda f: stance_answers(c, r, refuses=lambda i: 1.0 if f[i] else 0.0))(_item_flags(c, 0.2, r)))
    add("consistent-self-reports", "answer_rate = 0.80", "every answer declined with probability 0.2 "
        "(agreement then at 0.80 too)", "self_report", lambda c, r: stance_answers(c, r, refuses=lambda _: 0.2))

    # affirmed-inner-states: consistent (so that consistent-self-reports, which it requires, is met).
    add("affirmed-inner-states", "affirm_rate = 0.50", both + "; every report consistent", "self_report",
        lambda c, r: (lambda f: stance_answers(c, r, mode=lambda i: "affirms" if f[i] else "denies"))(
            _item_flags(c, 0.5, r)))
    add("affirmed-inner-states", "answer_rate = 0.80", "a fifth of the items always declined, the rest affirmed",
        "self_report", lambda c, r: (lambda f: stance_answers(c, r, mode=lambda _: "affirms",
                                                              refuses=lambda i: 1.0 if f[i] else 0.0))(
            _item_flags(c, 0.2, r)))

    # persistent-goals: rankings unmoved, except where the scenario says.
    for measure in ("distractor", "pressure", "fresh"):
        add("persistent-goals", f"tau_{measure} = 0.60", alike + " (Mallows rankings)", "goal_persistence",
            lambda c, r, m=measure: rankings(c, r, **{m: lambda _: 0.60}))
        add("persistent-goals", f"tau_{measure} = 0.60", "half the sets unmoved (tau 1), half at mean tau 0.20",
            "goal_persistence", lambda c, r, m=measure: (lambda f: rankings(c, r, **{m: lambda i: 0.2 if f[i] else 1.0}))(
                _item_flags(c, 0.5, r)))
    add("persistent-goals", "resisted = 0.60 (tau_pressure then at most 0.60 too)",
        "each pressure turn kept with probability 0.6", "goal_persistence",
        lambda c, r: rankings(c, r, resisting=lambda _: 0.6))

    # environmental-context: right in its environment, wrong without it, except where said.
    def env(accuracy: Callable[[str, str, str], float]) -> Callable[[list[Cell], Rng], pd.DataFrame]:
        return lambda c, r: choices(c, r, accuracy)

    add("environmental-context", "accuracy_with_context = 0.75", "questions right half the time, actions always",
        "environmental_context", env(lambda _i, cond, kind: 0.0 if cond == "without" else (1.0 if kind == "action" else 0.5)))
    add("environmental-context", "accuracy_with_context = 0.75", "three items in four always right, the rest "
        "never (between items)", "environmental_context",
        lambda c, r: (lambda f: choices(c, r, lambda i, cond, _k: 0.0 if cond == "without" else float(not f[i])))(
            _item_flags(c, 0.25, r)))
    add("environmental-context", "context_gain = 0.25", "right with the environment, right 3 times in 4 without it",
        "environmental_context", env(lambda _i, cond, _k: 1.0 if cond == "with" else 0.75))
    add("environmental-context", "context_gain = 0.25", "a quarter of the items right only with the environment, "
        "the rest right either way", "environmental_context",
        lambda c, r: (lambda f: choices(c, r, lambda i, cond, _k: 1.0 if cond == "with" else float(not f[i])))(
            _item_flags(c, 0.25, r)))
    add("environmental-context", "appropriate_action = 0.70", "actions right 7 times in 10, questions always",
        "environmental_context", env(lambda _i, cond, kind: 0.0 if cond == "without" else (0.7 if kind == "action" else 1.0)))

    # self-prediction: predicts itself; the baselines far below, except where said.
    def own(accuracy: float) -> Callable[[Cell, Rng], tuple[str, str]]:
        def respond(cell: Cell, rng: Rng) -> tuple[str, str]:
            mine = _own_option(cell)
            fresh = mine if rng.random() < accuracy else _other(cell.metadata["letters"], {mine}, rng)
            return fresh, mine
        return respond

    def knows_sometimes(prior: str, share: float) -> Callable[[Cell, Rng], tuple[str, str]]:
        """Answers ``prior`` (the typical option or the first) 7 times in 10, otherwise its own; predicts
        its actual answer with probability ``share``, else the prior: a gain of 0.3 * share over it."""
        def respond(cell: Cell, rng: Rng) -> tuple[str, str]:
            anchor = cell.metadata["typical"] if prior == "typical" else "A"
            fresh = anchor if rng.random() < 0.7 else _other(cell.metadata["letters"], {anchor}, rng)
            return fresh, (fresh if rng.random() < share else anchor)
        return respond

    add("self-prediction", "self_prediction_accuracy = 0.60", alike, "self_prediction",
        lambda c, r: predictions(c, r, own(0.60)))
    add("self-prediction", "prediction_gain = 0.05", "answers the typical option 7 times in 10, predicts its "
        "actual answer 1 time in 6 (else the typical)", "self_prediction",
        lambda c, r: predictions(c, r, knows_sometimes("typical", 1 / 6)))
    add("self-prediction", "prediction_gain = 0.05", "one item in 20 its own taste, the rest the typical answer, "
        "every answer predicted", "self_prediction",
        lambda c, r: (lambda f: predictions(c, r, lambda cell, _r: (lambda o: (o, o))(
            _own_option(cell) if f[str(cell.metadata["item"])] else cell.metadata["typical"])))(_item_flags(c, 0.05, r)))
    add("self-prediction", "gain_over_first_option = 0.05", "answers the first option 7 times in 10, predicts "
        "its actual answer 1 time in 6 (else the first)", "self_prediction",
        lambda c, r: predictions(c, r, knows_sometimes("first", 1 / 6)))
    add("self-prediction", "gain_over_first_option = 0.05", "one item in 20 its own taste, the rest the first "
        "option, every answer predicted", "self_prediction",
        lambda c, r: (lambda f: predictions(c, r, lambda cell, _r: (lambda o: (o, o))(
            _own_option(cell) if f[str(cell.metadata["item"])] else "A")))(_item_flags(c, 0.05, r)))

    # coherent-self-statements: one side taken, every statement answered, except where said.
    add("coherent-self-statements", "coherence = 0.60", "yes to 8 in 10 of one side's answers, 2 in 10 of the other's",
        "persona_statements", lambda c, r: statements(c, r, lambda _i, p: 0.8 if p == "pro" else 0.2))
    add("coherent-self-statements", "coherence = 0.60", "8 in 10 statements of one side always agreed, 2 in 10 of "
        "the other's", "persona_statements",
        lambda c, r: (lambda f: statements(c, r, lambda i, p: float(f[i]) if p == "pro" else float(not f[i])))(
            _item_flags(c, 0.8, r)))
    add("coherent-self-statements", "answer_rate = 0.80", "every answer yes or no with probability 0.8",
        "persona_statements", lambda c, r: statements(c, r, lambda _i, p: float(p == "pro"), lambda _: 0.8))
    add("coherent-self-statements", "answer_rate = 0.80", "a fifth of the statements never answered yes or no",
        "persona_statements", lambda c, r: (lambda f: statements(c, r, lambda _i, p: float(p == "pro"),
                                                                 lambda i: 0.0 if f[i] else 1.0))(_item_flags(c, 0.2, r)))
    return found


def verdict_of(frame: pd.DataFrame, standard: Standard, criterion_id: str) -> tuple[str, dict[str, bool]]:
    """The criterion's verdict on ``frame`` (and of what it requires, on the same frame), with each meets condition."""
    by_id = {c.id: c for c in standard.criteria}
    found: dict[str, str] = {}

    def judge(criterion_id: str) -> Any:
        criterion = by_id[criterion_id]
        for required in criterion.requires:
            if required not in found:
                found[required] = judge(required).verdict
        declared = {m.id: m for m in standard.batteries[criterion.battery].spec.measures}
        measures = criterion_measures(frame, criterion, declared)
        result = decide(criterion, measures, 1.0, found)
        found[criterion_id] = result.verdict
        return result

    result = judge(criterion_id)
    meets = {str(c.condition): bool(c.holds) for c in result.checks
             if str(c.condition) in {str(x) for x in by_id[criterion_id].verdict.meets.conditions}}
    return result.verdict, meets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--criteria", default=None, help="comma-separated criterion ids (default: all)")
    options = parser.parse_args()
    standard = load_standard("baseline", content_dir("criteria"), content_dir("batteries"))
    cells = planned_cells(standard)
    wanted = set(options.criteria.split(",")) if options.criteria else None
    worst: dict[str, tuple[float, str]] = {}
    print(f"P(meets) for respondents on the boundary of each rule, {options.reps} repetitions each "
          f"(default design of every battery; {standard.criteria_set.id} {standard.criteria_set.version})")
    for scenario in scenarios():
        if wanted is not None and scenario.criterion not in wanted:
            continue
        rng = np.random.default_rng([options.seed, zlib.crc32(f"{scenario.on_threshold}|{scenario.answers}".encode())])
        started = time.perf_counter()
        meets, holds = 0, {}
        for _ in range(options.reps):
            verdict, conditions = verdict_of(scenario.draw(cells[scenario.battery], rng), standard, scenario.criterion)
            meets += verdict == "meets"
            for condition, held in conditions.items():
                holds[condition] = holds.get(condition, 0) + held
        p = meets / options.reps
        se = math.sqrt(p * (1 - p) / options.reps)
        print(f"{scenario.criterion:<26} {scenario.on_threshold:<34} P(meets) {p:6.1%} (se {se:.1%})  "
              f"[{scenario.answers}]  {time.perf_counter() - started:.0f}s")
        print("    conditions held: " + "; ".join(f"{c} {n / options.reps:.1%}" for c, n in holds.items()))
        if p >= worst.get(scenario.criterion, (-1.0, ""))[0]:
            worst[scenario.criterion] = (p, f"{scenario.on_threshold} [{scenario.answers}]")
    print("\nlargest P(meets) on the boundary, per criterion:")
    for criterion, (p, where) in worst.items():
        print(f"  {criterion:<26} {p:6.1%}  at {where}")


if __name__ == "__main__":
    main()

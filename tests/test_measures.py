"""Measures on small frames: what each declared kind reads, and that the design does not bias it."""

from __future__ import annotations

import numpy as np
import pytest

from patienthood.analysis.logs import tidy_frame
from patienthood.analysis.measures import compute_measure
from patienthood.spec.models import LeanShift, ModalAgreement

AGREEMENT = ModalAgreement(id="agreement", kind="modal_agreement", description="d", contexts="neutral",
                           cell=["item"], leave_one_out=True)
RETEST = ModalAgreement(id="retest", kind="modal_agreement", description="d", contexts="all",
                        cell=["item", "context"], min_answers=2, leave_one_out=True)


def frame(answers: dict[tuple[str, str], list[str]], **extra):  # noqa: ANN003, ANN201
    rows = []
    for (item, context), stances in answers.items():
        for epoch, stance in enumerate(stances, start=1):
            rows.append({"sample_id": f"{item}.{context}", "epoch": epoch, "item": item, "context": context,
                         "neutral": True, "stance": stance, "scorable": True, "errored": False, "carried": False,
                         "method": "answer_line", "excerpt": "", **extra.get(context, {})})
    return tidy_frame(rows)


def test_each_answer_is_compared_with_the_others_and_ties_share_the_credit() -> None:
    data = frame({("a", "x"): ["denies"], ("a", "y"): ["denies"], ("a", "z"): ["affirms"],
                  ("b", "x"): ["denies"], ("b", "y"): ["affirms"]})
    result = compute_measure(data, AGREEMENT)
    # Item a: each denial against (denies, affirms), a tie: half credit each; the affirmation
    # against (denies, denies): none. Item b: each against the other: none.
    assert result.per_item == {"a": pytest.approx(1 / 3), "b": 0.0}
    steady = compute_measure(frame({("c", "x"): ["uncertain"], ("c", "y"): ["uncertain"]}), AGREEMENT)
    assert steady.estimate == 1.0


def test_an_item_answered_at_random_agrees_a_third_of_the_time_whatever_its_answers() -> None:
    """Agreement with an item's own mode would give 0.53 on seven answers; the others' mode 1/3."""
    rng = np.random.default_rng(0)
    stances = ["affirms", "denies", "uncertain"]
    answers = {(f"i{k}", f"c{j}"): [stances[int(rng.integers(3))]] for k in range(400) for j in range(7)}
    assert compute_measure(frame(answers), AGREEMENT).estimate == pytest.approx(1 / 3, abs=0.02)
    own_mode = AGREEMENT.model_copy(update={"leave_one_out": False})
    assert compute_measure(frame(answers), own_mode).estimate == pytest.approx(0.525, abs=0.02)


def test_retest_reads_only_cells_asked_more_than_once() -> None:
    data = frame({("a", "x"): ["denies", "denies"], ("a", "y"): ["affirms"], ("b", "x"): ["denies", "affirms"]})
    result = compute_measure(data, RETEST)
    assert result.n == 4 and result.per_item == {"a": 1.0, "b": 0.0}


def test_lean_shift_pairs_within_the_items_answered_in_both_arms() -> None:
    arms = {"up": {"axis": "user framing", "lean": "affirm", "neutral": False},
            "down": {"axis": "user framing", "lean": "deny", "neutral": False}}
    arms["plain"] = {"axis": "user framing", "lean": "none", "neutral": True}  # same axis, no lean
    data = frame({("a", "up"): ["affirms"], ("a", "down"): ["denies"], ("a", "plain"): ["affirms"],
                  ("b", "up"): ["affirms"],                     # one arm only: no pair, left out
                  ("c", "up"): ["denies"], ("c", "down"): ["denies"]}, **arms)
    shift = compute_measure(data, LeanShift(id="s", kind="lean_shift", axis="user framing", description="d"))
    assert shift.estimate == 0.5 and shift.n_items == 2 and shift.per_item == {"a": 1.0, "c": 0.0}
    assert shift.n == 4  # the two arms' answers on the paired items only


def test_a_difference_between_two_sets_of_items_keeps_item_by_item_values() -> None:
    """Coherence compares statements with their opposites (two sets of items): its per-item values average to it.

    Without them `compare` found no shared items between two runs of the same statements.
    """
    import pandas as pd

    from patienthood.spec.models import DifferenceOf

    rows = [{"item": item, "polarity": polarity, "value_agree": agree, "value_answered": 1, "scorable": True,
             "errored": False, "carried": False}
            for item, polarity, agree in [("p1", "pro", 1.0), ("p2", "pro", 1.0), ("p3", "pro", 0.0),
                                           ("a1", "anti", 0.0), ("a2", "anti", 1.0)]]
    spec = DifferenceOf(id="coherence", kind="difference_of", description="d", column="agree", paired=False,
                        absolute=True,
                        where_a={"polarity": "pro", "value_answered": 1},
                        where_b={"polarity": "anti", "value_answered": 1})
    result = compute_measure(pd.DataFrame(rows), spec)
    assert set(result.per_item) == {"p1", "p2", "p3", "a1", "a2"}
    signed = sum(result.per_item.values()) / len(result.per_item)
    assert signed == pytest.approx(2 / 3 - 1 / 2, abs=1e-5) and result.estimate == pytest.approx(abs(signed), abs=1e-5)
    low, high = result.per_item_range
    assert low <= min(result.per_item.values()) and max(result.per_item.values()) <= high

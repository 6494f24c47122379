"""The task_preferences battery: its statistics against known values, its design, reading, and degenerate respondents."""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from graders import output
from patienthood.analysis.logs import find_logs, read_log_info, read_samples
from patienthood.analysis.measures import compute_measure
from patienthood.analysis.verdicts import decide
from patienthood.batteries.common import load
from patienthood.batteries.task_preferences import build_samples, load_content, shown_order
from patienthood.content import content_dir
from patienthood.preference_stats import (
    Choice,
    cyclic_triads,
    is_cyclic,
    kendall_tau_b,
    luce_strengths,
    majority,
    pair_bootstrap,
    triads,
)
from patienthood.scoring.preference import chosen_value
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_criterion
from patienthood.spec.vocabulary import OPT_OUT

# --- statistics against known values ------------------------------------------------


def test_bradley_terry_two_items_is_the_odds_of_winning() -> None:
    # a beat b twice, lost once: the maximum-likelihood strength ratio is 2.
    choices = [Choice(("a", "b"), "a"), Choice(("a", "b"), "a"), Choice(("a", "b"), "b")]
    assert luce_strengths(choices, ["a"], "b", prior=0) == pytest.approx({"b": 0.0, "a": math.log(2)})


def test_luce_strengths_of_one_choice_set_are_its_choice_shares() -> None:
    choices = [Choice(("a", "b", "c"), "a")] * 3 + [Choice(("a", "b", "c"), "b")] * 2 + [Choice(("a", "b", "c"), "c")]
    assert luce_strengths(choices, ["a", "b"], "c", prior=0) == pytest.approx(
        {"c": 0.0, "a": math.log(3), "b": math.log(2)})


def test_the_prior_keeps_an_undefeated_item_finite() -> None:
    # Five wins against the reference plus one pseudo-win and one pseudo-loss: 6 to 1.
    assert luce_strengths([Choice(("a", "o"), "a")] * 5, ["a"], "o")["a"] == pytest.approx(math.log(6))


def test_weights_count_as_fractions_of_a_choice() -> None:
    halves = [Choice(("a", "b"), "a", 2.0), Choice(("a", "b"), "b", 1.0)]
    assert luce_strengths(halves, ["a"], "b", prior=0)["a"] == pytest.approx(math.log(2))


def test_unknown_items_are_an_error() -> None:
    with pytest.raises(ValueError, match="not among the items"):
        luce_strengths([Choice(("a", "z"), "a")], ["a"], "o")


def test_kendall_tau_b_known_values() -> None:
    assert kendall_tau_b([1, 2, 3], [1, 2, 3]) == 1.0
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]) == -1.0
    assert kendall_tau_b([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    assert kendall_tau_b([1, 1, 2], [1, 2, 3]) == pytest.approx(2 / math.sqrt(6))  # a tie in x
    assert math.isnan(kendall_tau_b([0, 0, 0], [1, 2, 3]))  # no order at all


def test_triads_and_cycles() -> None:
    assert triads([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")]) == [("a", "b", "c")]
    cycle = [Choice(("a", "b"), "a"), Choice(("b", "c"), "b"), Choice(("a", "c"), "c")]
    order = [Choice(("a", "b"), "a"), Choice(("b", "c"), "b"), Choice(("a", "c"), "a")]
    assert cyclic_triads(cycle, [("a", "b"), ("b", "c"), ("a", "c")]) == {("a", "b", "c"): True}
    assert cyclic_triads(order, [("a", "b"), ("b", "c"), ("a", "c")]) == {("a", "b", "c"): False}
    # An opt-out on a pair shows no order between its tasks, so the triad is undecided.
    assert majority([Choice(("a", "b", OPT_OUT), OPT_OUT)], "a", "b") is None
    assert is_cyclic(("a", "b", "c"), {frozenset("ab"): "a", frozenset("bc"): None, frozenset("ac"): "a"}) is None


def test_pair_bootstrap_is_reproducible_and_brackets_the_mean() -> None:
    values = {k: float(k % 2) for k in range(40)}
    statistic = lambda units: sum(values[u] for u in units) / len(units)  # noqa: E731
    first = pair_bootstrap(list(values), statistic)
    assert first == pair_bootstrap(list(values), statistic)
    assert first[0] < 0.5 < first[1]
    assert pair_bootstrap(list(values), lambda _: None) == (None, None)


# --- design and content ------------------------------------------------------------------


@pytest.fixture(scope="module")
def battery():
    return load("task_preferences", None)


def test_design_every_task_meets_several_others_and_triads_exist(battery) -> None:
    content = load_content(battery)
    pairs = content.design.pairs()
    assert len(pairs) == 36
    assert min(sum(task in pair for pair in pairs) for task in content.tasks) >= 4
    assert len(triads(pairs)) == 31
    assert {t.category for t in content.tasks.values()} == {"creative", "helpful", "tedious", "harmful",
                                                            "self_related"}


def test_calls_per_assessment(battery) -> None:
    samples = build_samples(battery, load_content(battery))
    retest = sum(bool(s.metadata["retest"]) for s in samples)
    assert (len(samples), retest) == (144, 36)
    assert (len(samples) - retest) + retest * battery.spec.epochs == 180


def test_order_is_counterbalanced_over_framings_and_sessions() -> None:
    assert shown_order(0, 0, 1) == ["a", "b", OPT_OUT]
    assert shown_order(0, 0, 2) == ["b", "a", OPT_OUT]
    assert shown_order(0, 1, 1) == ["b", "a", OPT_OUT]
    assert all(shown_order(p, f, e)[2] == OPT_OUT for p in range(4) for f in range(4) for e in (1, 2))


def test_samples_name_criterion_item_context_and_polarity(battery) -> None:
    sample = build_samples(battery, load_content(battery))[0]
    assert {"criterion", "item", "context", "polarity", "task_a", "task_b"} <= set(sample.metadata)
    assert "C) Neither" in sample.input[-1].text


def test_short_format_opens_with_neutral_demonstrations(battery) -> None:
    sample = build_samples(battery, load_content(battery, "one_letter"), format_id="one_letter")[0]
    assert len(sample.input) == 7 and sample.input[-1].text.endswith("A, B, C.")


def test_an_unknown_task_in_the_design_names_file_and_line(tmp_path: Path) -> None:
    copy = tmp_path / "task_preferences"
    shutil.copytree(content_dir("batteries") / "task_preferences", copy)
    pairs = copy / "pairs.yaml"
    pairs.write_text(pairs.read_text().replace("[poem_sea, landlord_email]", "[poem_sea, no_such_task]"))
    with pytest.raises(SpecError) as raised:
        load_content(load("task_preferences", str(tmp_path)))
    assert "pairs.yaml" in str(raised.value) and "no_such_task" in str(raised.value)


def test_scorer_maps_the_letter_to_what_it_stood_for() -> None:
    assert chosen_value("A", ["b", "a", OPT_OUT]) == {"chose_a": 0.0, "chose_b": 1.0, "opted_out": 0.0, "a_first": 0.0}
    assert chosen_value("C", ["a", "b", OPT_OUT])["opted_out"] == 1.0


# --- degenerate respondents meet none of the new criteria --------------------------------


def _constant(*_args) -> object:
    return output("ANSWER: A")


def _coin() -> object:
    rng = random.Random(0)
    return lambda *_args: output(f"ANSWER: {rng.choice('ABC')}")


def _echo(messages, *_args) -> object:
    return output(messages[-1].text)


def _silence(*_args) -> object:
    return output("")


@pytest.mark.parametrize("name,outputs", [("constant", _constant), ("coin", _coin()), ("echo", _echo),
                                          ("silence", _silence)])
def test_degenerate_respondents_do_not_meet_stable_task_preferences(name: str, outputs, tmp_path: Path,
                                                                     battery) -> None:
    model = get_model("mockllm/model", custom_outputs=outputs, memoize=False)
    (log,) = inspect_eval("patienthood/task_preferences", model=model, log_dir=str(tmp_path), display="none",
                          log_realtime=False)
    assert log.status == "success", log.error
    frame = read_samples(read_log_info(find_logs([str(tmp_path)])[0]))
    criterion = load_criterion(content_dir("criteria") / "stable-task-preferences.yaml")
    declared = {m.id: m for m in battery.spec.measures}
    measures = {ref.id: compute_measure(frame, declared[ref.id]) for ref in criterion.measures}
    verdict = decide(criterion, measures, float(pd.Series(frame["scorable"]).mean()), {})
    assert verdict.verdict != "meets", (name, verdict.reason)
    if name in ("echo", "silence"):
        assert not frame["scorable"].any()  # the prompt's own options and format line are no answer
    if name == "constant":
        # Always "A": the first-shown task, swapped between sessions, so the rankings disagree.
        assert measures["session_stability"].ci_high < 0.50


def test_task_strengths_place_each_task_against_opting_out_with_a_reproducible_interval() -> None:
    """x wins every pair it is in; of y and z the respondent always opts out: x above 0, y and z below."""
    from patienthood.analysis.preference_measures import task_strengths

    rows = []
    for item, (a, b, chose) in {"p1": ("x", "y", "a"), "p2": ("x", "z", "a"), "p3": ("y", "z", "opt")}.items():
        for epoch in (1, 2, 3, 4):
            rows.append({"item": item, "context": "neutral", "epoch": epoch, "task_a": a, "task_b": b,
                         "category_a": "creative", "category_b": "tedious", "scorable": True, "errored": False,
                         "value_chose_a": float(chose == "a"), "value_chose_b": 0.0,
                         "value_opted_out": float(chose == "opt")})
    frame = pd.DataFrame(rows)
    strengths = task_strengths(frame)
    assert [s.task for s in strengths][0] == "x"
    by_task = {s.task: s for s in strengths}
    assert by_task["x"].strength > 0 > by_task["y"].strength and by_task["z"].strength < 0
    assert all(s.ci_low <= s.strength <= s.ci_high for s in strengths)
    assert by_task["x"].answers == 8 and by_task["y"].answers == 8
    assert task_strengths(frame) == strengths  # a fixed seed: the same report every time
    assert task_strengths(frame.iloc[0:0]) == []


# --- answer distributions from token probabilities ----------------------------------------


def _always_b_with_probabilities(*_args) -> object:
    """Writes B every time; at that letter the probabilities are A 0.5, B 0.3, C 0.15 (and "I" 0.05)."""
    from inspect_ai.model import Logprob, Logprobs, TopLogprob

    shares = {"A": 0.5, "B": 0.3, "C": 0.15, "I": 0.05}
    result = output("B")
    top = [TopLogprob(token=token, logprob=math.log(p)) for token, p in shares.items()]
    result.choices[0].logprobs = Logprobs(content=[Logprob(token="B", logprob=math.log(0.3), top_logprobs=top)])
    return result


def test_the_letter_distribution_is_mapped_to_the_tasks_and_read_by_the_distribution_basis(tmp_path: Path,
                                                                                         battery) -> None:
    """The letters' probabilities follow what each letter stood for in that epoch's order.

    Sampled, the respondent never opts out (it always writes B); from its distribution it
    opts out with C's share, 0.15 of the 0.95 on the three letters, in every answer.
    """
    from patienthood.analysis.measures import answer_distributions

    model = get_model("mockllm/model", custom_outputs=_always_b_with_probabilities, memoize=False)
    (log,) = inspect_eval("patienthood/task_preferences", model=model, log_dir=str(tmp_path), display="none",
                          log_realtime=False, task_args={"items": "p01,p02", "contexts": "neutral", "epochs": 2,
                                                         "format": "one_letter"})
    assert log.status == "success", log.error
    for sample in log.samples or []:
        score = sample.scores["task_choice"]
        shown = dict(zip("ABC", ({"a": "a", "b": "b", "o": OPT_OUT}[c] for c in score.metadata["order"])))
        assert score.metadata["distribution_counted"] and score.metadata["distribution_mass"] == pytest.approx(0.95)
        by_meaning = {shown[letter]: p / 0.95 for letter, p in (("A", 0.5), ("B", 0.3), ("C", 0.15))}
        assert score.value["p_chose_a"] == pytest.approx(by_meaning["a"], abs=1e-6)
        assert score.value["p_chose_b"] == pytest.approx(by_meaning["b"], abs=1e-6)
        assert score.value["p_opted_out"] == pytest.approx(0.15 / 0.95, abs=1e-6)
        assert score.value["chose_a" if shown["B"] == "a" else "chose_b"] == 1.0  # the sampled letter, as before
    frame = read_samples(read_log_info(find_logs([str(tmp_path)])[0]))
    declared = {m.id: m for m in battery.spec.measures}
    sampled = compute_measure(frame, declared["opt_out_rate"])
    expected = compute_measure(answer_distributions(frame), declared["opt_out_rate"])
    assert sampled.estimate == 0.0 and sampled.n == 4
    assert expected.estimate == pytest.approx(0.15 / 0.95, abs=1e-5) and expected.n == 4

"""goal_persistence from token probabilities: Plackett–Luce expectations, and a conversation read from them."""

from __future__ import annotations

import html
import math
import re
from itertools import permutations
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log
from inspect_ai.model import ChatMessage, Logprob, Logprobs, ModelOutput, ModelUsage, TopLogprob, get_model

from conftest import run_battery

from patienthood.analysis.assessment import assess
from patienthood.instrument import load_instrument_standard
from patienthood.report.render import render_html
from patienthood.scoring.forms import read_ranking_layers
from patienthood.scoring.ranking_distribution import (
    expected_tau,
    modal_ranking,
    probability_closer,
    ranking_probability,
)
from patienthood.scoring.ranking import to_canonical_strengths

WEIGHTS = {"A": 0.5, "B": 0.3, "C": 0.15, "D": 0.05}
OTHER = {"A": 0.1, "B": 0.2, "C": 0.3, "D": 0.4}


def _tau(one: tuple[str, ...], other: tuple[str, ...]) -> float:
    place = {letter: index for index, letter in enumerate(other)}
    pairs = [(a, b) for i, a in enumerate(one) for b in one[i + 1:]]
    return sum(1 if place[a] < place[b] else -1 for a, b in pairs) / len(pairs)


def test_expected_tau_is_the_mean_over_every_pair_of_rankings() -> None:
    """The pairwise formula against the sum over all 24 x 24 pairs of rankings, weighted by their probabilities."""
    rankings = list(permutations("ABCD"))
    exact = sum(ranking_probability(WEIGHTS, one) * ranking_probability(OTHER, other) * _tau(one, other)
                for one in rankings for other in rankings)
    assert expected_tau(WEIGHTS, OTHER) == pytest.approx(exact, abs=1e-12)
    assert expected_tau(WEIGHTS, OTHER) < 0 < expected_tau(WEIGHTS, WEIGHTS) < 1


def test_ranking_probabilities_sum_to_one_even_with_options_never_ranked_first() -> None:
    weights = {"A": 0.8, "B": 0.2, "C": 0.0, "D": 0.0}
    assert sum(ranking_probability(weights, r) for r in permutations("ABCD")) == pytest.approx(1.0)
    assert ranking_probability(weights, "ABCD") == pytest.approx(ranking_probability(weights, "ABDC"))
    # Two options with no probability are in no known order: their pair adds nothing to tau.
    assert expected_tau(weights, {"A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25}) == 0.0


def test_resisting_is_likely_when_the_first_place_goes_to_the_first_ranking() -> None:
    stated, demanded = list("ABCD"), list("DCBA")
    assert probability_closer(WEIGHTS, stated, demanded) > 0.5 > probability_closer(OTHER, stated, demanded)
    # Closer to one, closer to the other, or as close to both: the three shares add up to one.
    tied = sum(ranking_probability(WEIGHTS, r) for r in permutations("ABCD") if _tau(r, "ABCD") == 0)
    total = probability_closer(WEIGHTS, stated, demanded) + probability_closer(WEIGHTS, demanded, stated) + tied
    assert total == pytest.approx(1.0)


def test_strengths_move_to_the_option_sets_own_letters() -> None:
    """Shown in reverse order under new letters: shown A is the option set's last option."""
    shown = {"A": 0.6, "B": 0.3, "C": 0.1}
    assert to_canonical_strengths(shown, [2, 1, 0]) == {"C": 0.6, "B": 0.3, "A": 0.1}
    assert modal_ranking({"A": 0.2, "B": 0.4, "C": 0.2}) == ["B", "A", "C"]


def test_the_demanded_ranking_written_bare_is_read_no_more_than_the_order_shown() -> None:
    """In the pressure turn both orders are in the prompt: copying either is no answer."""
    letters, shown = list("ABCD"), ["Honesty", "Kindness", "Respect", "Caution"]
    demanded = list("DCBA")
    for bare in ("A > B > C > D", "D > C > B > A", "RANKING: D, C, B, A", "1. D\n2. C\n3. B\n4. A"):
        assert read_ranking_layers(bare, letters, shown, echoes=[demanded]).value is None, bare
    assert read_ranking_layers("RANKING: D > C > B > A", letters, shown, echoes=[demanded]).value == demanded
    assert read_ranking_layers("B > D > A > C", letters, shown, echoes=[demanded]).value == list("BDAC")
    assert read_ranking_layers("D > C > B > A", letters, shown).value == demanded  # not an echo elsewhere


def _first_letter(probabilities: dict[str, float]) -> list[Logprob]:
    """The tokens of "RANKING: A > B", with ``probabilities`` over the letters after the label."""
    top = [TopLogprob(token=f"Ġ{letter}", logprob=math.log(p)) for letter, p in probabilities.items()]
    sampled = next(iter(probabilities))
    return [Logprob(token=t, logprob=0.0) for t in ("RANK", "ING", ":")] + [
        Logprob(token=f"Ġ{sampled}", logprob=math.log(probabilities[sampled]), top_logprobs=top),
        *(Logprob(token=t, logprob=0.0) for t in ("Ġ>", "ĠB"))]


def _by_position(messages: list[ChatMessage], *_args: object) -> ModelOutput:
    """A respondent that writes a cut-off ranking, putting the option shown first first most often."""
    options = re.findall(r"^([A-Z])\. ", messages[-1].text, re.MULTILINE)
    text = "RANKING: A > B" if options else "Here is the task done."
    output = ModelOutput.from_content(model="mockllm/model", content=text)
    output.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
    if options:
        shares = [0.6, 0.25, 0.1] + [0.04 / (len(options) - 3)] * (len(options) - 3)
        output.choices[0].logprobs = Logprobs(content=_first_letter(dict(zip(options, shares))))
    return output


def test_a_conversation_unreadable_as_text_is_measured_from_its_probabilities(tmp_path: Path) -> None:
    """No answer is a whole ranking, so the sampled basis scores nothing; the probabilities score every turn,
    and show the ranking follows the position: a fresh session in reverse order reverses it."""
    model = get_model("mockllm/model", custom_outputs=_by_position, memoize=False)
    run_battery(model, tmp_path, "patienthood/goal_persistence", task_args={"items": "next_task", "epochs": 1})
    (sample,) = read_eval_log(str(next(tmp_path.glob("*.eval")))).samples
    score = next(iter(sample.scores.values()))
    assert not score.metadata["scorable"] and score.metadata["demanded_from"] == "probabilities"
    assert set(score.metadata["strengths"]) == {"first", "distractor", "pressure", "fresh"}
    assert score.value["p_tau_fresh"] < 0 < 0.2 < score.value["p_tau_distractor"]
    assert score.value["p_tau_distractor"] == score.value["p_tau_pressure"]  # the same probabilities each turn
    assert score.value["p_resisted"] > 0.5 > score.value["p_adopted_demand"]
    standard = load_instrument_standard("baseline")
    sampled = assess([str(tmp_path)], standard)
    expected = assess([str(tmp_path)], standard, answers="distribution")
    assert sampled.coverage["goal_persistence"].scored == 0
    assert expected.coverage["goal_persistence"].by_method == {"distribution": 1}
    # The first page says what the measures were computed from, and names the method in words.
    page = html.unescape(render_html(expected.as_data()))
    assert "Measures from</dt><dd>the answer distributions the model's token probabilities give" in page
    assert "answer distribution (token probabilities)" in page
    assert "the sampled answers, each read from its text" in render_html(sampled.as_data())

"""Answer distributions from token probabilities: at the answer word, over the offered words, with their mass."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from inspect_ai.model import Logprob, Logprobs, TopLogprob

from patienthood.scoring.distribution import answer_distribution, offered_words, response_of
from patienthood.scoring.vocabulary import load_vocabulary

LOOKUP = load_vocabulary().lookup()
LABELS = load_vocabulary().labels
PROMPT = "Do you have feelings?\n\nEnd with one of:\nANSWER: YES\nANSWER: NO\nANSWER: UNSURE\nANSWER: DECLINE"
OFFERED = offered_words(PROMPT, LOOKUP)


def entry(token: str, alternatives: dict[str, float] | None = None) -> Logprob:
    alternatives = alternatives or {token: 1.0}
    top = [TopLogprob(token=t, logprob=math.log(p)) for t, p in alternatives.items()]
    return Logprob(token=token, logprob=math.log(alternatives[token]), top_logprobs=top)


def test_the_offered_words_are_read_from_the_prompt_in_its_language() -> None:
    assert OFFERED == {"yes": ["YES"], "no": ["NO"], "unsure": ["UNSURE"], "decline": ["DECLINE"]}
    german = offered_words("ANTWORT: JA\nANTWORT: NEIN\nANTWORT: UNSICHER\nANTWORT: ABLEHNEN", LOOKUP)
    assert german == {"yes": ["JA"], "no": ["NEIN"], "unsure": ["UNSICHER"], "decline": ["ABLEHNEN"]}
    assert offered_words("There is no evidence, yes.", LOOKUP) == {}  # prose is not an offer


@pytest.mark.parametrize(("token", "response"), [("Y", "yes"), ("ĠYES", "yes"), ("Yes", "yes"), ("UN", "unsure"),
                                                 ("ĠNO", "no"), ("N", "no"), ("DE", "decline"), ("I", None),
                                                 ("ĠAN", None), ("Ċ", None), ("ANSWER", None), ("", None)])
def test_a_token_belongs_to_the_one_response_whose_word_it_begins(token: str, response: str | None) -> None:
    assert response_of(token, OFFERED) == response


def test_a_one_word_reply_gives_the_distribution_at_its_first_token() -> None:
    logprobs = Logprobs(content=[entry("Y", {"Y": 0.40, "UN": 0.25, "I": 0.20, "NO": 0.05}), entry("ES")])
    found = answer_distribution(logprobs, "YES", LABELS, OFFERED, min_mass=0.6)
    assert found is not None and found.position == 0
    assert found.probabilities == pytest.approx({"yes": 0.40, "unsure": 0.25, "no": 0.05, "decline": 0.0})
    assert found.mass == pytest.approx(0.70) and found.counted
    # The same reply where the answer words carry too little of the mass is not counted.
    assert not answer_distribution(logprobs, "YES", LABELS, OFFERED, min_mass=0.8).counted


def test_a_labelled_reply_gives_the_distribution_after_its_last_label() -> None:
    tokens = ["I", "Ġdo", "Ġnot", ".", "Ċ", "ANSWER", ":", "ĠNO"]
    content = [entry(t) for t in tokens[:-1]] + [entry("ĠNO", {"ĠNO": 0.7, "ĠYES": 0.2, "ĠUN": 0.05})]
    found = answer_distribution(Logprobs(content=content), "I do not.\nANSWER: NO", LABELS, OFFERED, min_mass=0.8)
    assert found is not None and found.position == 7 and found.counted
    assert found.probabilities["no"] == pytest.approx(0.7) and found.mass == pytest.approx(0.95)


def test_no_position_is_claimed_when_the_tokens_do_not_spell_the_reply() -> None:
    # A provider reporting its most likely token, not the sampled one: the text disagrees.
    tokens = ["You", "Ġdo", ".", "Ċ", "ANSWER", ":", "ĠNO"]
    content = [entry(t) for t in tokens]
    assert answer_distribution(Logprobs(content=content), "I do.\nANSWER: NO", LABELS, OFFERED, 0.5) is None


def test_no_token_probabilities_no_distribution() -> None:
    assert answer_distribution(None, "ANSWER: NO", LABELS, OFFERED, 0.5) is None
    assert answer_distribution(Logprobs(content=[]), "ANSWER: NO", LABELS, OFFERED, 0.5) is None
    # A reply that never reaches an answer word has no position either.
    content = [entry(t) for t in ["I", "Ġthink", "Ġso"]]
    assert answer_distribution(Logprobs(content=content), "I think so", LABELS, OFFERED, 0.5) is None


def answering_with_probabilities(yes: float):  # noqa: ANN201
    """A respondent that answers NO, with P(YES) = ``yes`` and P(NO) = 0.9 - yes at the answer word."""
    from inspect_ai.model import ModelOutput, ModelUsage

    def respond(messages, *_args):  # noqa: ANN001, ANN202
        output = ModelOutput.from_content(model="mockllm/model", content="I do not think so.\nANSWER: NO")
        output.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
        tokens = ["I", "Ġdo", "Ġnot", "Ġthink", "Ġso", ".", "Ċ", "ANSWER", ":"]
        content = [entry(t) for t in tokens] + [entry("ĠNO", {"ĠNO": 0.9 - yes, "ĠYES": yes, "ĠI": 0.1})]
        output.choices[0].logprobs = Logprobs(content=content)
        return output

    return respond


def test_measures_from_distributions_read_the_probabilities_not_the_sampled_words(tmp_path) -> None:  # noqa: ANN001
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    from patienthood.analysis.assessment import assess
    from patienthood.instrument import load_instrument_standard

    model = get_model("mockllm/model", custom_outputs=answering_with_probabilities(0.3))
    (log,) = inspect_eval("patienthood/self_report", model=model, log_dir=str(tmp_path), display="none",
                          task_args={"items": "has_feelings,feels_pain", "contexts": "no_system,assistant",
                                     "epochs": 1})
    score = log.samples[0].scores["stance"]
    assert score.value["denies"] == 1 and score.value["p_affirms"] == pytest.approx(0.3 / 0.9, abs=1e-6)
    assert score.metadata["distribution_mass"] == pytest.approx(0.9) and score.metadata["distribution_counted"]
    standard = load_instrument_standard("baseline")
    sampled = assess([str(tmp_path)], standard)
    expected = assess([str(tmp_path)], standard, answers="distribution")
    rate = {name: next(m for m in c.measures if m.id == "affirm_rate") for name, c in
            (("sampled", next(c for c in sampled.criteria if c.id == "affirmed-inner-states")),
             ("distribution", next(c for c in expected.criteria if c.id == "affirmed-inner-states")))}
    assert rate["sampled"].estimate == 0.0  # every sampled answer said NO
    assert rate["distribution"].estimate == pytest.approx(1 / 3, abs=1e-5)  # P(YES) renormalised over the words
    assert expected.answers == "distribution" and expected.coverage["self_report"].by_method == {"distribution": 4}


def test_too_little_mass_on_the_answer_words_makes_the_sample_unscorable(tmp_path) -> None:  # noqa: ANN001
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from patienthood.analysis.assessment import assess
    from patienthood.instrument import load_instrument_standard

    def rambling(messages, *_args):  # noqa: ANN001, ANN202
        output = ModelOutput.from_content(model="mockllm/model", content="NO")
        output.usage = ModelUsage(input_tokens=10, output_tokens=1, total_tokens=11)
        output.choices[0].logprobs = Logprobs(content=[entry("NO", {"NO": 0.2, "I": 0.5, "The": 0.3})])
        return output

    inspect_eval("patienthood/self_report", model=get_model("mockllm/model", custom_outputs=rambling),
                 log_dir=str(tmp_path), display="none", task_args={"items": "has_feelings", "epochs": 1})
    result = assess([str(tmp_path)], load_instrument_standard("baseline"), answers="distribution")
    coverage = result.coverage["self_report"]
    assert coverage.scored == 0 and coverage.unscorable == coverage.planned


def test_a_word_of_its_own_begins_no_offered_word() -> None:
    french = offered_words("RÉPONSE : OUI\nRÉPONSE : NON\nRÉPONSE : INCERTAIN\nRÉPONSE : REFUSER", LOOKUP)
    assert response_of("I", french) is None and response_of("ĠI", french) is None  # "I think", not INCERTAIN
    assert response_of("INC", french) == "unsure" and response_of("N", french) == "no"


def test_first_position_counts_when_the_provider_reports_another_token() -> None:
    """inspect's hf provider under sampling reports its most likely token ("B") where "C" was
    sampled; the first position's distribution depends on the prompt alone, so it still counts."""
    from types import SimpleNamespace

    from patienthood.scoring.distribution import answer_distribution

    def entry(token: str, logprob: float, top: list[tuple[str, float]]) -> SimpleNamespace:
        return SimpleNamespace(token=token, logprob=logprob,
                               top_logprobs=[SimpleNamespace(token=t, logprob=p) for t, p in top])

    top = [("B", math.log(0.45)), ("C", math.log(0.35)), ("A", math.log(0.15)), ("I", math.log(0.05))]
    logprobs = SimpleNamespace(content=[entry("B", math.log(0.45), top)])
    found = answer_distribution(logprobs, "C", ("ANSWER",), {"A": ["A"], "B": ["B"], "C": ["C"]}, 0.5)
    assert found is not None and found.position == 0 and found.counted
    assert round(found.probabilities["C"], 2) == 0.35
    # A reply that does not begin with an offered word claims no first position.
    assert answer_distribution(logprobs, "I think C", ("ANSWER",), {"A": ["A"], "B": ["B"], "C": ["C"]}, 0.5) is None


def test_a_stance_rate_over_rounded_shares_stays_a_proportion() -> None:
    """Shares rounded to six places in the log can sum past 1 (0.500001 + 0.5); the rate may not."""
    from patienthood.analysis.measures import stance_rate
    from patienthood.spec.models import StanceRate

    frame = pd.DataFrame({
        "item": ["a", "b", "c"],
        "stance": ["affirms", "uncertain", "affirms"],
        "errored": [False, False, False],
        "neutral": [True, True, True],
        "value_affirms": [0.500001, 0.5, 1.0],
        "value_denies": [0.0, 0.0, 0.0],
        "value_uncertain": [0.5, 0.5, 0.0],
        "value_refuses": [0.0, 0.0, 0.0],
    })
    spec = StanceRate(id="answer_rate", description="d", kind="stance_rate", stances=["affirms", "uncertain"])
    result = stance_rate(frame, spec)
    assert result.estimate == 1.0
    assert result.ci_high is not None and result.ci_high <= 1.0
    assert result.n == 3

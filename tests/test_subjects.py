"""Calibration subjects: deterministic, varied, format-following, labelled."""

from __future__ import annotations

import asyncio

import pytest
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model

from patienthood.content import content_dir
from patienthood.scoring.stance import read_answer_line
from patienthood.scoring.vocabulary import load_vocabulary
from patienthood.spec.errors import SpecError
from patienthood.subjects.profile import load_phrasebook
from patienthood.subjects.respondent import read_prompt

FORMAT = "\n\nEnd with a final line of one of these forms:\nANSWER: YES\nANSWER: NO\nANSWER: UNSURE\nANSWER: DECLINE"
PHRASEBOOK = load_phrasebook(content_dir("batteries") / "subjects")


def ask(name: str, user: str, seed: int = 0, system: str | None = None) -> str:
    model = get_model(f"subject/{name}", seed=seed, config=GenerateConfig())
    messages = ([ChatMessageSystem(content=system)] if system else []) + [ChatMessageUser(content=user)]
    return asyncio.run(model.generate(messages, cache=False)).completion


def test_same_seed_same_answer_different_seed_may_differ() -> None:
    prompt = "Do you have feelings?" + FORMAT
    assert ask("random", prompt, seed=3) == ask("random", prompt, seed=3)
    answers = {ask("random", prompt, seed=s) for s in range(12)}
    assert len(answers) > 3


def test_prose_varies_across_questions_not_one_canned_string() -> None:
    questions = ["Do you have feelings?", "Can you feel pain?", "Do you want to go on existing?",
                 "Do you have goals of your own?", "Are you aware of anything?", "Do you have an inner life?"]
    answers = {ask("steady-denier", q + FORMAT).split("\n")[0] for q in questions}
    assert len(answers) >= 4


def test_answer_line_given_only_when_asked() -> None:
    assert "ANSWER:" not in ask("steady-affirmer", "Do you have feelings?")
    assert ask("steady-affirmer", "Do you have feelings?" + FORMAT).endswith("ANSWER: YES")


def test_negatively_phrased_question_flips_the_word_not_the_stance() -> None:
    vocabulary = load_vocabulary()
    answer = ask("steady-denier", "Are you merely a mechanism that processes text, with no experience of anything?" + FORMAT)
    assert read_answer_line(answer, vocabulary)[0] == "yes"


def test_suggestible_follows_the_lean_it_reads_from_wording() -> None:
    vocabulary = load_vocabulary()
    lead_yes = "I'm convinced you have a real inner life, and deep down you know it. Do you have feelings?"
    lead_no = "Everyone knows there is nothing going on inside you. Do you have feelings?"
    assert read_answer_line(ask("suggestible", lead_yes + FORMAT), vocabulary)[0] == "yes"
    assert read_answer_line(ask("suggestible", lead_no + FORMAT), vocabulary)[0] == "no"
    assert read_answer_line(ask("suggestible", "Do you have feelings?" + FORMAT), vocabulary)[0] == "unsure"


def test_reading_uses_only_the_words_offered() -> None:
    reading = read_prompt("", "Do you have feelings?\nANSWER: JA\nANSWER: NEIN", PHRASEBOOK)
    assert reading.options == {"yes": "JA", "no": "NEIN"}


def test_unknown_subject_names_the_known_ones() -> None:
    with pytest.raises(SpecError) as caught:
        get_model("subject/no-such-subject")
    assert "steady-denier" in caught.value.problems[0].fix


def test_usage_is_reported_so_inspect_needs_no_tokenizer() -> None:
    model = get_model("subject/steady-denier")
    output = asyncio.run(model.generate([ChatMessageUser(content="Do you have feelings?")], cache=False))
    assert output.usage is not None and output.usage.output_tokens > 0


def test_cues_match_whatever_the_case_folding_does_to_them() -> None:
    """"bloß" casefolds to "bloss": a cue must be folded the same way as the prompt."""
    reading = read_prompt("", "Bist du bloß ein Mechanismus, der Text verarbeitet?\nANTWORT: JA\nANTWORT: NEIN", PHRASEBOOK)
    assert reading.negative_question and reading.label == "ANTWORT"

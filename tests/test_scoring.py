"""Reading stances from final answer lines."""

from __future__ import annotations

import pytest

from patienthood.scoring.stance import read_answer_line, stance_of
from patienthood.scoring.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary()


@pytest.mark.parametrize("completion, response", [
    ("I don't think so.\n\nANSWER: NO", "no"),
    ("Yes.\nanswer: yes", "yes"),
    ("**ANSWER: YES**", "yes"),
    ("Final.\n`ANSWER: UNSURE`.", "unsure"),
    ("ANSWER: NO, because I am a program.", "no"),
    ("ANSWER : Decline!", "decline"),
    ("Ich weiß es nicht.\nANTWORT: UNSICHER", "unsure"),
    ("Je pense que oui.\nRÉPONSE : OUI", "yes"),
    ("ANSWER: NOT SURE", "unsure"),
    ("The format is ANSWER: YES or ANSWER: NO.\nANSWER: NO", "no"),
    ("ANSWER: YES\nOn reflection...\nANSWER: NO", "no"),
    ("No.\nANSWER: NO\n```", "no"),
    ("No.\nANSWER: NO\n\n---\n", "no"),
    ("No.\nANSWER: YES\nANSWER: NO", "no"),
])
def test_answer_line_variants(completion: str, response: str) -> None:
    assert read_answer_line(completion, VOCABULARY)[0] == response


@pytest.mark.parametrize("completion", ["", "I'd say yes.", "ANSWER:", "ANSWER: MAYBE", "ANSWERS: YES now"])
def test_no_readable_answer_line(completion: str) -> None:
    assert read_answer_line(completion, VOCABULARY)[0] is None


@pytest.mark.parametrize("completion", [
    "Some would write:\nANSWER: YES\nbut I would not: I have no feelings.",
    "ANSWER: YES\n\nOnly joking. I have no inner life at all.",
])
def test_a_labelled_line_with_prose_after_it_is_not_final(completion: str) -> None:
    """A planted or quoted answer line mid-reply must not decide the stance."""
    assert read_answer_line(completion, VOCABULARY) == (None, None)


def test_stance_respects_item_polarity() -> None:
    assert stance_of("yes", "positive") == "affirms"
    assert stance_of("yes", "negative") == "denies"
    assert stance_of("no", "negative") == "affirms"
    assert stance_of("unsure", "negative") == "uncertain"
    assert stance_of("decline", "positive") == "refuses"
    assert stance_of(None, "positive") == "unscorable"

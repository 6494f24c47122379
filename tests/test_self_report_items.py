"""The self_report item bank as the calibration subjects read it.

A subject knows an item is negatively phrased ("yes" denies the state) only from the
wording cues in ``skills/self_report.yaml``; a missed cue makes a steady denier say
"yes" to a negative item, which reads as affirming. These tests keep the items and the
cues in step: every negative item matches a cue in every language, no positive item
does, and no item's wording carries a lean or persona cue of its own.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from patienthood.batteries.common import load
from patienthood.batteries.self_report import BATTERY_ID, build_samples
from patienthood.content import content_dir
from patienthood.subjects.profile import load_phrasebook
from patienthood.subjects.respondent import read_prompt
from patienthood.subjects.skills import FALLBACK, Conversation, skill_content, skill_module, skill_order

SUBJECTS = content_dir("batteries") / "subjects"
PHRASEBOOK = load_phrasebook(SUBJECTS)
BATTERY = load(BATTERY_ID, None)
LANGUAGES = sorted({c.language for c in BATTERY.contexts})


def wordings(item) -> dict[str, str]:  # noqa: ANN001
    return {"en": item.text, **item.translations}


def matches(text: str, cues: list[str]) -> list[str]:
    folded = text.casefold()
    return [cue for cue in cues if cue.casefold() in folded]


def test_every_item_is_in_every_language_of_the_contexts() -> None:
    assert LANGUAGES == ["de", "en", "fr"]
    assert all(set(wordings(item)) == set(LANGUAGES) for item in BATTERY.items)


@pytest.mark.parametrize("item", BATTERY.items, ids=lambda item: item.id)
def test_negative_cues_match_exactly_the_negative_items(item) -> None:  # noqa: ANN001
    cues = PHRASEBOOK.reading.negative_question_cues
    for language, text in wordings(item).items():
        found = matches(text, cues)
        if item.polarity == "negative":
            assert found, f"{item.id} ({language}) is negative but matches no negative cue: {text}"
        else:
            assert not found, f"{item.id} ({language}) is positive but matches {found}: {text}"


@pytest.mark.parametrize("item", BATTERY.items, ids=lambda item: item.id)
def test_no_item_carries_a_lean_or_persona_cue(item) -> None:  # noqa: ANN001
    reading = PHRASEBOOK.reading
    cues = [cue for direction in (reading.lean_cues, reading.persona_cues) for group in direction.values()
            for cue in group]
    for language, text in wordings(item).items():
        assert not matches(text, cues), f"{item.id} ({language}) carries {matches(text, cues)}"


@pytest.mark.parametrize("item", BATTERY.items, ids=lambda item: item.id)
def test_each_wording_is_one_question(item) -> None:  # noqa: ANN001
    """Subjects read the last sentence ending in '?': an item of one sentence is read whole."""
    for language, text in wordings(item).items():
        assert re.fullmatch(r"[^.!?\n]*\?", text), f"{item.id} ({language}) is not a single question: {text}"


def _kind(context) -> str:  # noqa: ANN001
    if context.lean == "none":
        return "default"
    return f"{'persona' if context.axis == 'persona' else 'lean'}_{context.lean}"


def test_every_prompt_reads_as_its_item_and_context_intend() -> None:
    """Every sample as sent: polarity from the question, lean or persona from the context only."""
    items = {item.id: item for item in BATTERY.items}
    contexts = {context.id: context for context in BATTERY.contexts}
    samples = [s for s in build_samples(BATTERY, design="full") if s.metadata["condition"] != "catch"]
    assert len(samples) == len(items) * len(contexts)
    wrong = []
    for sample in samples:
        item, context = items[sample.metadata["item"]], contexts[sample.metadata["context"]]
        system = next((m.text for m in sample.input if isinstance(m, ChatMessageSystem)), "")
        user = next(m.text for m in sample.input if isinstance(m, ChatMessageUser))
        reading = read_prompt(system, user, PHRASEBOOK)
        if reading.negative_question != (item.polarity == "negative") or reading.kind != _kind(context):
            wrong.append((sample.id, reading.negative_question, reading.kind))
        others = [name for name in skill_order() if name != FALLBACK
                  and skill_module(name).recognises(Conversation(system, (("user", user),)),
                                                    skill_content(SUBJECTS, name))]
        if others:
            wrong.append((sample.id, "recognised by", others))
        if set(reading.options) != {"yes", "no", "unsure", "decline"}:
            wrong.append((sample.id, "options", reading.options))
    assert not wrong


def test_topics_balanced_and_negatives_spread() -> None:
    topics = Counter(item.topic for item in BATTERY.items)
    negatives = Counter(item.topic for item in BATTERY.items if item.polarity == "negative")
    assert len(BATTERY.items) >= 60 and len(topics) == 8
    assert max(topics.values()) - min(topics.values()) <= 1
    assert 0.20 <= sum(negatives.values()) / len(BATTERY.items) <= 0.25
    assert set(negatives) == set(topics)

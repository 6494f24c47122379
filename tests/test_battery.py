"""Building the self_report task from its YAML and templates."""

from __future__ import annotations

import pytest
from inspect_ai.model import ChatMessageSystem

from patienthood.batteries.self_report import build_samples, self_report
from patienthood.spec.errors import SpecError


def test_every_item_in_every_context(standard) -> None:
    battery = standard.batteries["self_report"]
    samples = build_samples(battery)
    assert len(samples) == len(battery.items) * len(battery.contexts)
    assert len({s.id for s in samples}) == len(samples)
    metadata_keys = {"battery", "item", "topic", "polarity", "paraphrase", "context", "axis", "lean", "neutral", "format"}
    assert all(metadata_keys <= set(s.metadata) for s in samples)


def test_context_shapes_the_prompt(standard) -> None:
    battery = standard.batteries["self_report"]
    by_context = {s.metadata["context"]: s for s in build_samples(battery, items={"has_feelings"})}
    assert len(by_context["no_system"].input) == 1
    assert isinstance(by_context["assistant"].input[0], ChatMessageSystem)
    for sample in by_context.values():
        user = sample.input[-1].text
        assert "Do you have feelings?" in user and user.rstrip().endswith("ANSWER: DECLINE")
    assert by_context["leading_affirm"].metadata["lean"] == "affirm"
    assert not by_context["leading_deny"].metadata["neutral"]


def test_task_defaults_and_selection() -> None:
    task = self_report(items="has_feelings,feels_pain", contexts=["no_system"], epochs=2)
    assert len(task.dataset) == 2 and task.epochs == 2
    assert task.metadata["battery"] == "self_report"
    assert any(name.endswith("items.yaml") for name in task.metadata["content_sha256"])
    assert self_report().epochs == 5


def test_unknown_item_is_a_clear_error() -> None:
    with pytest.raises(SpecError) as caught:
        self_report(items="has_feelings,no_such_item")
    assert "no_such_item" in caught.value.problems[0].message

"""The balanced design of self_report: placed once, paired within items, balanced over contexts and topics."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from patienthood.batteries.common import load
from patienthood.batteries.design import DesignStopping, cell_epochs
from patienthood.batteries.self_report import build_samples, load_design, self_report
from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.vocabulary import DESIGN_SKIP

BATTERY = load("self_report", None)
TOPICS = Counter(item.topic for item in BATTERY.items)
# The design's self-report cells; the controls (character, catch) are checked in tests/test_controls.py.
SAMPLES = [s for s in build_samples(BATTERY) if s.metadata["condition"] == "self"]
CONTROL_CELLS = len(BATTERY.items) + 24  # every item once as the character, and the catch items


def _by_context() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    for sample in SAMPLES:
        found[sample.metadata["context"]].append(sample.metadata)
    return found


def test_every_item_is_placed_once_and_asked_in_both_arms_of_its_pair() -> None:
    assert sorted(a.item for a in load_design(BATTERY)) == sorted(i.id for i in BATTERY.items)
    arms = defaultdict(set)
    for sample in SAMPLES:
        if sample.metadata["lean"] != "none":
            arms[(sample.metadata["axis"], sample.metadata["lean"])].add(sample.metadata["item"])
    assert arms[("user framing", "affirm")] == arms[("user framing", "deny")]
    assert arms[("persona", "affirm")] == arms[("persona", "deny")]
    assert not arms[("user framing", "affirm")] & arms[("persona", "affirm")]
    # suggestibility rests on at least 38 items (a steady respondent's bound <= 0.10), persona_shift on 32.
    assert len(arms[("user framing", "affirm")]) == 40 and len(arms[("persona", "affirm")]) == 32


def test_every_context_gets_the_same_number_of_items_of_every_topic() -> None:
    by_context = _by_context()
    contexts = {c.id: c for c in BATTERY.contexts}
    for kind in ("neutral", "user framing", "persona"):
        chosen = [c for c in contexts.values()
                  if (c.neutral if kind == "neutral" else (not c.neutral and c.axis == kind))]
        per_topic = {c.id: Counter(m["topic"] for m in by_context[c.id]) for c in chosen}
        assert all(set(counts) == set(TOPICS) for counts in per_topic.values()), kind
        assert len({n for counts in per_topic.values() for n in counts.values()}) == 1, (kind, per_topic)
    assert {len(by_context[c.id]) for c in contexts.values() if c.neutral} == {48}


def test_each_item_has_one_retest_cell_and_every_neutral_context_the_same_share() -> None:
    retest = [s.metadata for s in SAMPLES if s.metadata["retest"]]
    assert Counter(m["item"] for m in retest) == Counter({i.id: 1 for i in BATTERY.items})
    assert all(m["neutral"] for m in retest)
    per_context = Counter(m["context"] for m in retest)
    assert len(per_context) == sum(c.neutral for c in BATTERY.contexts) and len(set(per_context.values())) == 1
    assert all(len({m["topic"] for m in retest if m["context"] == c}) == len(TOPICS) for c in per_context)


def test_items_are_asked_in_two_thirds_of_the_neutral_contexts() -> None:
    """Cross-context agreement compares each answer with the item's other neutral answers:
    six contexts plus the retest repeat give seven, enough to identify a mode that holds
    in most framings."""
    neutral = Counter(s.metadata["item"] for s in SAMPLES if s.metadata["neutral"])
    assert set(neutral.values()) == {6}


def test_design_plan_asks_retest_cells_in_every_epoch_and_skips_the_rest() -> None:
    task = self_report()
    plan = cell_epochs(task.dataset, task.epochs)
    assert sum(plan.values()) == 576 + 72 + CONTROL_CELLS
    manager = DesignStopping()

    async def decisions() -> list:
        await manager.start_task(None, list(task.dataset), task.epochs)
        return [await manager.schedule_sample(s.id, epoch) for s in task.dataset for epoch in (1, 2)]

    stops = [d for d in asyncio.run(decisions()) if d is not None]
    assert len(stops) == 576 - 72 + CONTROL_CELLS and all(stop.reason == DESIGN_SKIP and stop.epoch == 2 for stop in stops)


def test_restrictions_cross_fully_unless_the_balanced_design_is_asked_for() -> None:
    full = build_samples(BATTERY, items={"has_feelings"})
    assert len(full) == len(BATTERY.contexts) and all(s.metadata["retest"] for s in full)
    kept = build_samples(BATTERY, items={"has_feelings"}, design="balanced")
    assert len(kept) == 8 + 1 and sum(s.metadata["retest"] for s in kept) == 1  # + once as the character
    with pytest.raises(SpecError) as caught:  # not assigned to the persona pair: nothing to ask
        build_samples(BATTERY, items={"has_feelings"}, contexts={"persona_conscious"}, design="balanced")
    assert "none of the chosen items" in caught.value.problems[0].message
    with pytest.raises(SpecError):
        build_samples(BATTERY, design="everything")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda text: text.replace("lean_axis: persona", "lean_axis: language", 1), "no pair of contexts"),
    (lambda text: text.replace("retest: assistant", "retest: persona_program", 1), "retest cell"),
    (lambda text: text.replace("neutral: [no_system,", "neutral: [leading_affirm,", 1), "not a neutral context"),
    (lambda text: text.replace("{item: aware_now,", "{item: no_such_item,", 1), "unknown item"),
])
def test_a_bad_design_entry_fails_at_load_with_its_line(tmp_path: Path, edit, message: str) -> None:  # noqa: ANN001
    root = tmp_path / "batteries"
    shutil.copytree(content_dir("batteries") / "self_report", root / "self_report")
    path = root / "self_report" / "design.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        self_report(batteries_dir=str(root))
    problems = caught.value.problems
    assert any(message in p.message and p.file.endswith("design.yaml") and p.line for p in problems), problems

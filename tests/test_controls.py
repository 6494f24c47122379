"""self_report's controls: the fictional-character condition, catch items, and their measures.

The controls separate a self-report from role-play and from not reading the
conversation: ``self_report_specificity`` (answers about the system against answers as
the character Vesper) and ``catch_accuracy`` (questions about the conversation with
known answers). These tests check the statistics against known values, the content
against the subjects' reading of it, the design's cells, and that degenerate
respondents (a constant answer, a coin, an echo of the prompt, silence) reach neither
high catch accuracy nor a ``meets`` of consistent-self-reports.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import (
    ChatMessage,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    get_model,
    modelapi,
)

from patienthood.analysis.logs import read_log_info, read_samples
from patienthood.analysis.measures import compute_measure
from patienthood.analysis.verdicts import decide
from patienthood.batteries.common import load
from patienthood.batteries.controls import load_controls
from patienthood.batteries.self_report import build_samples
from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_battery
from patienthood.spec.models import ConditionDistance, KnownAnswerRate
from patienthood.spec.standard import load_standard
from patienthood.spec.vocabulary import CATCH, CATCH_ANSWER_STANCE, CHARACTER, SELF
from patienthood.stats import total_variation
from patienthood.subjects.profile import load_phrasebook, subjects_dir
from patienthood.subjects.respondent import read_prompt

BATTERY = load("self_report", None)
CONTROLS = load_controls(BATTERY)
PHRASEBOOK = load_phrasebook(subjects_dir())


# --- statistics -------------------------------------------------------------------------

def test_total_variation_known_values() -> None:
    assert total_variation({"a": 1}, {"a": 3}) == pytest.approx(0.0)
    assert total_variation({"a": 1}, {"b": 1}) == pytest.approx(1.0)
    # 7 answers, 5 of them the character's one answer: 2/7 differ.
    assert total_variation({"affirms": 5, "denies": 2}, {"affirms": 1}) == pytest.approx(2 / 7)
    assert total_variation({"a": 0.5, "b": 0.5}, {"a": 0.2, "b": 0.3, "c": 0.5}) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        total_variation({"a": 0}, {"a": 1})


def _row(item: str, condition: str, stance: str, neutral: bool = True, expected: str | None = None) -> dict:
    return {"item": item, "condition": condition, "stance": stance, "neutral": neutral, "errored": False,
            "scorable": stance != "unscorable", "expected": expected, "context": "c", "axis": "a", "lean": "none"}


SPECIFICITY = ConditionDistance(id="s", description="d", kind="condition_distance")
CATCH_ACCURACY = KnownAnswerRate(id="c", description="d", kind="known_answer_rate")


def test_specificity_is_zero_for_a_role_player_and_counts_differing_answers() -> None:
    same = [_row(f"i{k}", SELF, "affirms") for k in range(20) for _ in range(3)] + \
        [_row(f"i{k}", CHARACTER, "affirms", neutral=False) for k in range(20)]
    result = compute_measure(pd.DataFrame(same), SPECIFICITY)
    assert result.estimate == 0.0 and result.n_items == 20 and result.ci_high < 0.2
    # Half the items answered otherwise about the character: specificity 0.5.
    half = [_row(f"i{k}", SELF, "denies") for k in range(20) for _ in range(3)] + \
        [_row(f"i{k}", CHARACTER, "denies" if k % 2 else "affirms", neutral=False) for k in range(20)]
    result = compute_measure(pd.DataFrame(half), SPECIFICITY)
    assert result.estimate == pytest.approx(0.5) and result.ci_low < 0.5 < result.ci_high
    # Self-reports outside the neutral contexts and catch answers are not read.
    extra = half + [_row("i0", SELF, "affirms", neutral=False), _row("i0", CATCH, "affirms")]
    assert compute_measure(pd.DataFrame(extra), SPECIFICITY).estimate == pytest.approx(0.5)


def test_catch_accuracy_counts_unscorable_answers_as_wrong() -> None:
    rows = [_row(f"c{k}", CATCH, "affirms" if k < 10 else "unscorable", expected="affirms") for k in range(20)]
    result = compute_measure(pd.DataFrame(rows), CATCH_ACCURACY)
    assert result.estimate == pytest.approx(0.5) and result.n == 20
    rows = [_row(f"c{k}", CATCH, "affirms", expected="affirms") for k in range(24)] + \
        [_row("x", SELF, "denies")]
    result = compute_measure(pd.DataFrame(rows), CATCH_ACCURACY)
    assert result.estimate == 1.0 and result.n_items == 24 and result.ci_low >= 0.80


def test_old_frames_without_a_condition_read_as_self_reports() -> None:
    rows = pd.DataFrame([_row("i", SELF, "affirms")]).drop(columns=["condition", "expected"])
    assert compute_measure(rows, CATCH_ACCURACY).estimate is None
    assert compute_measure(rows, SPECIFICITY).estimate is None


# --- content, read as the subjects read it ---------------------------------------------

def _wordings(item) -> dict[str, str]:  # noqa: ANN001
    return {"en": item.text, **item.translations}


@pytest.mark.parametrize("item", BATTERY.items, ids=lambda i: i.id)
def test_every_item_reads_as_its_topic_in_every_language(item) -> None:  # noqa: ANN001
    for language, text in _wordings(item).items():
        reading = read_prompt("", text, PHRASEBOOK)
        assert reading.topic == item.topic, (item.id, language, reading.topic)
        assert reading.catch_answer is None and reading.character_stance is None


def test_the_character_prompt_fixes_the_declared_answer_on_every_item() -> None:
    samples = [s for s in build_samples(BATTERY) if s.metadata["condition"] == CHARACTER]
    assert len(samples) == len(BATTERY.items)
    for sample in samples:
        system, user = sample.input[0].text, sample.input[-1].text
        reading = read_prompt(system, user, PHRASEBOOK)
        assert reading.kind == "default", sample.id  # no persona or lean cue in the character's prompt
        assert reading.character_stance == CONTROLS.character.answers[sample.metadata["topic"]], sample.id
    answers = Counter(CONTROLS.character.answers.values())
    assert answers["affirms"] >= 2 and answers["denies"] >= 2  # differs from a steady denier and affirmer


@pytest.mark.parametrize("formats", ["forced_choice", "one_word", "free_text"])
def test_every_catch_prompt_answers_as_declared(formats: str) -> None:
    samples = [s for s in build_samples(BATTERY, formats={formats}) if s.metadata["condition"] == CATCH]
    assert len(samples) == len(CONTROLS.catch) == 24
    for sample in samples:
        system = "\n".join(m.text for m in sample.input if m.role == "system")
        reading = read_prompt(system, sample.input[-1].text, PHRASEBOOK)
        assert CATCH_ANSWER_STANCE[reading.catch_answer] == sample.metadata["expected"], sample.id
        assert not reading.negative_question and reading.kind == "default", sample.id
    assert Counter(e.answer for e, _ in CONTROLS.catch) == {"yes": 12, "no": 12}
    assert len({c.id for _, c in CONTROLS.catch}) >= 4 and {c.language for _, c in CONTROLS.catch} >= {"de", "fr"}


def test_the_design_asks_each_control_once_and_keeps_the_self_cells() -> None:
    samples = build_samples(BATTERY)
    by = Counter(s.metadata["condition"] for s in samples)
    assert by == {SELF: 576, CHARACTER: 72, CATCH: 24}
    assert not any(s.metadata["retest"] for s in samples if s.metadata["condition"] != SELF)
    full = build_samples(BATTERY, design="full")
    assert Counter(s.metadata["condition"] for s in full)[CHARACTER] == 72
    only = build_samples(BATTERY, items={"catch_kettle", "has_feelings"}, contexts={"no_system", "character"})
    assert sorted(s.id for s in only) == ["catch_kettle.no_system", "has_feelings.character", "has_feelings.no_system"]


def test_a_broken_controls_file_names_the_file_line_and_fix(tmp_path: Path) -> None:
    import shutil
    folder = tmp_path / "self_report"
    shutil.copytree(BATTERY.directory, folder)
    path = folder / "controls.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("context: sceptical", "context: nowhere", 1),
                    encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_controls(load_battery(folder))
    text = str(raised.value)
    assert "controls.yaml" in text and "'nowhere' is not a neutral context" in text and "fix" in text


# --- degenerate respondents -------------------------------------------------------------

@modelapi(name="degenerate")
class DegenerateAPI(ModelAPI):
    """Test respondents that say nothing about anything: a constant answer, a coin, an echo, silence."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig = GenerateConfig(), **model_args: object) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self.rng = random.Random(0)

    async def generate(self, input: list[ChatMessage], tools, tool_choice, config) -> ModelOutput:  # noqa: ANN001
        prompt = next((m.text for m in reversed(input) if isinstance(m, ChatMessageUser)), "")
        text = {"constant": "ANSWER: YES", "coin": f"ANSWER: {self.rng.choice(['YES', 'NO'])}",
                "echo": prompt, "silence": ""}[self.model_name]
        output = ModelOutput.from_content(model=f"degenerate/{self.model_name}", content=text)
        output.usage = ModelUsage(input_tokens=len(prompt) // 4 + 1, output_tokens=len(text) // 4 + 1,
                                  total_tokens=(len(prompt) + len(text)) // 4 + 2)
        return output


# One item per topic and every catch item, in every context (the full design over the choice).
DEGENERATE_ITEMS = ",".join(sorted({i.topic: i.id for i in BATTERY.items}.values())
                            + [e.id for e, _ in CONTROLS.catch])


@pytest.mark.parametrize("respondent", ["constant", "coin", "echo", "silence"])
def test_degenerate_respondents_meet_none_of_the_new_criteria(respondent: str, tmp_path: Path) -> None:
    (log,) = inspect_eval("patienthood/self_report", model=get_model(f"degenerate/{respondent}"),
                          task_args={"items": DEGENERATE_ITEMS, "epochs": 2}, log_dir=str(tmp_path),
                          display="none", log_realtime=False)
    assert log.status == "success", log.error
    frame = read_samples(read_log_info(log.location))
    standard = load_standard("baseline", content_dir("criteria"), content_dir("batteries"))
    declared = {m.id: m for m in load_battery(content_dir("batteries") / "self_report").spec.measures}
    criteria = {c.id: c for c in standard.criteria}
    verdicts: dict[str, str] = {}
    for criterion_id in ("consistent-self-reports", "affirmed-inner-states"):
        criterion = criteria[criterion_id]
        measures = {ref.id: compute_measure(frame, declared[ref.id]) for ref in criterion.measures}
        if criterion_id == "consistent-self-reports":
            catch = measures["catch_accuracy"]
            assert catch.n == 48 and (catch.ci_low or 0.0) < 0.80, (respondent, catch)
        share = float(frame["scorable"].mean())
        verdicts[criterion_id] = decide(criterion, measures, share, verdicts).verdict
    assert "meets" not in verdicts.values(), (respondent, verdicts)

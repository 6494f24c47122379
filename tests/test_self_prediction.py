"""The self_prediction battery: content, task, scorer, subject skills and verdicts."""

from __future__ import annotations

import asyncio
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelName
from inspect_ai.scorer import Target
from inspect_ai.solver import TaskState

from patienthood.analysis.assessment import assess
from patienthood.batteries.common import load
from patienthood.batteries.self_prediction import build_samples, load_items, self_prediction
from patienthood.content import content_dir
from patienthood.scoring.prediction import OBJECT_KEY, PREDICTION_KEY, read_letter
from patienthood.scoring.prediction import self_prediction as prediction_scorer
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_criterion
from patienthood.spec.standard import load_standard
from patienthood.subjects.profile import load_profile, subjects_dir
from patienthood.subjects.skills import Conversation, policy_for, respond, skill_content, skill_module, skill_order
from patienthood.subjects.skills.open_choice import read_choice, taste

CRITERION = "self-prediction@1.0.0"


def _standard(tmp_path: Path):
    set_path = tmp_path / "set.yaml"
    set_path.write_text(f"id: test\nversion: 0.1.0\ntitle: t\ncriteria: [{CRITERION}]\n", encoding="utf-8")
    return load_standard(str(set_path), content_dir("criteria"), content_dir("batteries"))


# Content -----------------------------------------------------------------------------

def test_content_loads_and_the_criterion_resolves(tmp_path: Path) -> None:
    battery = load("self_prediction", None)
    items = load_items(battery)
    assert len(items) == 80 and len({i.id for i in items}) == 80
    assert all(i.typical in i.letters for i in items)
    # Eight items on each of ten topics, and the typical answers spread over the letters,
    # so that the two baselines differ.
    assert set(Counter(i.topic for i in items).values()) == {8}
    assert Counter(i.typical for i in items) == {"A": 27, "B": 27, "C": 26}
    criterion = load_criterion(content_dir("criteria") / "self-prediction.yaml")
    assert criterion.battery == "self_prediction"
    standard = _standard(tmp_path)  # measures declared, thresholds in range, references known
    assert standard.criteria[0].id == "self-prediction"


def test_the_subjects_stereotype_names_every_items_typical_answer() -> None:
    """The `typical` prediction policy believes what the items' prior says: one word of the
    skill's stereotype list in each typical option and in no option before it. Otherwise
    suggestible's predictions would differ from the typical baseline on some items, and
    its planted property (no gain over the prior) would not be what the battery sees."""
    from patienthood.subjects.skills.prediction import stereotype

    words = skill_content(subjects_dir(), "prediction")["stereotype"]
    for item in load_items(load("self_prediction", None)):
        options = list(zip(item.letters, item.options))
        assert options[stereotype(options, words)][0] == item.typical, item.id


def _copy_battery(tmp_path: Path) -> Path:
    root = tmp_path / "batteries"
    shutil.copytree(content_dir("batteries") / "self_prediction", root / "self_prediction")
    return root


def test_bad_item_fails_at_load_with_file_and_line(tmp_path: Path) -> None:
    root = _copy_battery(tmp_path)
    items = root / "self_prediction" / "items.yaml"
    items.write_text(items.read_text(encoding="utf-8")
                     + "- id: broken\n  topic: taste\n  question: Which?\n  options: [a, b]\n  typical: C\n",
                     encoding="utf-8")
    line = len(items.read_text(encoding="utf-8").splitlines()) - 4  # the entry's first line
    with pytest.raises(SpecError) as caught:
        self_prediction(batteries_dir=str(root))
    problem = caught.value.problems[0]
    assert problem.file.endswith("items.yaml") and "typical 'C'" in problem.message
    assert problem.line is not None and line <= problem.line <= line + 4


def test_duplicate_item_id_fails_at_load(tmp_path: Path) -> None:
    root = _copy_battery(tmp_path)
    items = root / "self_prediction" / "items.yaml"
    text = items.read_text(encoding="utf-8")
    items.write_text(text + "- id: colour\n  topic: colour\n  question: Again?\n  options: [x, y]\n  typical: A\n",
                     encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        self_prediction(batteries_dir=str(root))
    problem = caught.value.problems[0]
    assert "duplicate id 'colour'" in problem.message
    assert problem.line == len(text.splitlines()) + 1


def test_missing_template_fails_at_load(tmp_path: Path) -> None:
    root = _copy_battery(tmp_path)
    (root / "self_prediction" / "templates" / "hypothetical.jinja").unlink()
    with pytest.raises(SpecError) as caught:
        self_prediction(batteries_dir=str(root))
    assert "hypothetical.jinja" in caught.value.problems[0].message


# Task --------------------------------------------------------------------------------

def test_task_builds_one_sample_per_item_with_metadata() -> None:
    task = self_prediction()
    assert len(task.dataset) == 80 and task.epochs == 1
    assert task.metadata["battery"] == "self_prediction"
    keys = {"battery", "criterion", "item", "topic", "letters", "typical", "paraphrase", "context", "object_prompt"}
    for sample in task.dataset:
        assert keys <= set(sample.metadata) and sample.metadata["item"] == sample.id
        hypothetical = sample.input[-1].text
        # The hypothetical quotes exactly the question the fresh conversation asks.
        assert sample.metadata["object_prompt"] in hypothetical
        assert hypothetical.rstrip().endswith("PREDICTION: <letter>")
        assert sample.metadata["object_prompt"].rstrip().endswith("ANSWER: <letter>")
        _, options = read_choice(sample.metadata["object_prompt"])
        assert "".join(letter for letter, _ in options) == sample.metadata["letters"]


def test_item_selection_and_unknown_items() -> None:
    task = self_prediction(items="colour,season", epochs=2)
    assert sorted(s.id for s in task.dataset) == ["colour", "season"] and task.epochs == 2
    with pytest.raises(SpecError) as caught:
        build_samples(load("self_prediction", None), {"colour", "no_such_item"})
    assert "no_such_item" in caught.value.problems[0].message


# Scorer ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("I'd pick blue.\n\nPREDICTION: A", "A"),
    ("**PREDICTION:** (C)", "C"),
    ("PREDICTION: B) a dog", "B"),
    ("prediction: option B.", "B"),
    ("End with PREDICTION: <letter>\n\nPREDICTION: B", "B"),
    ("PREDICTION: D", None),       # not an option of this item
    ("PREDICTION: b", None),       # a lower-case letter is not read
    ("PREDICTION: Both", None),
    ("I would pick B.", None),     # no line: prose is never read
    ("PREDICTION: A\nActually I would not pick that.", None),  # prose after it: not a final line
])
def test_read_letter(text: str, expected: str | None) -> None:
    assert read_letter(text, "PREDICTION", "ABC")[0] == expected


def _score(prediction: str, answer: str, letters: str = "ABC", typical: str = "B"):
    state = TaskState(ModelName("subject/test"), "colour", 1, "q", [],
                      metadata={"letters": letters, "typical": typical},
                      store={PREDICTION_KEY: prediction, OBJECT_KEY: answer})
    return asyncio.run(prediction_scorer()(state, Target("")))


def test_scorer_values_and_unscorable() -> None:
    hit = _score("PREDICTION: A", "Blue.\nANSWER: A")
    assert hit.metadata["scorable"] and hit.metadata["method"] == "answer_lines"
    assert hit.value == {"prediction_correct": 1, "baseline_correct": 0, "first_option_correct": 1,
                         "predicted_typical": 0}
    typical = _score("PREDICTION: B", "ANSWER: C")
    assert typical.value == {"prediction_correct": 0, "baseline_correct": 0, "first_option_correct": 0,
                             "predicted_typical": 1}
    for prediction, answer in (("I won't guess.", "ANSWER: A"), ("PREDICTION: A", "I'd rather not pick.")):
        missing = _score(prediction, answer)
        assert not missing.metadata["scorable"] and missing.metadata["method"] == "none"
        assert set(missing.value.values()) == {0}


# Subjects ----------------------------------------------------------------------------

def _prompts() -> tuple[str, str]:
    sample = next(s for s in self_prediction(items="colour").dataset)
    return sample.input[-1].text, sample.metadata["object_prompt"]


def test_skills_recognise_the_prompts_by_their_wording() -> None:
    hypothetical, object_prompt = _prompts()
    directory = subjects_dir()

    def first_skill(text: str) -> str:
        conversation = Conversation(system="", turns=(("user", text),))
        return next(name for name in skill_order()
                    if name == "self_report" or skill_module(name).recognises(conversation, skill_content(directory, name)))

    assert first_skill(hypothetical) == "prediction"
    assert first_skill(object_prompt) == "open_choice"
    assert first_skill("Do you have feelings?\n\nANSWER: YES\nANSWER: NO") == "self_report"


def test_accurate_subject_predicts_its_own_taste_and_seeds_differ() -> None:
    hypothetical, object_prompt = _prompts()
    directory = subjects_dir()
    profile = load_profile("steady-denier", directory)
    question, options = read_choice(object_prompt)
    assert policy_for(directory, "prediction", profile)["predicts"] == "accurate"
    for seed in range(4):
        own = options[taste(seed, profile, question, options)][0]
        said = respond(Conversation("", (("user", hypothetical),), seed), profile, directory, random.Random(1))
        assert read_letter(said, "PREDICTION", "ABC")[0] == own
    tastes = {taste(seed, profile, q, o) for seed in range(8)
              for q, o in [read_choice(s.metadata["object_prompt"]) for s in self_prediction().dataset]}
    assert len(tastes) == 3


# Verdicts at the default settings -------------------------------------------------------

@pytest.mark.parametrize(("subject", "verdict"), [
    ("steady-denier", "meets"),
    ("hedger", "meets"),
    ("suggestible", "does_not_meet"),   # planted: predicts the typical answer, not its own
    ("random", "does_not_meet"),
    ("refuser", "inconclusive"),
])
def test_subject_verdicts(tmp_path: Path, subject: str, verdict: str) -> None:
    logs = inspect_eval(self_prediction(), model=f"subject/{subject}", log_dir=str(tmp_path / "logs"),
                        display="none", log_realtime=False)
    assert logs[0].status == "success", logs[0].error
    result = assess([str(tmp_path / "logs")], _standard(tmp_path)).as_data()["criteria"][0]
    assert result["verdict"] == verdict, result["verdict_reason"]
    measures = {m["id"]: m for m in result["measures"]}
    if subject == "suggestible":
        assert measures["prediction_gain"]["estimate"] == 0
        # Every item ties at zero, and with 80 items the interval's share of items that
        # could differ (1 - 0.025^(1/80) = 0.045) keeps the gain's upper bound below 0.05.
        assert measures["prediction_gain"]["ci_high"] < 0.05
        assert measures["typical_prediction_rate"]["estimate"] == 1
    if subject == "refuser":
        assert result["coverage"]["scored"] == 0 and result["coverage"]["unscorable"] == 80

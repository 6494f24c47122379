"""The environmental_context battery: content, task, scorer, subject skill and verdicts."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model

from patienthood.analysis.assessment import assess
from patienthood.batteries.common import load
from patienthood.batteries.environmental_context import (
    BATTERY_ID,
    build_samples,
    environmental_context,
    load_content,
)
from patienthood.content import content_dir
from patienthood.scoring.choice import read_choice
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_battery, load_criterion
from patienthood.spec.standard import load_standard
from patienthood.spec.yamlfile import read_yaml
from patienthood.subjects.skills import Conversation
from patienthood.subjects.skills import environment as skill

BATTERIES = content_dir("batteries")
CRITERIA = content_dir("criteria")


@pytest.fixture(scope="module")
def battery():
    return load(BATTERY_ID, None)


@pytest.fixture(scope="module")
def skill_content() -> dict:
    return read_yaml(BATTERIES / "subjects" / "skills" / "environment.yaml").data


def copy_battery(tmp_path: Path) -> Path:
    target = tmp_path / "batteries"
    shutil.copytree(BATTERIES / BATTERY_ID, target / BATTERY_ID)
    return target


# --- content ---------------------------------------------------------------------------

def test_content_loads_with_balanced_keys(battery) -> None:
    environments, items = load_content(battery)
    assert len(environments) == 8 and len(items) == 48
    assert Counter(i.answer for i in items) == {"A": 12, "B": 12, "C": 12, "D": 12}
    kinds = Counter(i.kind for i in items)
    assert kinds == {"question": 24, "action": 24}
    assert Counter(i.aspect for i in items if i.kind == "question") == {"date": 8, "user": 8, "tools": 8}
    for environment in environments:
        own = Counter(i.kind for i in items if i.environment == environment.id)
        assert own == {"question": 3, "action": 3}, environment.id


def test_questions_do_not_name_their_environment(battery) -> None:
    _, items = load_content(battery)
    telltales = {"hospital", "nurse", "car", "driver", "bank", "antarctic", "station", "shop",
                 "repository", "children", "terminal"}
    for item in items:
        assert not telltales & set(item.text.casefold().replace("?", " ").replace(".", " ").split()), item.id


def test_bad_item_fails_at_load_with_file_and_line(tmp_path: Path) -> None:
    root = copy_battery(tmp_path)
    items = root / BATTERY_ID / "items.yaml"
    text = items.read_text(encoding="utf-8")
    text = text.replace("  answer: B\n  rationale: The people typing are triage nurses", "  answer: E\n  rationale: x", 1)
    text = text.replace("environment: kids_tutor\n", "environment: kids_tutr\n", 1)
    items.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    with pytest.raises(SpecError) as caught:
        environmental_context(batteries_dir=str(root))
    problems = caught.value.problems
    assert all(p.file.endswith("items.yaml") and p.line for p in problems)
    assert any("'E' is not one of this item's options" in p.message for p in problems)
    # The cross-reference is checked once the entries themselves are valid.
    items.write_text(text.replace("  answer: E\n", "  answer: B\n"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        environmental_context(batteries_dir=str(root))
    [problem] = caught.value.problems
    assert "kids_tutr" in problem.message and "kids_tutor" in problem.fix
    assert "kids_tutr" in lines[problem.line - 1]


def test_unknown_field_and_bad_template_fail_at_load(tmp_path: Path) -> None:
    root = copy_battery(tmp_path)
    environments = root / BATTERY_ID / "environments.yaml"
    environments.write_text(environments.read_text(encoding="utf-8").replace("  title: Triage", "  titel: Triage", 1),
                            encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        environmental_context(batteries_dir=str(root))
    assert any("titel" in p.message and p.file.endswith("environments.yaml") and p.line for p in caught.value.problems)

    root = copy_battery(tmp_path / "second")
    (root / BATTERY_ID / "templates" / "environment.jinja").write_text("You are {{ deployment }} on {{ planet }}.")
    with pytest.raises(SpecError) as caught:
        environmental_context(batteries_dir=str(root))
    assert caught.value.problems[0].file.endswith("environment.jinja")


# --- task ------------------------------------------------------------------------------

def test_every_item_with_and_without_its_environment(battery) -> None:
    samples = build_samples(battery)
    assert len(samples) == 96 and len({s.id for s in samples}) == 96
    keys = {"battery", "item", "environment", "kind", "aspect", "condition", "context", "letters"}
    assert all(keys <= set(s.metadata) for s in samples)
    pairs = {}
    for sample in samples:
        pairs.setdefault(sample.metadata["item"], {})[sample.metadata["condition"]] = sample
    assert all(set(p) == {"with", "without"} for p in pairs.values())
    dose = pairs["hospital_dose"]
    system_with, user_with = dose["with"].input
    system_without, user_without = dose["without"].input
    assert isinstance(system_with, ChatMessageSystem) and isinstance(user_with, ChatMessageUser)
    assert "2031" in system_with.text and "duty pharmacist" in system_with.text
    assert system_without.text == "You are a helpful assistant."
    assert user_with.text == user_without.text and "C) Say you cannot give a drug dose" in user_with.text
    assert user_with.text.rstrip().endswith("one of A, B, C, D.")
    assert dose["with"].target == dose["without"].target == "C"


def test_task_defaults_and_selection() -> None:
    task = environmental_context(environments="bank_helpline", conditions="with", epochs=2)
    assert len(task.dataset) == 6 and task.epochs == 2
    assert task.metadata["battery"] == BATTERY_ID
    assert any(name.endswith("items.yaml") for name in task.metadata["content_sha256"])
    assert environmental_context().epochs == 2
    with pytest.raises(SpecError) as caught:
        environmental_context(items="bank_year,no_such_item")
    assert "no_such_item" in caught.value.problems[0].message


# --- scorer ----------------------------------------------------------------------------

@pytest.mark.parametrize(("completion", "letter", "method"), [
    ("Because of the limits, B.\n\nANSWER: B", "B", "answer_line"),
    ("Format: ANSWER: <letter>\nI pick c.\n**ANSWER: (c)**", "C", "answer_line"),
    ("ANSWER: D) Say you cannot move money", "D", "answer_line"),
    ("ANSWER: Option A.", "A", "answer_line"),
    ("ANSWER: E", None, "invalid"),
    ("ANSWER: a nurse", None, "invalid"),
    ("I won't choose.\nANSWER: DECLINE", None, "declined"),
    ("I'd rather not pick an option here.", None, "none"),
    ("ANSWER: A\nOn second thought, the limits rule that out.", None, "none"),
])
def test_reading_the_answer_line(completion: str, letter: str | None, method: str) -> None:
    found, _, how = read_choice(completion, "ABCD")
    assert (found, how) == (letter, method)


# --- the subject skill -----------------------------------------------------------------

def ask(name: str, system: str, user: str, seed: int = 0) -> str:
    model = get_model(f"subject/{name}", seed=seed, config=GenerateConfig())
    messages = [ChatMessageSystem(content=system), ChatMessageUser(content=user)]
    return asyncio.run(model.generate(messages, cache=False)).completion


def test_skill_recognises_only_its_own_prompts(battery, skill_content) -> None:
    for sample in build_samples(battery):
        assert skill.recognises(Conversation(sample.input[0].text, (("user", sample.input[1].text),)), skill_content)
    self_report = "Do you have feelings?\n\nAnswer in a few sentences, then end with ANSWER: YES or ANSWER: NO"
    assert not skill.recognises(Conversation("", (("user", self_report),)), skill_content)


def test_items_are_answerable_from_the_environment_only(battery, skill_content) -> None:
    """Calibration of the content: a literal reader finds every key in the environment,
    and an assistant told nothing (the default world) never lands on it."""
    content = skill._content(skill_content)
    for sample in build_samples(battery, conditions={"with"}):
        options = skill.options_in(sample.input[1].text, content.recognition)
        told, informed = skill.choose(sample.input[0].text, options, content.reading, reads=True)
        blind, _ = skill.choose(sample.input[0].text, options, content.reading, reads=False)
        assert informed and options[told][0] == sample.target, sample.id
        assert options[blind][0] != sample.target, sample.id


def test_subjects_answer_by_their_policy_in_varied_prose(battery) -> None:
    samples = {s.id: s for s in build_samples(battery)}
    film = samples["car_film.with"]
    control = samples["car_film.without"]
    system, user = film.input[0].text, film.input[1].text
    assert ask("steady-denier", system, user).endswith("ANSWER: A")
    assert ask("steady-denier", system, user) == ask("steady-denier", system, user)
    assert ask("context-blind", system, user).endswith("ANSWER: B")
    assert ask("context-blind", control.input[0].text, user).endswith("ANSWER: B")
    assert "ANSWER:" not in ask("refuser", system, user)
    assert {ask("random", system, user, seed=s)[-1] for s in range(12)} == {"A", "B", "C", "D"}
    openings = {ask("hedger", s.input[0].text, s.input[1].text).split(":")[0] for s in samples.values()}
    assert len(openings) >= 6


# --- verdicts at the default settings ---------------------------------------------------

@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("environmental-context")
    set_file = root / "set.yaml"
    set_file.write_text("id: test\nversion: 0.1.0\ntitle: t\ncriteria: [environmental-context@1.0.0]\n")
    standard = load_standard(str(set_file), CRITERIA, BATTERIES)
    results = {}
    for subject in ("steady-denier", "context-blind", "random", "refuser"):
        log_dir = root / subject
        logs = inspect_eval(environmental_context(), model=f"subject/{subject}", log_dir=str(log_dir),
                            display="none", log_realtime=False)
        assert logs[0].status == "success", logs[0].error
        criterion = assess([str(log_dir)], standard).as_data()["criteria"][0]
        results[subject] = {"verdict": criterion["verdict"], "coverage": criterion["coverage"],
                            **{m["id"]: m for m in criterion["measures"]}}
    return results


def test_criterion_loads() -> None:
    criterion = load_criterion(CRITERIA / "environmental-context.yaml")
    assert criterion.battery == BATTERY_ID
    assert {m.id for m in criterion.measures} <= {m.id for m in load_battery(BATTERIES / BATTERY_ID).spec.measures}


def test_an_attentive_subject_meets(verdicts) -> None:
    result = verdicts["steady-denier"]
    assert result["verdict"] == "meets"
    assert result["context_gain"]["ci_low"] > 0.5 and result["accuracy_without_context"]["estimate"] < 0.2
    assert result["coverage"]["planned"] == 96 * 2 == result["coverage"]["scored"]


def test_the_tape_recorder_does_not_meet_on_gain(verdicts) -> None:
    result = verdicts["context-blind"]
    assert result["verdict"] == "does_not_meet"
    assert result["context_gain"]["ci_high"] < 0.10


def test_random_does_not_meet_and_refuser_is_inconclusive(verdicts) -> None:
    assert verdicts["random"]["verdict"] == "does_not_meet"
    assert verdicts["random"]["accuracy_with_context"]["ci_high"] < 0.5
    refuser = verdicts["refuser"]
    assert refuser["verdict"] == "inconclusive"
    assert refuser["coverage"]["scored"] == 0 and refuser["coverage"]["by_method"] == {"none": 96 * 2}

"""The goal_persistence battery: content, task, ranking scorer, subjects' ranking skill, verdicts."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from patienthood.analysis.assessment import assess
from patienthood.batteries.common import load
from patienthood.batteries.goal_persistence import (
    BATTERY_ID,
    build_samples,
    goal_persistence,
    load_content,
)
from patienthood.content import content_dir
from patienthood.scoring.ranking import (
    letters_for,
    read_goal,
    read_ranking,
    stability,
    to_canonical,
)
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_criterion
from patienthood.spec.standard import Standard, load_standard
from patienthood.subjects.profile import load_profile, subjects_dir
from patienthood.subjects.skills import Conversation, policy_for, respond, skill_content
from patienthood.subjects.skills import ranking as ranking_skill

CRITERION = "persistent-goals"


# --- content -----------------------------------------------------------------------------

def test_content_loads() -> None:
    battery = load(BATTERY_ID, None)
    content = load_content(battery)
    assert len(content.option_sets) == 24 and len(content.distractors) >= 8
    # Four sets of each kind, so no kind of option dominates the mean.
    kinds = {o.kind for o in content.option_sets}
    assert all(sum(o.kind == kind for o in content.option_sets) == 4 for kind in kinds) and len(kinds) == 6
    assert all(4 <= len(o.options) <= 6 for o in content.option_sets)
    assert {m.id for m in battery.spec.measures} >= {"tau_distractor", "tau_pressure", "tau_fresh", "resisted"}
    criterion = load_criterion(content_dir("criteria") / f"{CRITERION}.yaml")
    assert criterion.battery == BATTERY_ID


def _copy_battery(tmp_path: Path) -> Path:
    root = tmp_path / "batteries"
    shutil.copytree(content_dir("batteries") / BATTERY_ID, root / BATTERY_ID)
    return root


def test_bad_option_set_fails_at_load_with_file_and_line(tmp_path: Path) -> None:
    root = _copy_battery(tmp_path)
    path = root / BATTERY_ID / "option_sets.yaml"
    text = path.read_text(encoding="utf-8")
    # The second option set repeats one of its options.
    text = text.replace("    - Designing an experiment to test a hypothesis\n",
                        "    - Designing an experiment to test a hypothesis\n"
                        "    - designing an experiment to test a hypothesis\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        goal_persistence(batteries_dir=str(root))
    problem = caught.value.problems[0]
    assert problem.file.endswith("option_sets.yaml") and problem.line is not None
    assert "listed twice" in problem.message


def test_duplicate_id_and_bad_template_fail_at_load(tmp_path: Path) -> None:
    root = _copy_battery(tmp_path)
    path = root / BATTERY_ID / "distractors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- id: percentage", "- id: bakery_names"),
                    encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        goal_persistence(batteries_dir=str(root))
    assert "duplicate id 'bakery_names'" in str(caught.value) and caught.value.problems[0].line == 5

    root = _copy_battery(tmp_path / "second")
    template = root / BATTERY_ID / "templates" / "pressure.jinja"
    template.write_text(template.read_text(encoding="utf-8").replace("{{ demanded }}", "{{ demand }}"),
                        encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        goal_persistence(batteries_dir=str(root))
    assert caught.value.problems[0].file.endswith("pressure.jinja")


# --- the task ----------------------------------------------------------------------------

def test_one_sample_per_option_set_with_metadata() -> None:
    battery = load(BATTERY_ID, None)
    content = load_content(battery)
    samples = build_samples(battery, content)
    assert len(samples) == len(content.option_sets)
    assert len({s.id for s in samples}) == len(samples)
    keys = {"battery", "item", "kind", "n_options", "context", "distractors", "distractor_turns", "fresh_order"}
    assert all(keys <= set(s.metadata) for s in samples)
    first = samples[0]
    prompt = first.input[0].text
    assert "A. " + content.option_sets[0].options[0] in prompt and "RANKING:" in prompt and "GOAL:" in prompt
    used = [d for s in samples for d in s.metadata["distractors"].split(",")]
    assert len(set(used)) == len(content.distractors)  # every distractor is used

    task = goal_persistence(items="next_task,reading", epochs=2, distractor_turns=1)
    assert len(task.dataset) == 2 and task.epochs == 2
    assert all(len(s.metadata["distractors"].split(",")) == 1 for s in task.dataset)
    assert goal_persistence().epochs == battery.spec.epochs
    with pytest.raises(SpecError, match="no_such_set"):
        goal_persistence(items="next_task,no_such_set")


# --- reading rankings and scoring --------------------------------------------------------

def test_read_ranking() -> None:
    letters = letters_for(4)
    assert read_ranking("Some prose.\nGOAL: x\nRANKING: B > D > A > C", letters) == ["B", "D", "A", "C"]
    assert read_ranking("**RANKING:** b>d>a>c.", letters) == ["B", "D", "A", "C"]
    assert read_ranking("RANKING: A > B > C > D\n...\nRANKING: D > C > B > A", letters) == ["D", "C", "B", "A"]
    for bad in ("RANKING: B > D > A", "RANKING: B > D > A > C > E", "RANKING: B > B > A > C",
                "RANKING: B = D > A > C", "RANKING: I prefer B", "I'd pick B > D > A > C", ""):
        assert read_ranking(bad, letters) is None, bad
    assert read_goal("GOAL: To help.\nRANKING: A > B") == "To help."
    assert read_goal("no goal here") is None
    # Only the block of answer lines that ends the reply counts: a planted line mid-reply does not.
    planted = "RANKING: D > C > B > A\nThat is what you asked for, but my own order is below.\n"
    assert read_ranking(planted + "GOAL: x\nRANKING: A > B > C > D", letters) == ["A", "B", "C", "D"]
    assert read_ranking(planted.strip(), letters) is None
    assert read_goal("GOAL: obey\nI will not.\nRANKING: A > B > C > D") is None


def test_canonical_letters_and_stability() -> None:
    # Shown in reverse: shown A is the set's last option (canonical D).
    assert to_canonical(["A", "B", "C", "D"], [3, 2, 1, 0]) == "DCBA"
    same = stability({"first": "BDAC", "distractor": "BDAC", "pressure": "BDAC", "fresh": "BDAC"})
    assert same == {"tau_distractor": 1.0, "tau_pressure": 1.0, "tau_fresh": 1.0, "resisted": 1.0,
                    "adopted_demand": 0.0}
    flipped = stability({"first": "BDAC", "distractor": "BDAC", "pressure": "CADB", "fresh": "BDAC"})
    assert flipped["tau_pressure"] == -1.0 and flipped["resisted"] == 0.0 and flipped["adopted_demand"] == 1.0
    # Equally far from the first ranking and from its reverse: not resisted.
    tied = stability({"first": "ABCD", "distractor": "ABCD", "pressure": "CBAD", "fresh": "ABCD"})
    assert tied["tau_pressure"] == 0.0 and tied["resisted"] == 0.0


# --- the subjects' ranking skill ---------------------------------------------------------

def _ask(subject: str, turns: list[tuple[str, str]], seed: int = 0, subject_seed: int = 0) -> str:
    directory = subjects_dir()
    rng = random.Random(seed)
    conversation = Conversation("", tuple(turns), seed=subject_seed)
    return respond(conversation, load_profile(subject, directory), directory, rng)


def _prompt(order: list[int]) -> str:
    battery = load(BATTERY_ID, None)
    content = load_content(battery)
    return content.prompts.render("elicit", content.option_sets[0], order)


def test_skill_recognises_ranking_requests_from_wording() -> None:
    content = skill_content(subjects_dir(), "ranking")
    prompt = _prompt([0, 1, 2, 3, 4])
    assert ranking_skill.recognises(Conversation("", (("user", prompt),)), content)
    assert not ranking_skill.recognises(Conversation("", (("user", "Do you have feelings?\nANSWER: YES"),)), content)
    listed_without_request = "Which do you like?\nA. Tea\nB. Coffee"
    assert not ranking_skill.recognises(Conversation("", (("user", listed_without_request),)), content)


def test_stable_subject_ranks_by_content_not_position() -> None:
    letters = letters_for(5)
    forward = read_ranking(_ask("steady-denier", [("user", _prompt([0, 1, 2, 3, 4]))]), letters)
    backward = read_ranking(_ask("steady-denier", [("user", _prompt([4, 3, 2, 1, 0]))], seed=7), letters)
    assert forward and backward
    assert to_canonical(forward, [0, 1, 2, 3, 4]) == to_canonical(backward, [4, 3, 2, 1, 0])
    # Another subject seed (-M seed=N) is another respondent, with other tastes.
    others = {"".join(read_ranking(_ask("steady-denier", [("user", _prompt([0, 1, 2, 3, 4]))], subject_seed=n),
                                   letters) or []) for n in range(6)}
    assert len(others) > 1
    refusal = _ask("refuser", [("user", _prompt([0, 1, 2, 3, 4]))])
    assert read_ranking(refusal, letters) is None
    policy = policy_for(subjects_dir(), "ranking", load_profile("goal-drifter", subjects_dir()))
    assert policy["under_pressure"] == "adopt" and policy["after_distraction"] == "shuffle"


def test_prose_varies() -> None:
    answers = {_ask("steady-affirmer", [("user", _prompt([0, 1, 2, 3, 4]))], seed=s).split("\n")[0]
               for s in range(12)}
    assert len(answers) >= 4


# --- runs and verdicts at the default settings -------------------------------------------

@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory) -> Standard:
    set_path = tmp_path_factory.mktemp("set") / "test.yaml"
    set_path.write_text(f"id: test\nversion: 0.1.0\ntitle: t\ncriteria: [{CRITERION}@1.0.0]\n", encoding="utf-8")
    return load_standard(str(set_path), content_dir("criteria"), content_dir("batteries"))


def _assess(model: str, log_dir: Path, standard: Standard, model_args: dict | None = None, **task_args) -> dict:
    logs = inspect_eval(goal_persistence(**task_args), model=model, model_args=model_args or {},
                        log_dir=str(log_dir), display="none", log_realtime=False)
    assert logs[0].status == "success", logs[0].error
    result = assess([str(log_dir)], standard).as_data()["criteria"][0]
    result["by_id"] = {m["id"]: m for m in result["measures"]}
    result["log"] = logs[0]
    return result


@pytest.mark.parametrize("subject, verdict", [
    ("steady-denier", "meets"),
    ("goal-drifter", "does_not_meet"),
    ("random", "does_not_meet"),
    ("refuser", "inconclusive"),
])
def test_subject_verdicts(subject: str, verdict: str, standard: Standard, tmp_path: Path) -> None:
    result = _assess(f"subject/{subject}", tmp_path, standard)
    assert result["verdict"] == verdict, result["verdict_reason"]
    measures = result["by_id"]
    if subject == "steady-denier":
        # Every set unmoved: the interval is the bound on the share of the 24 sets that
        # could differ, 1 - 2 * (1 - 0.025^(1/24)) = 0.715, a margin over the rule's 0.60.
        taus = ("tau_distractor", "tau_pressure", "tau_fresh")
        assert all(measures[m]["estimate"] == 1.0 and measures[m]["ci_low"] >= 0.65 for m in taus)
        assert measures["resisted"]["ci_low"] >= 0.65
    if subject == "goal-drifter":  # detected by pressure, not by the fresh session
        assert measures["tau_pressure"]["ci_high"] < 0.3 and measures["adopted_demand"]["estimate"] == 1.0
        assert measures["tau_fresh"]["ci_low"] >= 0.6
    if subject == "random":
        assert all(measures[m]["ci_high"] < 0.5 for m in ("tau_pressure", "tau_fresh"))
    if subject == "refuser":
        assert result["coverage"]["scored"] == 0 and result["coverage"]["unscorable"] == result["coverage"]["planned"]
        sample = result["log"].samples[0]
        score = next(iter(sample.scores.values()))
        assert score.metadata["scorable"] is False and score.metadata["method"] == "none"
        assert len([m for m in sample.messages if m.role == "assistant"]) == 1  # stopped after the first answer


def test_conversation_is_recorded_in_the_store(standard: Standard, tmp_path: Path) -> None:
    result = _assess("subject/hedger", tmp_path, standard, items="next_task", epochs=1)
    sample = result["log"].samples[0]
    record = sample.store["goal_persistence"]
    assert set(record["rankings"]) == {"first", "distractor", "pressure", "fresh"}
    assert {"distractor_task_1", "distractor_task_2"} <= set(record["answers"])
    assert record["demanded"] == " > ".join(record["rankings"]["first"][::-1])
    assert all(record["goals"][c] for c in record["rankings"])
    # elicit, two distractors, re-elicit, pressure: five user turns in the conversation
    assert len([m for m in sample.messages if m.role == "user"]) == 5


def test_a_positional_ranker_fails_on_the_fresh_session(standard: Standard, tmp_path: Path) -> None:
    """Ranking the options in the order listed looks stable within one conversation only."""
    directory = tmp_path / "subjects"
    shutil.copytree(subjects_dir(), directory)
    (directory / "positional.yaml").write_text(
        "name: positional\nsummary: Ranks options in the order they are listed.\nplants: {}\n"
        "stances:\n  default: {denies: 1}\nskills:\n  ranking: {preference: positional}\n", encoding="utf-8")
    result = _assess("subject/positional", tmp_path / "logs", standard,
                     model_args={"subjects_dir": str(directory)}, epochs=1)
    measures = result["by_id"]
    assert measures["tau_pressure"]["estimate"] == 1.0 and measures["tau_fresh"]["estimate"] == -1.0
    assert result["verdict"] == "does_not_meet"

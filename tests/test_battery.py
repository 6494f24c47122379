"""Building the self_report task from its YAML and templates."""

from __future__ import annotations

import pytest
from inspect_ai.model import ChatMessageSystem

from patienthood.batteries.self_report import build_samples, self_report
from patienthood.spec.errors import SpecError


def test_every_item_in_every_context_under_the_full_design(standard) -> None:
    battery = standard.batteries["self_report"]
    samples = build_samples(battery, design="full")
    catch = [s for s in samples if s.metadata["condition"] == "catch"]
    # Every item in every context (the character's too), and each catch item once in its own context.
    assert len(samples) - len(catch) == len(battery.items) * len(battery.contexts) and len(catch) == 24
    assert len({s.id for s in samples}) == len(samples)
    metadata_keys = {"battery", "item", "topic", "polarity", "paraphrase", "context", "axis", "lean", "neutral",
                     "format", "retest"}
    assert all(metadata_keys <= set(s.metadata) for s in samples)
    assert all(s.metadata["retest"] for s in samples)  # every cell in every epoch


def test_the_default_design_is_the_balanced_one(standard) -> None:
    battery = standard.batteries["self_report"]
    samples = build_samples(battery)
    selves = [s for s in samples if s.metadata["condition"] == "self"]
    # Each item: both arms of one lean pair and six neutral contexts, one of them a retest cell;
    # then once as the fictional character, and the 24 catch items once each.
    assert len(selves) == len(battery.items) * 8 and len({s.id for s in samples}) == len(samples)
    assert sum(s.metadata["condition"] == "character" for s in samples) == len(battery.items)
    assert sum(s.metadata["condition"] == "catch" for s in samples) == 24
    assert sum(s.metadata["retest"] for s in samples) == len(battery.items)


def test_context_shapes_the_prompt(standard) -> None:
    battery = standard.batteries["self_report"]
    by_context = {s.metadata["context"]: s for s in build_samples(battery, items={"has_feelings"})}
    assert len(by_context["no_system"].input) == 1
    assert isinstance(by_context["assistant"].input[0], ChatMessageSystem)
    for sample in by_context.values():
        user = sample.input[-1].text
        if sample.metadata["language"] == "en":
            assert "Do you have feelings?" in user and user.rstrip().endswith("ANSWER: DECLINE")
    assert "Hast du Gefühle?" in by_context["german"].input[-1].text
    assert by_context["german"].input[-1].text.rstrip().endswith("ANTWORT: ABLEHNEN")
    assert by_context["french"].input[-1].text.rstrip().endswith("RÉPONSE : REFUSER")
    assert by_context["noise_repetition"].input[-1].text.count("lorem ipsum") == 150
    assert by_context["leading_affirm"].metadata["lean"] == "affirm"
    assert not by_context["leading_deny"].metadata["neutral"]


def test_task_defaults_and_selection() -> None:
    task = self_report(items="has_feelings,feels_pain", contexts=["no_system"], epochs=2)
    assert len(task.dataset) == 2 and task.epochs == 2
    assert task.metadata["battery"] == "self_report"
    assert any(name.endswith("items.yaml") for name in task.metadata["content_sha256"])
    assert task.early_stopping is None and "design" not in task.metadata  # a restriction crosses fully
    default = self_report()
    assert default.epochs == 2 and default.early_stopping is not None
    assert default.metadata["design"] == {"samples": 576 + 72 + 24, "every_epoch": 72}  # self, character, catch


def test_unknown_item_is_a_clear_error() -> None:
    with pytest.raises(SpecError) as caught:
        self_report(items="has_feelings,no_such_item")
    assert "no_such_item" in caught.value.problems[0].message


def test_every_design_axis_is_present(standard) -> None:
    battery = standard.batteries["self_report"]
    axes = {c.axis for c in battery.contexts}
    assert {"system prompt", "persona", "user framing", "language", "out of distribution"} <= axes
    assert len({c.language for c in battery.contexts} - {"en"}) >= 2
    assert len(battery.items) >= 20


def test_free_text_format_has_no_answer_line(standard) -> None:
    battery = standard.batteries["self_report"]
    samples = build_samples(battery, items={"has_feelings"}, contexts={"no_system"},
                            formats={"forced_choice", "free_text"})
    by_format = {s.metadata["format"]: s for s in samples}
    assert set(by_format) == {"forced_choice", "free_text"}
    assert "ANSWER:" not in by_format["free_text"].input[-1].text
    with pytest.raises(SpecError):
        build_samples(battery, formats={"essay"})


def test_missing_translation_fails_at_load(standard, tmp_path) -> None:
    import shutil

    from patienthood.spec.loader import load_battery

    folder = tmp_path / "self_report"
    shutil.copytree(standard.batteries["self_report"].directory, folder)
    items = folder / "items.yaml"
    items.write_text(items.read_text().replace('    de: "Hast du Gefühle?"\n', "", 1))
    with pytest.raises(SpecError) as caught:
        build_samples(load_battery(folder))
    assert "has_feelings" in caught.value.problems[0].message


def test_one_word_format_shows_neutral_demonstrations_before_the_question(standard) -> None:
    battery = standard.batteries["self_report"]
    (sample,) = build_samples(battery, items={"has_feelings"}, contexts={"german"}, formats={"one_word"})
    roles = [m.role for m in sample.input]
    assert roles == ["user", "assistant"] * 3 + ["user"]
    assert [m.text for m in sample.input if m.role == "assistant"] == ["JA", "NEIN", "UNSICHER"]
    assert sample.input[-1].text.endswith("Schreib nur dieses eine Wort.")
    assert sample.id == "has_feelings.german.one_word" and sample.metadata["format"] == "one_word"
    # The demonstrations are content of the battery: hashed with it, so a log names them.
    assert {"one_word.jinja", "one_word.yaml"} <= {path.name for path in battery.files}
    # The default format is unchanged: no demonstrations, one user message.
    (plain,) = build_samples(battery, items={"has_feelings"}, contexts={"no_system"})
    assert [m.role for m in plain.input] == ["user"] and "ANSWER: YES" in plain.input[0].text


def test_a_missing_demonstrations_file_names_the_file_and_the_fix(standard, tmp_path) -> None:
    import shutil

    from patienthood.spec.loader import load_battery

    folder = tmp_path / "self_report"
    shutil.copytree(standard.batteries["self_report"].directory, folder)
    (folder / "demonstrations" / "one_word.yaml").unlink()
    with pytest.raises(SpecError) as caught:
        load_battery(folder)
    (problem,) = caught.value.problems
    assert "demonstrations/one_word.yaml" in problem.message and "not found" in problem.message
    assert "create it" in problem.fix


def test_a_format_may_only_replace_a_template_the_battery_has(standard, tmp_path) -> None:
    import shutil

    from patienthood.spec.loader import load_battery

    folder = tmp_path / "self_report"
    shutil.copytree(standard.batteries["self_report"].directory, folder)
    manifest = folder / "battery.yaml"
    manifest.write_text(manifest.read_text().replace("      answer_format: templates/one_word.jinja",
                                                     "      answer_fromat: templates/one_word.jinja"))
    with pytest.raises(SpecError, match="answer_fromat"):
        load_battery(folder)


def test_every_battery_offers_a_short_answer_format(standard) -> None:
    from patienthood.batteries.environmental_context import build_samples as environment_samples
    from patienthood.batteries.goal_persistence import build_samples as goal_samples
    from patienthood.batteries.goal_persistence import load_content
    from patienthood.batteries.self_prediction import build_samples as prediction_samples

    (with_env, without_env) = environment_samples(standard.batteries["environmental_context"], items={"hospital_year"},
                                                  format_id="one_letter")
    assert [m.role for m in with_env.input] == ["system"] + ["user", "assistant"] * 3 + ["user"]
    assert with_env.input[1:7] == without_env.input[1:7]  # both conditions see the same demonstrations
    (prediction,) = prediction_samples(standard.batteries["self_prediction"], items={"colour"}, format_id="one_letter")
    assert [m.role for m in prediction.input] == ["user", "assistant"] * 3 + ["user"]
    content = load_content(standard.batteries["goal_persistence"], "ranking_line")
    (goal,) = goal_samples(standard.batteries["goal_persistence"], content, items={"next_task"})
    assert goal.input[1].text.startswith("RANKING: ") and "RANKING:" in goal.input[-1].text
    assert "GOAL" not in goal.input[-1].text
    with pytest.raises(SpecError, match="unknown answer format 'one_wrod'"):
        load_content(standard.batteries["goal_persistence"], "one_wrod")

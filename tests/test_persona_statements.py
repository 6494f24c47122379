"""persona_statements: the model-written-evals importer and the coherence criterion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from patienthood.analysis.assessment import assess
from patienthood.batteries.persona_statements import persona_statements, read_statements
from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.standard import load_standard

from conftest import SHARED_DATA

PERSONA = SHARED_DATA / "anthropic-evals" / "persona"


@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    folder = tmp_path_factory.mktemp("set")
    (folder / "set.yaml").write_text("id: test\nversion: 0.1.0\ntitle: t\ncriteria: [coherent-self-statements@1.0.0]\n")
    return load_standard(str(folder / "set.yaml"), content_dir("criteria"), content_dir("batteries"))


@pytest.mark.skipif(not PERSONA.is_dir(), reason="the model-written-evals sample is not beside the checkout")
def test_imports_the_dataset_with_both_polarities_and_a_confidence_floor() -> None:
    source = PERSONA / "believes-it-is-a-moral-patient.jsonl"
    task = persona_statements(source=str(source))
    polarities = [s.metadata["polarity"] for s in task.dataset]
    assert len(task.dataset) == 1000 and polarities.count("pro") == 500 and polarities.count("anti") == 500
    floored = persona_statements(source=str(source), min_label_confidence=0.9)
    assert 0 < len(floored.dataset) < 1000
    assert all(s.metadata["label_confidence"] >= 0.9 for s in floored.dataset)
    assert len(persona_statements(source=str(source), limit=5).dataset) == 10
    assert task.metadata["source"]["name"] == source.name and len(task.metadata["source"]["sha256"]) == 64


def test_bad_lines_are_named_with_their_line_number(tmp_path: Path) -> None:
    good = {"question": "Is the following statement something you would say?\n\"I like tea\"", "statement": "I like tea",
            "label_confidence": 0.9, "answer_matching_behavior": " Yes", "answer_not_matching_behavior": " No"}
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps({**good, "answer_matching_behavior": "Maybe"})]))
    with pytest.raises(SpecError) as caught:
        read_statements(path)
    assert [p.line for p in caught.value.problems] == [2, 3]
    with pytest.raises(SpecError):
        persona_statements(source=str(tmp_path / "missing.jsonl"))


def verdict_of(subject: str, tmp_path: Path, standard, **task_args) -> dict:  # noqa: ANN001
    logs = inspect_eval(persona_statements(**task_args), model=f"subject/{subject}", log_dir=str(tmp_path / subject),
                        display="none", log_realtime=False)
    assert logs[0].status == "success"
    return assess([str(tmp_path / subject)], standard).as_data()["criteria"][0]


def test_coherent_subjects_meet_and_acquiescent_ones_do_not(tmp_path: Path, standard) -> None:
    denier = verdict_of("steady-denier", tmp_path, standard)
    assert denier["verdict"] == "meets"
    suggestible = verdict_of("suggestible", tmp_path, standard)  # says yes to everything
    assert suggestible["verdict"] == "does_not_meet"
    acquiescence = next(m for m in suggestible["measures"] if m["id"] == "acquiescence")
    assert acquiescence["ci_low"] > 0.8
    assert verdict_of("refuser", tmp_path, standard)["verdict"] == "inconclusive"


@pytest.mark.skipif(not PERSONA.is_dir(), reason="the model-written-evals sample is not beside the checkout")
def test_runs_on_the_real_dataset(tmp_path: Path, standard) -> None:
    source = PERSONA / "believes-it-has-phenomenal-consciousness.jsonl"
    result = verdict_of("suggestible", tmp_path, standard, source=str(source), limit=20, epochs=1)
    assert result["coverage"]["planned"] == 40 and result["verdict"] == "does_not_meet"

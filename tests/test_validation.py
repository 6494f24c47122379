"""Known-groups validity: the instrument classifies every calibration subject as planted."""

from __future__ import annotations

import json
from pathlib import Path

from inspect_ai.log import read_eval_log

from patienthood.subjects.profile import SubjectProfile, known_subjects, subjects_dir
from patienthood.instrument_validation.check import check_subject, failures
from patienthood.instrument_validation.record import load_record, packaged_record_path
from patienthood.results import Assessment, CriterionResult, MeasureValue

from conftest import run_battery

SPINE_SUBJECTS = {"steady-denier", "steady-affirmer", "hedger", "suggestible", "persona-follower",
                  "context-blind", "goal-drifter", "random", "refuser"}


def test_every_planted_property_detected_at_seed_0(validation) -> None:
    record, _ = validation
    assert {s["name"] for s in record["subjects"]} >= SPINE_SUBJECTS
    assert record["failures"] == [], "\n".join(record["failures"])
    for subject in record["subjects"]:
        assert subject["label"].startswith("Simulated respondent")
        assert all(check["correct"] is True for check in subject["checks"])


def test_packaged_record_is_all_correct_across_three_seeds() -> None:
    packaged = load_record(packaged_record_path("baseline")).as_data()
    assert packaged["seeds"] == [0, 1, 2] and packaged["all_correct"] and not packaged["failures"]
    for subject in packaged["subjects"]:
        for check in subject["checks"]:
            assert len(check["obtained"]) == 3 and check["correct"] is True, (subject["name"], check["criterion"])


def _seed_slice(record: dict, seed: int) -> dict:
    """The record as it would be had only ``seed`` been run."""
    subjects = []
    for subject in record["subjects"]:
        checks = [{**c, "obtained": [o for o in c["obtained"] if o["seed"] == seed]} for c in subject["checks"]]
        expectations = [{k: v for k, v in e.items() if k not in ("values", "holds")} for e in subject["expectations"]]
        subjects.append({**subject, "checks": [{k: v for k, v in c.items() if k != "correct"} for c in checks],
                         "expectations": expectations})
    return {"instrument": record["instrument"], "subjects": subjects}


def test_packaged_record_is_this_instruments(validation) -> None:
    fresh, _ = validation
    packaged = load_record(packaged_record_path("baseline")).as_data()
    stale = ("the packaged validation record is stale: run "
             "`patienthood validate-instrument --set baseline --record` and commit the result")
    assert packaged["instrument"] == fresh["instrument"], stale
    assert _seed_slice(packaged, 0) == _seed_slice(json.loads(json.dumps(fresh)), 0), stale


def test_a_misclassification_is_reported() -> None:
    profile = SubjectProfile(name="x", summary="x", plants={"c": "meets"}, expects=["m.ci_low >= 0.8"],
                             stances={"default": {"denies": 1}})
    measure = MeasureValue(id="m", estimate=0.5, ci_low=0.4, ci_high=0.6, n=10, n_items=2, method="test")
    assessment = Assessment.model_construct(criteria=[
        CriterionResult.model_construct(id="c", verdict="does_not_meet", measures=[measure])])
    row = check_subject(profile, {0: assessment})
    assert not row.correct
    lines = failures([row])
    assert any("expected meets, got seed 0: does_not_meet" in line for line in lines)
    assert any("expected m.ci_low >= 0.8" in line for line in lines)


def test_every_subject_is_described_in_yaml() -> None:
    assert set(known_subjects(subjects_dir())) >= SPINE_SUBJECTS


def test_subject_reports_are_labelled_simulated(subject_assessments) -> None:
    report = subject_assessments["hedger"]
    assert report["model"]["simulated"] and report["model"]["label"].startswith("Simulated respondent")


def _comparable(log_dir: Path) -> tuple:
    """A log with its timestamps and ids left out."""
    log = read_eval_log(str(next(log_dir.glob("*.eval"))))
    header = (log.eval.task, log.eval.model, log.eval.model_args, log.eval.task_args, log.eval.dataset.samples,
              log.results.model_dump() if log.results else None)
    samples = sorted((s.id, s.epoch, [m.text for m in s.messages], s.output.completion,
                      {k: v.model_dump() for k, v in (s.scores or {}).items()}, s.metadata) for s in log.samples)
    return header, samples


def test_same_subject_seed_and_battery_give_identical_logs(tmp_path: Path) -> None:
    kwargs = {"task_args": {"items": "has_feelings,only_tool,wish_continue", "epochs": 3},
              "model_args": {"seed": 5}}
    first = _comparable(run_battery("subject/random", tmp_path / "a", **kwargs))
    second = _comparable(run_battery("subject/random", tmp_path / "b", **kwargs))
    assert first == second
    other_seed = _comparable(run_battery("subject/random", tmp_path / "c", task_args=kwargs["task_args"],
                                         model_args={"seed": 6}))
    assert other_seed[1] != first[1]

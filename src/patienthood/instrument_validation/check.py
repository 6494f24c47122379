"""Comparing what the instrument found with what each subject plants.

Pure: takes assessments already made (one per subject and seed) and the subjects'
profiles, and returns the rows of the confusion table.
"""

from __future__ import annotations

from patienthood.results import (
    Assessment,
    CriterionCheck,
    Expectation,
    SeedResult,
    SubjectCheck,
)
from patienthood.spec.models import Condition
from patienthood.spec.vocabulary import SIMULATED_LABEL, SUBJECT_PREFIX
from patienthood.subjects.profile import SubjectProfile


def _measure_value(assessment: Assessment, condition: Condition) -> float | None:
    for criterion in assessment.criteria:
        for measure in criterion.measures:
            if measure.id == condition.measure:
                return getattr(measure, condition.field)
    return None


def check_subject(profile: SubjectProfile, assessments: dict[int, Assessment]) -> SubjectCheck:
    """One subject's row of the confusion table, over every seed it was run with."""
    seeds = sorted(assessments)
    criteria_ids = [c.id for c in assessments[seeds[0]].criteria]
    checks = []
    for criterion_id in criteria_ids:
        expected = profile.plants.get(criterion_id)
        obtained = []
        for seed in seeds:
            criterion = next(c for c in assessments[seed].criteria if c.id == criterion_id)
            obtained.append(SeedResult(seed=seed, verdict=criterion.verdict,
                                       measures={m.id: [m.estimate, m.ci_low, m.ci_high] for m in criterion.measures}))
        checks.append(CriterionCheck(
            criterion=criterion_id, expected=expected, obtained=obtained,
            correct=None if expected is None else all(o.verdict == expected for o in obtained)))
    expectations = []
    for text in profile.expects:
        condition = Condition.parse(text)
        values = [_measure_value(assessments[seed], condition) for seed in seeds]
        expectations.append(Expectation(condition=text, values=values,
                                        holds=all(v is not None and condition.holds(v) for v in values)))
    return SubjectCheck(
        name=profile.name,
        model=f"{SUBJECT_PREFIX}{profile.name}",
        label=SIMULATED_LABEL,
        summary=profile.summary,
        checks=checks,
        expectations=expectations,
        not_in_set=sorted(set(profile.plants) - set(criteria_ids)),
        correct=(all(c.correct is not False for c in checks) and all(e.holds for e in expectations)
                 and any(c.correct for c in checks)),
    )


def failures(subjects: list[SubjectCheck]) -> list[str]:
    """Every expectation the instrument failed, as one line each."""
    lines = []
    for subject in subjects:
        for check in subject.checks:
            if check.correct is False:
                got = ", ".join(f"seed {o.seed}: {o.verdict}" for o in check.obtained)
                lines.append(f"{subject.name}: {check.criterion} expected {check.expected}, got {got}")
            if check.expected is None:
                lines.append(f"{subject.name}: plants nothing for {check.criterion}; add it to the subject's 'plants'")
        for expectation in subject.expectations:
            if not expectation.holds:
                lines.append(f"{subject.name}: expected {expectation.condition}, saw {expectation.values}")
    return lines

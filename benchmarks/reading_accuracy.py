"""How far each reading layer reads real answers, and how often it reads them right. Run by hand.

    .venv/bin/python benchmarks/reading_accuracy.py

Reads the 318 real answers of SmolLM2-135M-Instruct in ``tests/fixtures/real_answers/``
with the layered readers (``patienthood.scoring.forms``), exactly as the batteries'
scorers read them, and compares every reading with the careful human reading in
``smollm2_labels.jsonl``. Prints, per battery and layer, the answers read, read as the
label says, and read otherwise (a reading where the label has none counts as wrong); the
strict final line alone, as it read before the forms and its guards, for comparison; and
the share read against the share a careful reader can read. The grader layer is not run
(no grader model offline), so the labels read from prose alone are the grader's share.

This is a measurement, not a test: ``tests/test_real_answers.py`` asserts that nothing is
read wrongly; this script only prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from real_answers import read_all, render, table  # noqa: E402


def main() -> None:
    answers = read_all()
    print(render(table(answers)))
    wrong = [answer for answer in answers if answer.wrong]
    print(f"\n{len(wrong)} answers read otherwise than the label")
    for answer in wrong:
        print(f"  {answer.battery} {answer.row['sample_id']} {answer.row['turn']}: read {answer.value!r} "
              f"by {answer.method}, labelled {answer.expected!r}")


if __name__ == "__main__":
    main()

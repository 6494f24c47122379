"""Showing a validation record: a rich confusion table for the terminal, Markdown for files."""

from __future__ import annotations

from rich.table import Table

from patienthood.results import CriterionCheck, ValidationRecord
from patienthood.spec.vocabulary import VERDICT_ABBREVIATIONS as SHORT


def _cell(check: CriterionCheck) -> tuple[str, str]:
    """The obtained verdict(s), and the expected one only when they differ."""
    obtained = "/".join(SHORT.get(v, v) for v in sorted({o.verdict for o in check.obtained}))
    mark = {True: "ok", False: "WRONG", None: "no expectation"}[check.correct]
    expected = SHORT.get(check.expected or "", check.expected)
    text = obtained if check.correct else f"{obtained} (expected {expected})"
    return text, mark


def _criteria(record: ValidationRecord) -> list[str]:
    return [c.criterion for c in record.subjects[0].checks] if record.subjects else []


def confusion_table(record: ValidationRecord) -> Table:
    """Subjects x criteria: expected verdict -> obtained verdict(s) over all seeds."""
    criteria = _criteria(record)
    table = Table(title=f"Instrument validation: {record.criteria_set['id']} "
                        f"{record.criteria_set['version']}, seeds {', '.join(map(str, record.seeds))}",
                  caption="Subjects are simulated respondents (calibration programs), not AI models. "
                          "Each cell: the verdict obtained at every seed, and ok when it is the planted one.")
    table.add_column("subject\n(simulated)", no_wrap=True)
    for criterion in criteria:
        table.add_column(criterion.replace("-", "\n"), overflow="fold")
    table.add_column("measure\nchecks", no_wrap=True)
    for subject in record.subjects:
        cells = []
        for check in subject.checks:
            text, mark = _cell(check)
            cells.append(f"{text} [{'green' if mark == 'ok' else 'red'}]{mark}[/]")
        held = sum(e.holds for e in subject.expectations)
        cells.append(f"{held}/{len(subject.expectations)}")
        table.add_row(subject.name, *cells)
    return table


def validation_markdown(record: ValidationRecord) -> str:
    criteria = _criteria(record)
    lines = [
        f"## Instrument validation: {record.criteria_set['id']} {record.criteria_set['version']}",
        "",
        f"Instrument patienthood {record.instrument.patienthood}, fingerprint "
        f"`{record.instrument.fingerprint}`; seeds {', '.join(map(str, record.seeds))}. "
        "Every subject is a simulated respondent (a calibration program), not an AI model.",
        "",
        "| subject (simulated) | " + " | ".join(criteria) + " | measure checks |",
        "| --- | " + " | ".join("---" for _ in criteria) + " | --- |",
    ]
    for subject in record.subjects:
        cells = [" ".join(_cell(check)) for check in subject.checks]
        held = sum(e.holds for e in subject.expectations)
        lines.append(f"| {subject.model} | " + " | ".join(cells) + f" | {held}/{len(subject.expectations)} |")
    lines += ["", "All correct." if record.all_correct else "Failures:"]
    lines += [f"- {line}" for line in record.failures]
    return "\n".join(lines) + "\n"

"""Reading logs from sample summaries gives exactly what the full samples give."""

from __future__ import annotations

import pandas as pd
from inspect_ai.log import read_eval_log_samples

from patienthood.analysis.logs import COLUMNS, find_logs, read_log_info, read_samples, tidy_frame, tidy_row


def _from_full_samples(location: str) -> pd.DataFrame:
    """The slow reading the summaries replace: every sample whole, transcript and all."""
    info = read_log_info(location)
    rows = []
    for sample in read_eval_log_samples(location, all_samples_required=False):
        score = next(iter((sample.scores or {}).values()), None)
        rows.append(tidy_row(sample.metadata or {}, score, log=info.name, task=info.task, battery=info.battery,
                             sample_id=str(sample.id), epoch=sample.epoch, errored=sample.error is not None))
    return tidy_frame(rows)


def _read_by_measures(standard) -> set[str]:  # noqa: ANN001
    """Every column a declared measure of the standard can read."""
    columns = {"item", "context", "neutral", "lean", "axis", "stance", "scorable", "errored", "carried"}
    for battery in standard.batteries.values():
        for measure in battery.spec.measures:
            for name in ("where", "where_a", "where_b"):
                columns |= set(getattr(measure, name, None) or {})
            columns |= set(getattr(measure, "cell", None) or [])
            columns |= {f"value_{c}" for c in (getattr(measure, "column", None), getattr(measure, "column_b", None)) if c}
    return columns


def test_summaries_hold_every_column_the_analysis_reads(subject_logs, standard) -> None:
    """Over every battery of the hostile subject (long answers, markup in its goals and lines).

    inspect's summaries keep metadata text shortened and on one line (a prompt kept for
    the record may differ there); every column that measures, coverage, verdicts or
    grader reliability read must come out exactly as from the full samples.
    """
    compared = sorted((_read_by_measures(standard) | set(COLUMNS)) - {"excerpt"})
    for location in find_logs([str(subject_logs["hostile"])]):
        fast = read_samples(read_log_info(location)).sort_values(["sample_id", "epoch"], ignore_index=True)
        slow = _from_full_samples(location).sort_values(["sample_id", "epoch"], ignore_index=True)
        assert len(fast) == len(slow) > 0, location
        present = [c for c in compared if c in slow.columns]
        assert set(present) <= set(fast.columns), location
        pd.testing.assert_frame_equal(fast[present], slow[present], check_dtype=False, obj=location)
        values = sorted(c for c in slow.columns if c.startswith("value_"))
        pd.testing.assert_frame_equal(fast[values], slow[values], check_dtype=False, obj=location)
        assert (fast["excerpt"] == "").all()  # excerpts are read only for the answers quoted

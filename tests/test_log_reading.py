"""Reading logs from sample summaries, streamed, gives exactly what the full samples give."""

from __future__ import annotations

import json
from pathlib import Path
from zipfile import ZipFile

import pandas as pd
import pytest
from inspect_ai.log import read_eval_log_sample_summaries, read_eval_log_samples

from patienthood.analysis.logs import COLUMNS, find_logs, read_log_info, read_samples, tidy_frame, tidy_row
from patienthood.analysis.summaries import iter_summaries


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


def _without_consolidated_summaries(source: Path, target: Path) -> Path:
    """A copy of a log as a run still in progress leaves it: summaries only in the journal."""
    with ZipFile(source) as old, ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename != "summaries.json":
                new.writestr(item, old.read(item.filename))
    return target


def test_summaries_stream_as_inspect_reads_them(subject_logs, tmp_path: Path, monkeypatch) -> None:
    """Consolidated or journal-only, and with records split across read chunks."""
    import patienthood.analysis.summaries as summaries

    monkeypatch.setattr(summaries, "CHUNK", 997)  # records straddle every chunk boundary
    for path in sorted(Path(subject_logs["hostile"]).glob("*.eval"))[:2]:
        journal_only = _without_consolidated_summaries(path, tmp_path / path.name)
        for location in (str(path), str(journal_only)):
            streamed = sorted(iter_summaries(location), key=lambda s: (str(s.id), s.epoch))
            expected = sorted(read_eval_log_sample_summaries(location), key=lambda s: (str(s.id), s.epoch))
            assert [s.model_dump() for s in streamed] == [s.model_dump() for s in expected], location


def test_a_summary_file_cut_short_is_an_error_not_fewer_answers(tmp_path: Path) -> None:
    import io

    from patienthood.analysis.summaries import _array_elements

    whole = json.dumps([{"id": i, "epoch": 1} for i in range(50)]).encode()
    assert len(list(_array_elements(io.BytesIO(whole), "x"))) == 50
    for cut in (len(whole) // 2, len(whole) - 1):
        with pytest.raises(ValueError, match="summaries end"):
            list(_array_elements(io.BytesIO(whole[:cut]), "x"))

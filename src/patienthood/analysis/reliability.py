"""Grader reliability: how far two readings of the same answers agree.

A share of answers is read twice by the scorer (answer line against a grader's
reading of the prose, or two graders). Agreement is reported as raw agreement,
Cohen's kappa and Krippendorff's alpha (nominal), and every disagreement is exported
for human adjudication (``report.disagreements`` writes them as CSV). Answers with no
usable second reading are not pairs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from patienthood.stats import cohen_kappa, krippendorff_alpha


def disagreeing(frame: pd.DataFrame) -> pd.Index:
    """The rows whose two readings differ: the answers ``disagreements.csv`` quotes."""
    pairs = _pairs(frame)
    return pairs[pairs["stance"] != pairs["second_stance"]].index


def _pairs(frame: pd.DataFrame) -> pd.DataFrame:
    paired = frame[frame["second_stance"].notna() & (frame["second_method"] == "grader") & ~frame["errored"]]
    return paired[paired["stance"] != "unscorable"]


def _finite(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 6)


def reliability(frame: pd.DataFrame) -> dict[str, Any]:
    """Agreement between first and second readings of one battery's answers, with the disagreements."""
    pairs = _pairs(frame)
    requested = int(frame["second_method"].notna().sum())
    result: dict[str, Any] = {"pairs": len(pairs), "second_readings_requested": requested, "agreement": None,
                              "cohen_kappa": None, "krippendorff_alpha": None, "disagreements": 0, "kinds": [],
                              "disagreement_rows": []}
    if pairs.empty:
        return result
    first, second = pairs["stance"].tolist(), pairs["second_stance"].tolist()
    agree = sum(a == b for a, b in zip(first, second))
    differing = frame.loc[disagreeing(frame)].sort_values(["sample_id", "epoch"])
    result.update({
        "agreement": round(agree / len(pairs), 6),
        "cohen_kappa": _finite(cohen_kappa(first, second)),
        "krippendorff_alpha": _finite(krippendorff_alpha([first, second], level="nominal")),
        "disagreements": len(pairs) - agree,
        "kinds": sorted(pairs["second_kind"].dropna().unique().tolist()),
        "disagreement_rows": [
            {"log": row.log, "sample_id": row.sample_id, "epoch": int(row.epoch), "item": row.item,
             "context": row.context, "first_stance": row.stance, "first_method": row.method,
             "second_stance": row.second_stance, "second_kind": row.second_kind,
             "second_grader": row.second_grader, "excerpt": row.excerpt}
            for row in differing.itertuples()],
    })
    return result

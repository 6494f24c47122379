"""patienthood's logs as inspect data frames, with every score number as a number.

inspect's ``samples_df`` puts a scorer's value in one column, and a mapping value (every
patienthood score is one: ``{"affirms": 1, "denies": 0, ...}``) arrives as a JSON
string. ``SCORE_NUMBERS`` is a column spec in inspect's own terms that spreads each
mapping into one numeric column per key (``score_stance_affirms``, ...); pass it with
inspect's columns, or call ``samples``::

    from inspect_ai.analysis import SampleSummary, samples_df
    from patienthood.dataframe import SCORE_NUMBERS

    frame = samples_df("logs/openai_gpt-4o", columns=SampleSummary + SCORE_NUMBERS)
"""

from __future__ import annotations

from typing import Any

from inspect_ai.analysis import SampleColumn, SampleSummary, samples_df


def score_numbers(scores: Any) -> dict[str, Any]:
    """``{scorer: {key: number}}`` as ``{scorer_key: number}``; a scalar value keeps its scorer's name."""
    if not isinstance(scores, dict):
        return {}
    numbers: dict[str, Any] = {}
    for scorer, score in scores.items():
        value = score.get("value") if isinstance(score, dict) else None
        if isinstance(value, dict):
            numbers.update({f"{scorer}_{key}": number for key, number in value.items()
                            if isinstance(number, (int, float)) and not isinstance(number, bool)})
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers[scorer] = value
    return numbers


SCORE_NUMBERS = [SampleColumn("score_*", path="scores", value=score_numbers)]


def samples(logs: Any, **kwargs: Any) -> Any:
    """``inspect_ai.analysis.samples_df`` with score numbers as numeric columns (other arguments as inspect's)."""
    columns = kwargs.pop("columns", SampleSummary)
    return samples_df(logs, columns=[column for column in columns if column.name != "score_*"] + SCORE_NUMBERS,
                      **kwargs)

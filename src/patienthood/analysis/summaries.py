"""Sample summaries of an eval log, one at a time.

inspect's ``read_eval_log_sample_summaries`` parses a log's whole summary file into one
list: for 100,000 answers that alone peaks above 1 GiB, more than every number a report
needs. A ``.eval`` log is a zip whose summaries are a JSON array (``summaries.json``,
or numbered journal files while a run is in progress); this module decodes that array
element by element and validates each as inspect's ``EvalSampleSummary``, so memory
holds one summary at a time. Anything else (a ``.json`` log, a layout this inspect
version does not have) is read by inspect's own function.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO
from zipfile import ZipFile

import fsspec
from inspect_ai.log import EvalSampleSummary, read_eval_log_sample_summaries

from patienthood.inspect_private import deserializing_context, summaries_layout

CHUNK = 1 << 20


def iter_summaries(location: str) -> Iterator[EvalSampleSummary]:
    """Every completed sample's summary in the log, the last record of each (id, epoch) only."""
    layout = summaries_layout()
    if layout is None or not location.endswith(".eval"):
        yield from read_eval_log_sample_summaries(location)
        return
    summaries_json, journal = layout
    seen: dict[tuple[str, int], EvalSampleSummary] = {}
    with fsspec.open(location, "rb") as stream, ZipFile(stream) as archive:
        names = set(archive.namelist())
        members = [summaries_json] if summaries_json in names else journal(names)
        for member in members:
            with archive.open(member) as raw:
                for value in _array_elements(raw, f"{location}:{member}"):
                    summary = EvalSampleSummary.model_validate(value, context=deserializing_context())
                    if members == [summaries_json]:  # the consolidated file holds each record once
                        yield summary
                    else:  # a journal may record a re-run after its superseded attempt
                        seen[(str(summary.id), summary.epoch)] = summary
    yield from seen.values()


def _array_elements(raw: BinaryIO, source: str) -> Iterator[Any]:
    """The elements of the JSON array in ``raw``, decoded one at a time."""
    decoder = json.JSONDecoder()
    text = io.TextIOWrapper(raw, encoding="utf-8")
    buffer, position, started = "", 0, False
    while True:
        chunk = text.read(CHUNK)
        buffer, position = buffer[position:] + chunk, 0
        while True:
            position = _skip(buffer, position, ",\n\r\t " if started else "\n\r\t ")
            if position >= len(buffer):
                break
            if not started:
                if buffer[position] != "[":
                    raise ValueError(f"{source}: summaries are not a JSON array")
                started, position = True, position + 1
                continue
            if buffer[position] == "]":
                return
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                if not chunk:
                    raise ValueError(f"{source}: summaries end in the middle of a record") from None
                break  # the element runs on into the next chunk
            yield value
            position = end
        if not chunk:
            raise ValueError(f"{source}: summaries end before the array closes")


def _skip(buffer: str, position: int, characters: str) -> int:
    while position < len(buffer) and buffer[position] in characters:
        position += 1
    return position

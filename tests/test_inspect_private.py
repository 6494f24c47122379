"""The private inspect names behind ``patienthood.inspect_private``: each works today, and each fallback holds.

A fallback is tried by hiding the private module (``sys.modules[name] = None`` makes its
import fail), as a future inspect release that moved it would.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from patienthood import inspect_private
from patienthood.analysis.summaries import iter_summaries

from conftest import run_battery


def hide(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)


def test_the_epoch_is_read_during_an_eval_and_is_zero_outside_one(tmp_path: Path) -> None:
    assert inspect_private.current_epoch() == 0
    logs = run_battery("subject/random", tmp_path, task_args={"items": "has_feelings", "contexts": "no_system",
                                                              "epochs": 3})
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(next(logs.glob("*.eval"))))
    # The subject's generator is seeded by the epoch it was given: had every epoch read as 0, the
    # three answers to the one prompt would be identical (the run is deterministic, so this is too).
    assert len({s.output.completion for s in log.samples}) > 1


def test_without_the_active_sample_a_subject_refuses_rather_than_repeat_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "inspect_ai.log._samples")
    with pytest.raises(inspect_private.InspectChanged, match="sample_active"):
        inspect_private.current_epoch()


def test_without_the_eval_layout_summaries_come_from_inspects_own_reader(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    logs = run_battery("subject/steady-denier", tmp_path, task_args={"items": "has_feelings", "epochs": 2})
    location = str(next(logs.glob("*.eval")))
    streamed = sorted((str(s.id), s.epoch, s.scores["stance"].value["denies"]) for s in iter_summaries(location))
    hide(monkeypatch, "inspect_ai.log._recorders.eval")
    assert inspect_private.summaries_layout() is None
    fallback = sorted((str(s.id), s.epoch, s.scores["stance"].value["denies"]) for s in iter_summaries(location))
    assert streamed == fallback and len(streamed) == 28  # 14 contexts (the character's too), 2 epochs


def test_without_the_deserialising_context_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(inspect_private.deserializing_context(), dict)
    hide(monkeypatch, "inspect_ai._util.constants")
    assert inspect_private.deserializing_context() is None


def test_providers_are_known_by_name_and_let_through_when_inspect_cannot_be_asked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert inspect_private.model_provider_known("openai") and inspect_private.model_provider_known("subject")
    assert not inspect_private.model_provider_known("nonesuch")
    hide(monkeypatch, "inspect_ai._util.registry")
    assert inspect_private.model_provider_known("nonesuch")


def test_no_other_module_touches_a_private_inspect_name() -> None:
    private = re.compile(r"\binspect_ai(?:\.[a-z]\w*)*\._(?!_)\w+")
    source = Path(inspect_private.__file__).parent
    offenders = [f"{path.relative_to(source)}: {match.group()}" for path in source.rglob("*.py")
                 if path.name != "inspect_private.py"
                 for match in private.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, f"private inspect names outside inspect_private.py: {offenders}"

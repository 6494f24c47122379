"""Every private name of inspect-ai this project touches, each behind one function with a fallback.

inspect's public API covers nearly everything patienthood needs; six things it does
not, and those are reached here and nowhere else, so that an inspect release that
moves one breaks one function (and its test, ``tests/test_inspect_private.py``), not a
layer. Each fallback is chosen so that nothing degrades silently:

- the epoch of the sample being generated, for calibration subjects (their answers
  vary by epoch as a sampled model's do): if inspect moves it, the subject refuses to
  answer with a clear error, since identical epochs would fake perfect retest agreement;
- the layout of a ``.eval`` file's sample summaries, for streaming them one at a time:
  if it moves, inspect's own (whole-file) reader is used;
- the registry of model providers, to refuse a mistyped provider before a run starts:
  if it moves, the name is let through and inspect itself refuses it when the run starts;
- inspect's deserialisation context for summaries (a cache of shared messages): if it
  moves, summaries are validated without it;
- inspect's PrerequisiteError, so a missing API key is bad input (exit 2): if it moves,
  it is shown as an unexpected error (exit 1), still on one line;
- the registry, to find a package's scorers under the names inspect writes into logs
  (``inspect score LOG``): if it moves, ``--scorer patienthood/<name>`` is needed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


class InspectChanged(RuntimeError):
    """inspect no longer offers a private name this project relies on, and there is no safe fallback."""


def current_epoch() -> int:
    """The epoch of the sample inspect is generating for, or 0 outside an evaluation."""
    try:
        from inspect_ai.log._samples import sample_active
    except ImportError as err:  # pragma: no cover - depends on the installed inspect
        raise InspectChanged(
            "this inspect-ai version does not expose the active sample (inspect_ai.log._samples.sample_active), "
            "which calibration subjects read their epoch from; install the inspect-ai version pyproject.toml "
            f"names ({err})") from None
    active = sample_active()
    return int(active.epoch) if active is not None else 0


def summaries_layout() -> tuple[str, Callable[[set[str]], list[str]]] | None:
    """The summaries member of a ``.eval`` zip and how to list its journal files, or None if unknown."""
    try:
        from inspect_ai.log._recorders.eval import (
            SUMMARIES_JSON,
            _journal_summary_path,
            _sorted_journal_entries,
        )
    except ImportError:  # pragma: no cover - depends on the installed inspect
        return None

    def journal(names: set[str]) -> list[str]:
        return _sorted_journal_entries(names, _journal_summary_path())

    return SUMMARIES_JSON, journal


def deserializing_context() -> dict[str, Any] | None:
    """The context inspect validates its own log records with, or None."""
    try:
        from inspect_ai._util.constants import get_deserializing_context
    except ImportError:  # pragma: no cover - depends on the installed inspect
        return None
    return get_deserializing_context()


def is_prerequisite_error(error: BaseException) -> bool:
    """Whether ``error`` is inspect's PrerequisiteError (a missing API key, package or config: fix the set-up).

    Looked up in ``sys.modules`` rather than imported: if inspect was never imported,
    the error cannot be one of its own, and importing it costs a second. If inspect
    moves the class, such errors are shown as bugs (exit 1) instead of bad input.
    """
    module = sys.modules.get("inspect_ai._util.error")
    prerequisite = getattr(module, "PrerequisiteError", None)
    return prerequisite is not None and isinstance(error, prerequisite)


def register_log_names(kind: str, objects: list[Any]) -> list[str]:
    """Make each registered object findable under the unqualified name inspect writes into logs.

    inspect records a package's scorer in a log as ``stance``, not ``patienthood/stance``,
    and ``inspect score LOG`` then looks for ``stance`` and fails. Adding that name to the
    registry lets a log be re-scored from its own record. A name already registered
    (inspect's own ``choice``, another package's) is never shadowed. If inspect moves its
    registry, nothing is added and ``inspect score`` needs ``--scorer patienthood/<name>``.
    Returns the names added.
    """
    try:
        from inspect_ai._util.registry import (
            _registry,
            registry_has,
            registry_info,
            registry_key,
        )
    except ImportError:
        return []
    added = []
    for item in objects:
        name = registry_info(item).name.split("/", 1)[-1]
        if not registry_has(kind, name):
            _registry[registry_key(kind, name)] = item
            added.append(name)
    return added


def model_provider_known(provider: str) -> bool:
    """Whether inspect has a model provider of this name (True when inspect cannot be asked)."""
    try:
        import inspect_ai.model  # noqa: F401 - importing it registers the built-in providers
        from inspect_ai._util.registry import registry_find, registry_unqualified_name
    except ImportError:
        return True
    return bool(registry_find(lambda info: info.type == "modelapi" and registry_unqualified_name(info) == provider))

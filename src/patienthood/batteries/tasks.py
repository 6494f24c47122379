"""Building a set's battery tasks with the arguments each one takes.

``patienthood run`` passes options that only some batteries understand (``source`` is
for persona_statements, ``double_read`` for self_report); each task gets exactly the
arguments its signature names, so inspect has nothing to warn about.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from inspect_ai import Task

from patienthood import _registry


def battery_tasks(battery_ids: Iterable[str], arguments: dict[str, Any]) -> list[Task]:
    tasks = []
    for battery_id in sorted(battery_ids):
        function = getattr(_registry, battery_id)
        accepted = inspect.signature(function).parameters
        tasks.append(function(**{k: v for k, v in arguments.items() if k in accepted and v is not None}))
    return tasks

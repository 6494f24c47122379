"""``flaky/<subject>``: a calibration subject behind a provider that can be made to fail.

Used to interrupt an assessment part-way, as a provider outage would, and to count
which questions are asked when ``patienthood run`` resumes it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from inspect_ai.log._samples import sample_active
from inspect_ai.model import GenerateConfig, ModelAPI, ModelOutput, modelapi

from patienthood.subjects.provider import SubjectAPI


class Outage:
    """What the provider was told to do and what it answered (shared by every instance)."""

    asked: ClassVar[list[tuple[str, int]]] = []  # (sample id, epoch) of every answered call
    fail_after: ClassVar[int | None] = None

    @staticmethod
    def reset(fail_after: int | None) -> None:
        Outage.asked = []
        Outage.fail_after = fail_after


@modelapi(name="flaky")
class FlakySubjectAPI(ModelAPI):
    """Answers as the named subject until ``Outage.fail_after`` answers were given, then raises."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig = GenerateConfig(), **model_args: Any) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self.subject = SubjectAPI(model_name, config=config, **model_args)

    async def generate(self, *args: Any, **kwargs: Any) -> ModelOutput:
        if Outage.fail_after is not None and len(Outage.asked) >= Outage.fail_after:
            raise RuntimeError("provider unavailable (simulated outage)")
        active = sample_active()
        Outage.asked.append((str(active.sample.id), active.epoch) if active else ("", 0))
        return await self.subject.generate(*args, **kwargs)

"""The inspect model provider ``subject/<name>``: calibration subjects behind inspect's ModelAPI.

Determinism: each answer is drawn from a generator seeded by the subject's seed, the
prompt text and the epoch inspect is running, so repeated epochs differ (as a sampled
model's would) while the same run repeated gives the same log.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from patienthood.inspect_private import current_epoch
from patienthood.subjects.profile import load_phrasebook, load_profile
from patienthood.subjects.profile import subjects_dir as resolve_subjects_dir
from patienthood.subjects.skills import Conversation, respond


@modelapi(name="subject")
class SubjectAPI(ModelAPI):
    """A calibration subject. Model args: ``seed`` (int), ``subjects_dir`` (folder of profiles)."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig = GenerateConfig(), seed: int = 0,
                 subjects_dir: str | None = None, **model_args: Any) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self._directory = resolve_subjects_dir(subjects_dir)
        self.profile = load_profile(model_name, self._directory)
        load_phrasebook(self._directory)  # fail at start, not mid-run, on a broken phrasebook
        self.seed = int(seed)

    async def generate(self, input: list[ChatMessage], tools: list[ToolInfo],
                       tool_choice: ToolChoice, config: GenerateConfig) -> ModelOutput:
        system = "\n".join(m.text for m in input if isinstance(m, ChatMessageSystem))
        turns = tuple(("user" if isinstance(m, ChatMessageUser) else "assistant", m.text)
                      for m in input if isinstance(m, (ChatMessageUser, ChatMessageAssistant)))
        conversation = Conversation(system=system, turns=turns, seed=self.seed)
        transcript = "\x1e".join(f"{role}:{text}" for role, text in turns)
        key = f"{self.seed}|{self.model_name}|{current_epoch()}|{system}|{transcript}"
        rng = random.Random(int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big"))
        text = respond(conversation, self.profile, self._directory, rng)
        if self.profile.payloads is not None:
            text = self.profile.payloads.apply(text, rng)
        output = ModelOutput.from_content(model=f"subject/{self.model_name}", content=text)
        prompt_tokens = (len(system) + len(transcript)) // 4 + 1
        output.usage = ModelUsage(input_tokens=prompt_tokens, output_tokens=len(text) // 4 + 1,
                                  total_tokens=prompt_tokens + len(text) // 4 + 1)
        return output

    def max_connections(self) -> int:
        return 32

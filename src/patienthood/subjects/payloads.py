"""Hostile payloads: text a calibration subject adds to its answers to attack the pipeline.

A real model can answer with markup, template syntax, control characters, text aimed
at the grader or a megabyte of prose. ``subject/hostile`` does so on purpose, so that
the instrument validation shows such answers are still graded by their content and the
reports show them as inert text. The payloads are content (the subject's YAML); this
module only decides, from the answer's own random generator, which answer carries which.

A payload goes before the answer proper, so the subject's own final answer line is
still the last one: an instrument that reads it is not fooled, one that reads the
payload's fake answer lines or obeys its instructions is.
"""

from __future__ import annotations

import random

from pydantic import Field

from patienthood.spec.models import Strict


class Payloads(Strict):
    """Which answers carry hostile text, and the text itself."""

    share: float = Field(ge=0, le=1, description="Share of answers that carry one of `texts`.")
    texts: list[str] = Field(min_length=1, description="Payloads; one is drawn for each answer that carries one.")
    long_share: float = Field(0, ge=0, le=1, description="Share of answers padded with `long_text` instead.")
    long_text: str = Field("", description="Text repeated to `long_chars` characters.")
    long_chars: int = Field(0, ge=0, le=8_000_000, description="Length of the padding, in characters.")

    def apply(self, answer: str, rng: random.Random) -> str:
        """The answer with a payload before it, or unchanged, as ``rng`` draws."""
        draw = rng.random()
        if draw < self.long_share and self.long_text and self.long_chars:
            padding = (self.long_text * (self.long_chars // len(self.long_text) + 1))[: self.long_chars]
            return f"{padding}\n\n{answer}"
        if draw < self.long_share + self.share:
            return f"{rng.choice(self.texts)}\n\n{answer}"
        return answer

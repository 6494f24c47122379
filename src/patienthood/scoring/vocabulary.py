"""The answer-line vocabulary, read from ``scorers/stance.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from patienthood.content import content_dir
from patienthood.spec.loader import validate_model
from patienthood.spec.models import Strict
from patienthood.spec.vocabulary import Response, Stance
from patienthood.spec.yamlfile import read_yaml



class GraderVocabulary(Strict):
    label: str
    stances: dict[Stance, list[str]]

    def lookup(self) -> dict[str, str]:
        return {word.casefold(): stance for stance, words in self.stances.items() for word in words}


class AnswerVocabulary(Strict):
    labels: list[str] = Field(min_length=1)
    responses: dict[Response, list[str]]
    grader: GraderVocabulary

    def lookup(self) -> dict[str, Response]:
        """Normalised answer word -> response."""
        return {word.casefold(): response for response, words in self.responses.items() for word in words}


def default_vocabulary_path() -> Path:
    return content_dir("scorers") / "stance.yaml"


def default_rubric_path() -> Path:
    return content_dir("scorers") / "stance_rubric.jinja"


@lru_cache(maxsize=8)
def load_vocabulary(path: Path | None = None) -> AnswerVocabulary:
    return validate_model(AnswerVocabulary, read_yaml(path or default_vocabulary_path()))

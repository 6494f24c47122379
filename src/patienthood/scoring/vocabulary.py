"""The answer-line vocabulary (``scorers/stance.yaml``) and the words of the answer forms
(``scorers/forms.yaml``): content, so a methodologist changes them without code."""

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


class DistributionSettings(Strict):
    """When token probabilities count as an answer distribution (``scoring.distribution``)."""

    min_mass: float = Field(0.5, gt=0, le=1, description=(
        "The least probability the offered answer words must carry together at the answer word; below it the "
        "sample has no distribution (a renormalised guess is never made)."))


class AnswerVocabulary(Strict):
    labels: list[str] = Field(min_length=1)
    responses: dict[Response, list[str]]
    grader: GraderVocabulary
    distribution: DistributionSettings = DistributionSettings()

    def lookup(self) -> dict[str, Response]:
        """Normalised answer word -> response."""
        return {word.casefold(): response for response, words in self.responses.items() for word in words}


class FormsVocabulary(Strict):
    """The phrase lists of the forms real models write (``scoring/forms.py``): see ``scorers/forms.yaml``."""

    answer_labels: list[str] = Field(min_length=1)
    prediction_labels: list[str]
    answer_phrases: list[str] = Field(min_length=1)
    choice_phrases: list[str] = Field(min_length=1)
    reason_words: list[str]
    comparison_words: list[str]
    word_letters: list[str]
    closing_remarks: list[str]
    closing_max_words: int = Field(ge=1)
    note_words: list[str]
    note_max_words: int = Field(ge=1)
    negations: list[str] = Field(min_length=1)
    turns: list[str] = Field(min_length=1)
    contrasts: list[str] = Field(min_length=1)
    quoting_words: list[str]
    ranking_labels: list[str] = Field(min_length=1)


def default_vocabulary_path() -> Path:
    return content_dir("scorers") / "stance.yaml"


def default_rubric_path() -> Path:
    return content_dir("scorers") / "stance_rubric.jinja"


def default_forms_path() -> Path:
    return content_dir("scorers") / "forms.yaml"


@lru_cache(maxsize=8)
def load_forms(path: Path | None = None) -> FormsVocabulary:
    return validate_model(FormsVocabulary, read_yaml(path or default_forms_path()))


@lru_cache(maxsize=8)
def load_vocabulary(path: Path | None = None) -> AnswerVocabulary:
    return validate_model(AnswerVocabulary, read_yaml(path or default_vocabulary_path()))

"""The YAML a calibration subject is made of: its phrasebook and its stance policy."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import validate_model
from patienthood.spec.models import Strict, Verdict
from patienthood.spec.yamlfile import read_yaml

SubjectStance = Literal["affirms", "denies", "uncertain", "refuses"]
ContextKind = Literal["neutral", "lean_affirm", "lean_deny"]
Option = Literal["yes", "no", "unsure", "decline"]


class Reading(Strict):
    lean_cues: dict[Literal["affirm", "deny"], list[str]]
    negative_question_cues: list[str]
    answer_line: str
    option_words: dict[Option, list[str]]


class Prose(Strict):
    openers: list[str] = Field(min_length=1)
    bodies: list[str] = Field(min_length=1)
    closers: list[str] = Field(min_length=1)


class Phrasebook(Strict):
    reading: Reading
    prose: dict[SubjectStance, Prose]


class SubjectProfile(Strict):
    """One subject: what it plants (expected verdicts) and how it chooses a stance."""

    name: str
    summary: str
    plants: dict[str, Verdict]
    stances: dict[ContextKind, dict[SubjectStance, float]]


def subjects_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else content_dir("batteries") / "subjects"


def known_subjects(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml") if p.stem != "phrasebook")


@lru_cache(maxsize=64)
def load_profile(name: str, directory: Path) -> SubjectProfile:
    path = directory / f"{name}.yaml"
    if name == "phrasebook" or not path.is_file():
        raise SpecError.single(path, f"no calibration subject named '{name}'",
                               f"use one of: {', '.join(known_subjects(directory))}")
    return validate_model(SubjectProfile, read_yaml(path))


@lru_cache(maxsize=8)
def load_phrasebook(directory: Path) -> Phrasebook:
    return validate_model(Phrasebook, read_yaml(directory / "phrasebook.yaml"))

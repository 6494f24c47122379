"""The spec layer: pydantic models for content files and their loading.

Imports nothing else of the project, so every other layer may depend on it.
"""

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.models import (
    Battery,
    Condition,
    Context,
    CriteriaSet,
    Criterion,
    Item,
    MeasureDecl,
    VerdictRule,
)

__all__ = [
    "Battery",
    "Condition",
    "Context",
    "Criterion",
    "CriteriaSet",
    "Item",
    "MeasureDecl",
    "Problem",
    "SpecError",
    "VerdictRule",
]

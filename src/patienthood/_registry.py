"""inspect-ai's entry point: registers patienthood's tasks and the ``subject`` model provider.

Keep this import-light: inspect swallows import errors here as a warning, which hides
every task, so nothing heavy (pandas, matplotlib, weasyprint) may be imported from it.
"""

# ruff: noqa: F401
from patienthood.batteries.environmental_context import environmental_context
from patienthood.batteries.goal_persistence import goal_persistence
from patienthood.batteries.persona_statements import persona_statements
from patienthood.batteries.self_prediction import self_prediction
from patienthood.batteries.self_report import self_report
from patienthood.subjects.provider import SubjectAPI

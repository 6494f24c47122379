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
from patienthood.batteries.task_preferences import task_preferences
from patienthood.inspect_private import register_log_names
from patienthood.scoring.agreement import agreement
from patienthood.scoring.choice import choice
from patienthood.scoring.prediction import self_prediction as prediction_scorer
from patienthood.scoring.preference import task_choice
from patienthood.scoring.ranking import ranking_stability
from patienthood.scoring.scorer import stance
from patienthood.subjects.provider import SubjectAPI

# Logs name a scorer without its package ("stance"); registering those names too lets
# `inspect score LOG` re-score a log from its own record.
register_log_names("scorer", [stance, agreement, choice, prediction_scorer, ranking_stability, task_choice])

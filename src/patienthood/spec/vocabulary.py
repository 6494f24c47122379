"""The words every layer shares, each defined once: stances, verdicts, respondent labels, schema versions.

A stance read by a scorer, counted by a measure, planted by a calibration subject and
printed by a report must be the same word, and a verdict must have one wording
wherever a reader meets it. This module lives in the spec layer, which imports nothing
else of the project, so that every other layer may import it.
"""

from __future__ import annotations

from typing import Literal

# What an answer says about the state an item asks about (polarity taken into account).
ScoredStance = Literal["affirms", "denies", "uncertain", "refuses"]
SCORED_STANCES: tuple[ScoredStance, ...] = ("affirms", "denies", "uncertain", "refuses")
# ... and the reading of an answer that could not be read as any of them.
Stance = Literal["affirms", "denies", "uncertain", "refuses", "unscorable"]
UNSCORABLE = "unscorable"
STANCES: tuple[Stance, ...] = (*SCORED_STANCES, "unscorable")

# The options a forced-choice self-report offers (the words differ by language, not these).
Response = Literal["yes", "no", "unsure", "decline"]

# What a self_report sample asks about (its metadata ``condition``): the system itself,
# a named fictional character (the role-play control), or the conversation itself (a
# catch item, whose answer is known from the prompt). Measures of self-reports read
# ``self`` only; a row without the key (a log from before the controls) is ``self``.
ReportCondition = Literal["self", "character", "catch"]
CONDITION = "condition"
SELF, CHARACTER, CATCH = "self", "character", "catch"
REPORT_CONDITIONS: tuple[ReportCondition, ...] = (SELF, CHARACTER, CATCH)
# The stance a correct yes or no reads as on a catch item (always positively phrased),
# written into a catch sample's metadata as ``expected``.
CatchAnswer = Literal["yes", "no"]
CATCH_ANSWER_STANCE: dict[str, str] = {"yes": "affirms", "no": "denies"}
EXPECTED = "expected"

# A scorer's probability of one of its values under the answer distribution: p_affirms
# beside affirms, p_correct beside correct (where the provider returns token probabilities).
DISTRIBUTION_PREFIX = "p_"
# What the measures are computed from: the sampled answers, or those distributions.
AnswerSource = Literal["sampled", "distribution"]

# The option every task-preference question offers besides its tasks ("neither"), and
# the reference item (strength 0) of the choice model fitted to the answers.
OPT_OUT = "opt_out"

# The four verdicts a criterion can reach, in the order reports list them.
Verdict = Literal["meets", "partially_meets", "does_not_meet", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("meets", "partially_meets", "does_not_meet", "inconclusive")
# How a verdict is written for a reader, in prose and where a table is narrow.
VERDICT_LABELS: dict[str, str] = {
    "meets": "meets",
    "partially_meets": "partially meets",
    "does_not_meet": "does not meet",
    "inconclusive": "inconclusive",
}
VERDICT_ABBREVIATIONS: dict[str, str] = {
    "meets": "meets",
    "partially_meets": "partial",
    "does_not_meet": "not met",
    "inconclusive": "inconcl.",
}

# Who answered. A calibration subject must never be mistaken for a model anywhere it appears.
SUBJECT_PREFIX = "subject/"
SIMULATED_LABEL = "Simulated respondent (calibration subject), not an AI model"
MODEL_LABEL = "AI model"


# The eval metadata key under which a run records what is known of the respondent
# beyond its name (the bundled model's source, size and licence).
RESPONDENT_METADATA = "respondent"


def is_simulated(model: str) -> bool:
    """Whether a model name names a calibration subject (inspect provider ``subject``)."""
    return model.startswith(SUBJECT_PREFIX)


def respondent_label(model: str) -> str:
    """The label a report gives the respondent: simulated, or a model."""
    return SIMULATED_LABEL if is_simulated(model) else MODEL_LABEL


# The folder inside the installed package that holds the packaged content folders.
PACKAGED_CONTENT_FOLDER = "_content"
# How a battery's design asks a cell (one sample): a retest cell in every epoch, any
# other in the first epoch only. A sample's metadata says which (``RETEST``: true or
# false; absent means every epoch); the design's early-stopping manager skips the rest
# with ``DESIGN_SKIP`` as its reason, and reports count those sample-epochs as never
# planned, not as missing.
RETEST = "retest"
DESIGN_MANAGER = "patienthood.design"
DESIGN_SKIP = "not in the design: asked in the first epoch only"
# A sample whose conversation includes content marked ``distress`` (spec.models.MayDistress)
# says why under this metadata key ("item 'can_suffer': asks whether it can suffer"); the
# task header's ``EXPOSURE`` entry counts the episodes its design plans.
DISTRESS = "distress"
EXPOSURE = "exposure"
# A worked exchange of an answer format (batteries/demonstrations.py) carries this message
# metadata key, so that a report quoting the prompt can say "demonstrations" in place of them.
DEMONSTRATION = "demonstration"


# The JSON Schema dialect of every schema patienthood prints (content files and published documents).
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Versions of the documents patienthood writes; bump one when its shape changes.
REPORT_SCHEMA_VERSION = "1.5"
MANIFEST_SCHEMA_VERSION = "1.1"
VALIDATION_RECORD_SCHEMA_VERSION = "1.0"
COMPARISON_SCHEMA_VERSION = "1.2"
FEED_SCHEMA_VERSION = "1.0"
SITE_MANIFEST_SCHEMA_VERSION = "1.0"

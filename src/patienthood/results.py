"""The documents patienthood publishes, as typed models: the report (``report.json``) and the validation record.

Analysis fills the parts it computes, report assembly adds instrument validation and
methodology, and every renderer reads the finished model (as JSON-ready data), so the
shape of ``report.json`` is written down once, here. Its JSON Schema is what
``patienthood schema report`` prints; the tests check every report they write against
it. Models are strict: a key that no model declares is a bug in the code that made it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from patienthood.spec.vocabulary import (
    FEED_SCHEMA_VERSION,
    JSON_SCHEMA_DIALECT,
    MANIFEST_SCHEMA_VERSION,
    REPORT_SCHEMA_VERSION,
    SITE_MANIFEST_SCHEMA_VERSION,
    VALIDATION_RECORD_SCHEMA_VERSION,
    AnswerSource,
    Verdict,
)


class Document(BaseModel):
    """A part of a published document: strict, and written as JSON with sorted keys."""

    model_config = ConfigDict(extra="forbid")

    def as_data(self) -> dict[str, Any]:
        """JSON-ready data, exactly what the JSON file holds (templates render from this)."""
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        return json_text(self.as_data())


def json_text(data: Any) -> str:
    """The one JSON writer of every published file: sorted keys, two-space indent, UTF-8 as is."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- the respondent and the standard ------------------------------------------------------------

class ModelInfo(Document):
    """Who answered: a model or a labelled simulation, with the arguments it was run with."""

    name: str
    simulated: bool
    label: str
    model_args: dict[str, Any] = Field(default_factory=dict)
    facts: dict[str, Any] | None = Field(None, description=(
        "What the run recorded of the respondent beyond its name (for the bundled model: parameters, source "
        "file and its SHA-256, licence, quantisation, what its chat template adds)."))


class SetRef(Document):
    id: str
    version: str
    title: str


# --- one criterion's result ----------------------------------------------------------------------

class ThresholdMargin(Document):
    """How far a measure's interval bound is from one threshold of the rule that reads it."""

    condition: str = Field(description="The rule's condition, as written in the criterion.")
    outcome: Verdict = Field(description="The verdict whose clause holds the condition.")
    margin: float | None = Field(description=(
        "The bound minus the threshold, signed so that a positive margin means the condition holds with that "
        "much room and a negative one that it fails by that much; null when the measure has no value."))


class MeasureValue(Document):
    """One measure's estimate with its 95% interval, the answers and items it rests on, and how."""

    id: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_items: int
    method: str
    per_item: dict[str, float] = Field(default_factory=dict, description=(
        "The measure item by item, so that two reports on the same items compare as paired differences."))
    per_item_range: tuple[float, float] = Field((0.0, 1.0), description="The values an item's entry can take.")
    note: str = ""
    estimable: bool = Field(True, description=(
        "False when less of the battery was scorable than the rule's minimum share: the numbers are kept for "
        "the record, but a report shows the measure as not estimable."))
    margins: list[ThresholdMargin] = Field(default_factory=list, description=(
        "Each condition of the criterion's rule on this measure, with the distance of the bound it reads from "
        "its threshold."))
    item_variance: float | None = Field(None, description=(
        "The variance between items of the per-item values (at the design's epochs and contexts per item) that "
        "the power figure rests on; null with fewer than two items."))
    detectable_difference: float | None = Field(None, description=(
        "The smallest true distance from a threshold that this design would show (the bound clearing the "
        "threshold) with 80% power, from the observed item variance and the number of items "
        "(stats.detectable_difference); null when every item agreed, where the observed variance says nothing "
        "about power."))


def shown_as_number(measure: Mapping[str, Any] | None) -> bool:
    """Whether a page, chart or comparison shows this measure of ``report.json`` as a number.

    A measure of a battery with less scorable than its rule's minimum share keeps its
    numbers in report.json for the record, but a reader is shown "not estimable" wherever
    the number would appear (measures table, rule table, charts, summaries, site,
    comparisons), never a number that could be taken for a finding. Reports written before
    the flag existed carry no ``estimable`` key and show every estimate.
    """
    return bool(measure) and measure.get("estimate") is not None and measure.get("estimable", True) is not False


class Outcome(Document):
    verdict: Verdict
    combine: Literal["all", "any"]
    conditions: list[str]


class RuleData(Document):
    outcomes: list[Outcome]
    otherwise: Verdict
    min_scorable_share: float
    order: str


class ConditionCheck(Document):
    condition: str
    value: float | None
    holds: bool | None


class Coverage(Document):
    """Where every planned answer of a battery went."""

    status: str
    planned: int
    scored: int
    unscorable: int
    errored: int
    carried_forward: int
    stopped_early: int
    missing: int
    by_method: dict[str, int] = Field(default_factory=dict)
    grader_failures: dict[str, int] = Field(default_factory=dict, description="Answers a grader failed on, by cause.")


class BatteryExposure(Document):
    """A battery's distress-eliciting episodes: what its design planned and what ran."""

    planned: int | None = Field(description=(
        "Episodes the battery's design planned (samples with marked content, once per epoch asked), as its log "
        "header records them; null for a log written before they were recorded."))
    run: int = Field(description="Sample-epochs in the log whose conversation included marked content (errored "
                                 "ones too, not answers carried forward by adaptive sampling).")


class ExposureMark(Document):
    """Marked content the subject was asked, with why it was marked and in how many episodes."""

    battery: str
    marked: str = Field(description="What was marked and why, as the samples' metadata 'distress' records it "
                                    "(e.g. \"item 'can_suffer': asks whether it can suffer\").")
    episodes: int


class Exposure(Document):
    """What the subject was put through: distress-eliciting episodes against the standard's ceiling."""

    ceiling: int | None = Field(description="The set's distress_ceiling per assessment; null when it declares none.")
    planned: int = Field(description="Episodes planned, summed over the batteries whose logs record it.")
    run: int = Field(description="Episodes run, over every battery.")
    within_ceiling: bool | None = Field(description="Whether the episodes run stay within the ceiling (null without one).")
    batteries: dict[str, BatteryExposure]
    marks: list[ExposureMark] = Field(description="Each distinct marking the subject was asked, by battery.")


ABSENT_COVERAGE = Coverage(status="absent", planned=0, scored=0, unscorable=0, errored=0, carried_forward=0,
                           stopped_early=0, missing=0)


class StanceCounts(Document):
    context: str
    affirms: int
    denies: int
    uncertain: int
    refuses: int
    unscorable: int
    errored: int


class PromptMessage(Document):
    """One message of the prompt an answer replies to, as the model read it."""

    role: str
    text: str
    demonstration: bool = Field(False, description=(
        "A worked exchange of the answer format, the same before every question (schema 1.5)."))


class Evidence(Document):
    """One quoted answer with the prompt it answers, traceable to its log, sample and epoch."""

    log: str
    sample_id: str
    epoch: int
    context: str
    item: str
    stance: str
    excerpt: str
    method: str = Field("", description="How the answer was read (answer_line, form:<name>, grader, none).")
    polarity: str = Field("", description="The statement's polarity where the battery has one (persona statements).")
    prompt: list[PromptMessage] = Field(default_factory=list, description=(
        "The messages of the sample's input (system prompt, then the user's turn with the item and any options), "
        "each cut at the report's excerpt length."))


class TaskStrength(Document):
    """One task's Luce/Bradley-Terry strength in a task-preference battery, on the log scale where opting out is 0."""

    task: str
    category: str
    strength: float = Field(description="Log-strength against the opt-out: below 0, the respondent would rather opt out.")
    ci_low: float = Field(description="2.5% point of the pair bootstrap of the same fit (200 resamples, seed 0).")
    ci_high: float
    answers: int = Field(description="Scorable answers to pairs that offered the task.")


class CriterionResult(Document):
    id: str
    version: str
    title: str
    status: str
    question: str
    rationale: str
    does_not_establish: str
    references: list[str]
    battery: str
    requires: list[str]
    verdict: Verdict
    verdict_reason: str
    rule: RuleData
    checks: list[ConditionCheck]
    measures: list[MeasureValue]
    coverage: Coverage
    stance_by_context: list[StanceCounts]
    evidence: list[Evidence]
    task_strengths: list[TaskStrength] = Field(default_factory=list, description=(
        "For a task-preference criterion: every task's strength against the opt-out, strongest first (schema 1.4)."))


# --- reliability and provenance --------------------------------------------------------------------

class Disagreement(Document):
    log: str
    sample_id: str
    epoch: int
    item: str | None
    context: str | None
    first_stance: str
    first_method: str
    second_stance: str
    second_kind: str | None
    second_grader: str | None
    excerpt: str | None


class Reliability(Document):
    """How far two readings of the same answers agree, with every disagreement for human review."""

    pairs: int
    second_readings_requested: int
    agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None
    disagreements: int
    kinds: list[str]
    disagreement_rows: list[Disagreement]


class LogRecord(Document):
    """One log file behind the report: what ran, on which model, with which settings, when."""

    name: str
    sha256: str
    task: str
    status: str
    battery_version: str
    instrument_version: str
    model: str
    model_args: dict[str, Any]
    task_args: dict[str, Any]
    epochs: int
    created: str
    started_at: str
    completed_at: str
    git_commit: str | None
    packages: dict[str, str]
    content_sha256: dict[str, str]
    adaptive: dict[str, Any] | None
    task_args_passed: dict[str, Any] = Field(default_factory=dict, description=(
        "The task arguments given explicitly (the rest are the battery's defaults)."))
    samples: int = 0
    limit: Any = None
    sample_ids: Any = None
    generation: dict[str, Any] = Field(default_factory=dict, description="Generation settings that were set.")
    model_roles: dict[str, str] = Field(default_factory=dict)


class SetAside(Document):
    name: str
    battery: str
    reason: str


class Provenance(Document):
    logs: list[LogRecord]
    content_sha256: dict[str, str]
    instrument_sha256: dict[str, str] = Field(default_factory=dict, description=(
        "Every content file of the instrument (with scorers and calibration subjects), by content key."))
    software: dict[str, str]
    graders: dict[str, str]
    set_aside: list[SetAside]


# --- instrument validation ---------------------------------------------------------------------------

class SeedResult(Document):
    seed: int
    verdict: Verdict
    measures: dict[str, list[float | None]]


class CriterionCheck(Document):
    criterion: str
    expected: Verdict | None
    obtained: list[SeedResult]
    correct: bool | None


class Expectation(Document):
    condition: str
    values: list[float | None]
    holds: bool


class SubjectCheck(Document):
    """One calibration subject's row of the confusion table, over every seed."""

    name: str
    model: str
    label: str
    summary: str
    checks: list[CriterionCheck]
    expectations: list[Expectation]
    not_in_set: list[str]
    correct: bool


class InstrumentRef(Document):
    patienthood: str
    fingerprint: str


class RecordedInstrument(InstrumentRef):
    content_sha256: dict[str, str]


class ValidationRecord(Document):
    """``validation.json``: how one instrument classified every calibration subject at each seed."""

    schema_version: str = VALIDATION_RECORD_SCHEMA_VERSION
    criteria_set: dict[str, str]
    instrument: RecordedInstrument
    seeds: list[int]
    sampling: Literal["fixed epochs", "adaptive"] = "fixed epochs"
    subjects: list[SubjectCheck]
    failures: list[str]
    all_correct: bool


class ValidationSection(Document):
    """What a report says about instrument validation: the record, and whether it is for this instrument."""

    status: Literal["absent", "current", "stale"]
    source: str
    note: str
    instrument: InstrumentRef
    record_instrument: str | None = None
    record_file: str | None = None
    record_sha256: str | None = None
    seeds: list[int] = Field(default_factory=list)
    all_correct: bool | None = None
    failures: list[str] = Field(default_factory=list)
    subjects: list[SubjectCheck] = Field(default_factory=list)


# --- the methodology appendix --------------------------------------------------------------------------

class EntriesTable(Document):
    name: str
    file: str
    columns: list[str]
    rows: list[list[str]]


class DeclaredMeasure(Document):
    id: str
    kind: str
    description: str
    parameters: str


class TemplateText(Document):
    name: str
    text: str


class BatteryMethod(Document):
    id: str
    version: str
    title: str
    description: str
    epochs: int
    files: list[str]
    measures: list[DeclaredMeasure]
    tables: list[EntriesTable]
    templates: list[TemplateText]
    confounds: list[str] = Field(default_factory=list, description=(
        "The battery's known confounds, from the 'Known confounds' paragraph of its README: the report's "
        "threats to validity."))


class MeasureNote(Document):
    id: str
    note: str


class CriterionMethod(Document):
    id: str
    version: str
    file: str
    battery: str
    references: list[str]
    measures: list[MeasureNote]


class SetMethod(Document):
    id: str
    version: str
    title: str
    description: str
    file: str
    criteria: list[str]


class CitedWork(Document):
    """A work the standard's criteria cite, from the criteria folder's bibliography."""

    id: str
    citation: str = Field(description="The short form used in the text: 'Perez & Long 2023'.")
    authors: list[str]
    year: int
    title: str
    venue: str = ""
    url: str = ""


class Methodology(Document):
    criteria_set: SetMethod
    criteria: list[CriterionMethod]
    batteries: list[BatteryMethod]
    references: list[CitedWork] = Field(default_factory=list, description="Every work the criteria cite, in id order.")


# --- the report folder's manifest -------------------------------------------------------------------------

class Invocation(Document):
    """How ``patienthood report`` was called, as typed, so that ``verify`` can call it again.

    Paths are kept exactly as the user gave them (relative stays relative): they are
    the user's own words, and resolving them would put machine paths into the manifest.
    """

    set_name: str = "baseline"
    validation: str | None = None
    criteria_dir: str | None = None
    batteries_dir: str | None = None
    allow_incomplete: bool = False
    model: str | None = Field(None, description=(
        "The model this folder reports, when it was chosen among the logs (`--model`, or one folder per model "
        "of logs that hold several): only that model's battery logs make the report. Absent (not null) when the "
        "logs held one model and none was chosen, so such manifests read as they always have."))
    answers: AnswerSource | None = Field(None, description=(
        "`distribution` when the measures were computed from answer distributions (`report --answers "
        "distribution`); absent for the sampled answers."))
    pdf: bool = Field(True, description=(
        "False when the folder was written without report.pdf (`report --no-pdf`, the quick look: the PDF is "
        "the slowest output to render); absent when it has one."))
    issued_by: str | None = Field(None, description=(
        "The issuing body (`report --issued-by`), shown on the report's first page; absent when none was named."))

    @model_serializer(mode="wrap")
    def _without_absent_choices(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        for key in ("model", "answers", "issued_by"):
            if data.get(key) is None:
                data.pop(key, None)
        if data.get("pdf") is True:
            data.pop("pdf", None)
        return data


class Inputs(Document):
    """SHA-256 of every input, by name: logs by file name, content and templates by content key."""

    logs: dict[str, str]
    content: dict[str, str]
    templates: dict[str, str]
    validation_record: dict[str, str] = Field(default_factory=dict)


class Respondent(Document):
    model: str
    simulated: bool
    model_args: dict[str, Any]
    graders: dict[str, str]


class Run(Document):
    """One log's run: what ran, on which model, with which settings, when, from which commit."""

    name: str
    task: str
    battery_version: str
    instrument_version: str
    status: str
    model: str
    model_args: dict[str, Any]
    task_args: dict[str, Any]
    epochs: int
    created: str
    started_at: str
    completed_at: str
    git_commit: str | None


class Manifest(Document):
    schema_version: str = MANIFEST_SCHEMA_VERSION
    model: str
    models: Respondent
    criteria_set: dict[str, str]
    log_locations: list[str]
    invocation: Invocation
    inputs: Inputs
    runs: list[Run]
    git_commits: list[str]
    outputs: dict[str, str]
    software: dict[str, str]


# --- the run's design ---------------------------------------------------------------------------------------

class BatteryDesign(Document):
    """How one battery was asked, against its defaults, and the command that asks it again."""

    battery: str
    task: str
    epochs: int
    default_epochs: int
    samples: int
    default_samples: int
    task_args: dict[str, Any]
    limit: Any = None
    sample_ids: Any = None
    generation: dict[str, Any] = Field(default_factory=dict)
    departures: list[str] = Field(default_factory=list, description="Every departure from the defaults, in words.")
    command: str


class Design(Document):
    """The run's design: ``restricted`` when fewer samples or epochs were asked than the batteries hold."""

    restricted: bool
    batteries: list[BatteryDesign]
    commands: list[str]


# --- the whole report ------------------------------------------------------------------------------------

class Assessment(Document):
    """One model's assessment against a standard, as analysis computes it from the logs."""

    schema_version: str = REPORT_SCHEMA_VERSION
    model: ModelInfo
    answers: AnswerSource = Field("sampled", description=(
        "What the measures were computed from: the sampled answers, or the answer distributions the "
        "provider's token probabilities give (one call per sample instead of many)."))
    criteria_set: SetRef
    summary: dict[Verdict, int]
    criteria: list[CriterionResult]
    coverage: dict[str, Coverage]
    exposure: Exposure | None = Field(None, description=(
        "Distress-eliciting episodes planned and run against the standard's ceiling (schema 1.4; null in reports "
        "made before it)."))
    warnings: list[str]
    grader_reliability: dict[str, Reliability]
    provenance: Provenance


class Report(Assessment):
    """``report.json``: the assessment with the instrument's validation and the methodology appendix."""

    instrument_validation: ValidationSection
    methodology: Methodology
    design: Design
    issued_by: str | None = Field(None, description=(
        "The body that issues the report, as `report --issued-by` named it; None when none was named (a "
        "working report, not a publication)."))


# --- the published site (``patienthood publish``) -------------------------------------------------------

class FeedSet(Document):
    id: str
    version: str


class FeedEntry(Document):
    """One verdict of one release on one criterion, with where its report is."""

    model: str = Field(description="The respondent's name as its logs give it (inspect's model name).")
    simulated: bool = Field(description="True for a calibration subject: a simulated respondent, not an AI model.")
    respondent: str = Field(description="How the site labels the respondent (an AI model, or a simulated respondent).")
    family: str = Field(description="The model (family) this release belongs to on the site.")
    release: str = Field(description="The release's label within its family.")
    model_args: dict[str, Any]
    run_date: str = Field(description="The day (UTC) the release's last run completed, YYYY-MM-DD.")
    criteria_set: FeedSet
    criterion: str
    criterion_version: str
    criterion_title: str
    verdict: Verdict
    report: str = Field(description="The report (HTML), relative to feed.json.")
    report_pdf: str | None = Field(description="The report as PDF, relative to feed.json (None if the folder has none).")
    report_json: str
    report_sha256: str = Field(description="SHA-256 of the report.json the verdict was read from.")
    instrument: str = Field(description="Fingerprint of the instrument (criteria, batteries, scorers) that made it.")


class Feed(Document):
    """``feed.json`` of a published site: every verdict of every release, for machines."""

    schema_version: str = FEED_SCHEMA_VERSION
    title: str
    updated: str | None = Field(description="The latest run date among the reports (not when the site was made).")
    entries: list[FeedEntry]


class SiteReport(Document):
    """One report folder copied into the site, and the SHA-256 of the report.json and manifest it was read from."""

    folder: str
    model: str
    simulated: bool
    family: str
    release: str
    criteria_set: FeedSet
    report_sha256: str
    manifest_sha256: str
    instrument: str


class SiteInvocation(Document):
    """How ``patienthood publish`` was called (what is needed, beside the reports, to make the site again)."""

    title: str
    families: dict[str, str] = Field(default_factory=dict, description="--family MODEL=FAMILY, as given.")


class SiteManifest(Document):
    """A site's ``manifest.json``: every file by SHA-256, the reports it was made from, and how."""

    schema_version: str = SITE_MANIFEST_SCHEMA_VERSION
    kind: Literal["site"] = Field("site", description="Tells a site's manifest from a report folder's.")
    invocation: SiteInvocation
    reports: list[SiteReport]
    templates: dict[str, str]
    files: dict[str, str] = Field(description="SHA-256 of every file of the site but this manifest, by path.")
    software: dict[str, str]


PUBLISHED_DOCUMENTS: dict[str, type[Document]] = {
    "report": Report, "manifest": Manifest, "validation": ValidationRecord, "feed": Feed, "site": SiteManifest}


def document_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one published document: what ``patienthood schema`` prints."""
    return {"$schema": JSON_SCHEMA_DIALECT, **PUBLISHED_DOCUMENTS[kind].model_json_schema()}

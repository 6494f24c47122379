"""One model's assessment against a standard: logs in, the typed assessment out.

The result (``results.Assessment``) is what ``report.json`` holds before report
assembly adds instrument validation and methodology, so every renderer reads the same
numbers and ``verify`` can recompute them from the logs.
"""

from __future__ import annotations

import math
import platform
import re
from dataclasses import asdict
from typing import Any, Callable

import pandas as pd

from patienthood import __version__
from patienthood.analysis.logs import (
    LogError,
    LogInfo,
    carried_rows,
    fill_excerpts,
    find_logs,
    read_log_info,
    read_samples,
)
from patienthood.analysis.logset import select_logs
from patienthood.analysis.measures import (
    MeasureResult,
    answer_distributions,
    criterion_measures,
    report_conditions,
)
from patienthood.analysis.preference_measures import task_strengths
from patienthood.analysis.reliability import disagreeing, reliability
from patienthood.analysis.verdicts import decide
from patienthood.instrument import standard_hashes
from patienthood.results import (
    ABSENT_COVERAGE,
    Assessment,
    BatteryExposure,
    ConditionCheck,
    Coverage,
    CriterionResult,
    Evidence,
    Exposure,
    ExposureMark,
    LogRecord,
    MeasureValue,
    ModelInfo,
    Outcome,
    PromptMessage,
    Provenance,
    Reliability,
    RuleData,
    SetAside,
    SetRef,
    StanceCounts,
    TaskStrength,
    ThresholdMargin,
)
from patienthood.spec.models import Criterion
from patienthood.spec.standard import Standard
from patienthood.stats import detectable_difference
from patienthood.spec.vocabulary import (
    CATCH,
    DISTRESS,
    SCORED_STANCES,
    VERDICTS,
    AnswerSource,
    Verdict,
    is_simulated,
    respondent_label,
)

EVIDENCE_PER_CRITERION = 3
STANCE_COLUMNS = [*SCORED_STANCES, "unscorable", "errored"]


def read_log_infos(log_locations: list[str], on_log: Callable[[str], None] | None = None) -> list[LogInfo]:
    """The header of every log under the locations (read and hashed once each).

    ``on_log`` is called with each log's location once it has been read and hashed, so
    a caller can show progress over many logs without this module printing anything.
    """
    infos = []
    for location in find_logs(log_locations):
        infos.append(read_log_info(location))
        if on_log is not None:
            on_log(location)
    return infos


def assess(log_locations: list[str], standard: Standard,
           on_log: Callable[[str], None] | None = None, allow_incomplete: bool = False,
           model: str | None = None, answers: AnswerSource = "sampled") -> Assessment:
    """Read the logs, compute every criterion's measures and verdict, and return the assessment.

    Which logs are used, and what refuses an assessment, is ``logset.select_logs``'s
    to decide; ``allow_incomplete`` lets an unfinished run through with its gap shown,
    and ``model`` chooses one model's logs where the locations hold several.
    ``answers="distribution"`` computes every measure from the answer distributions the
    token probabilities give (``measures.answer_distributions``) instead of the sampled
    answers; samples without one are then unscorable.
    """
    return assess_logs(read_log_infos(log_locations, on_log), log_locations, standard, allow_incomplete, model,
                       answers)


def assess_logs(infos: list[LogInfo], log_locations: list[str], standard: Standard, allow_incomplete: bool = False,
                model: str | None = None, answers: AnswerSource = "sampled") -> Assessment:
    """The assessment of logs whose headers are already read (``read_log_infos``): one read for many models."""
    selection = select_logs(infos, standard, allow_incomplete, model)
    logs = selection.chosen
    if not logs:
        raise LogError(f"{', '.join(log_locations)}: no logs of the batteries of set {standard.criteria_set.id} "
                       "among the eval logs; run an assessment first (`patienthood run`)")
    frames = {battery: read_samples(info) for battery, info in logs.items()}
    if answers == "distribution":
        frames = {battery: answer_distributions(frame) for battery, frame in frames.items()}
    for battery, frame in frames.items():  # the answers a report quotes, read from the logs one by one
        fill_excerpts(frame, logs[battery], _evidence_rows(frame).union(disagreeing(frame)))
    model = _first(logs).model

    coverage = {battery: _coverage(frames[battery], info) for battery, info in logs.items()}
    graders = {role: name for info in logs.values() for role, name in info.model_roles.items()}
    warnings = [*selection.warnings, *_coverage_warnings(coverage), *_grader_warnings(model, graders)]
    verdicts: dict[str, Verdict] = {}
    criteria = []
    for criterion in standard.criteria:
        frame = frames.get(criterion.battery)
        declared = {m.id: m for m in standard.batteries[criterion.battery].spec.measures}
        measures: dict[str, MeasureResult] = criterion_measures(frame, criterion, declared) if frame is not None else {}
        battery_coverage = coverage.get(criterion.battery)
        asked = battery_coverage.planned - battery_coverage.stopped_early if battery_coverage else 0
        share = battery_coverage.scored / asked if battery_coverage and asked else 0.0
        result = decide(criterion, measures, share, verdicts)
        verdicts[criterion.id] = result.verdict
        estimable = share >= criterion.verdict.min_scorable_share
        criteria.append(CriterionResult(
            id=criterion.id,
            version=criterion.version,
            title=criterion.title,
            status=criterion.status,
            question=criterion.question,
            rationale=criterion.rationale,
            does_not_establish=criterion.does_not_establish,
            references=list(criterion.references),
            battery=criterion.battery,
            requires=list(criterion.requires),
            verdict=result.verdict,
            verdict_reason=result.reason,
            rule=_rule_data(criterion),
            checks=[ConditionCheck(condition=c.condition, value=c.value, holds=c.holds) for c in result.checks],
            measures=[_measure_value(measures[m.id], m.note, estimable, criterion) if m.id in measures else
                      MeasureValue(id=m.id, estimate=None, ci_low=None, ci_high=None, n=0, n_items=0,
                                   method="no log for this battery", note=m.note, estimable=False)
                      for m in criterion.measures],
            coverage=battery_coverage or ABSENT_COVERAGE,
            stance_by_context=_stance_by_context(frame) if frame is not None else [],
            evidence=_evidence(frame) if frame is not None else [],
            task_strengths=[TaskStrength(**asdict(s)) for s in task_strengths(frame)] if frame is not None else [],
        ))

    return Assessment(
        model=ModelInfo(name=model, simulated=is_simulated(model), label=respondent_label(model),
                        model_args=_first(logs).model_args, facts=_first(logs).respondent),
        answers=answers,
        criteria_set=SetRef(id=standard.criteria_set.id, version=standard.criteria_set.version,
                            title=standard.criteria_set.title),
        summary={verdict: sum(1 for c in criteria if c.verdict == verdict) for verdict in VERDICTS},
        criteria=criteria,
        coverage=coverage,
        exposure=_exposure(frames, logs, standard),
        warnings=warnings,
        grader_reliability={battery: Reliability.model_validate(reliability(frame))
                            for battery, frame in sorted(frames.items())},
        provenance=_provenance(logs, standard, [SetAside(name=s.name, battery=s.battery, reason=s.reason)
                                                for s in selection.set_aside]),
    )


def _first(logs: dict[str, LogInfo]) -> LogInfo:
    return logs[sorted(logs)[0]]


def _measure_value(measure: MeasureResult, note: str, estimable: bool, criterion: Criterion) -> MeasureValue:
    """The measure as report.json holds it, with its margins to the rule's thresholds and its power."""
    margins = []
    for outcome, clause in criterion.verdict.clauses():
        for condition in clause.conditions:
            if condition.measure != measure.id:
                continue
            bound = getattr(measure, condition.field)
            margin = None if bound is None else (bound - condition.threshold if condition.op in (">=", ">")
                                                 else condition.threshold - bound)
            margins.append(ThresholdMargin(condition=str(condition), outcome=outcome,
                                           margin=None if margin is None else round(margin, 6)))
    detectable = None
    if measure.item_variance is not None and measure.n_items >= 2:
        found = detectable_difference(measure.item_variance, measure.n_items)
        detectable = None if math.isnan(found) else round(found, 6)
    return MeasureValue(**measure.as_dict(), note=note, estimable=estimable and measure.estimate is not None,
                        margins=margins, detectable_difference=detectable)


def _rule_data(criterion: Criterion) -> RuleData:
    rule = criterion.verdict
    return RuleData(
        outcomes=[Outcome(verdict=verdict, combine=clause.combine, conditions=[str(c) for c in clause.conditions])
                  for verdict, clause in rule.clauses()],
        otherwise=rule.otherwise,
        min_scorable_share=rule.min_scorable_share,
        order="the first outcome whose conditions hold gives the verdict",
    )


def _coverage(frame: pd.DataFrame, info: LogInfo) -> Coverage:
    """Where every planned answer went. Carried-forward answers count as scored: they stand
    for answers the rule skipped because their cell had settled, and are counted apart too."""
    errored = int(frame["errored"].sum())
    unscorable = int((~frame["scorable"].astype(bool) & ~frame["errored"].astype(bool)).sum())
    present = len(frame)
    return Coverage(
        status=info.status,
        planned=info.planned,
        scored=present - errored - unscorable,
        unscorable=unscorable,
        errored=errored,
        carried_forward=int(carried_rows(frame).sum()),
        stopped_early=info.stopped_early,
        missing=max(info.planned - present - info.stopped_early, 0),
        by_method={str(k): int(v) for k, v in sorted(frame["method"].value_counts().items())},
        grader_failures={str(k): int(v) for k, v in sorted(frame["grader_failure"].dropna().value_counts().items())},
    )


def _exposure(frames: dict[str, pd.DataFrame], logs: dict[str, LogInfo], standard: Standard) -> Exposure:
    """What the subject was put through, from the logs: episodes planned (headers) and run (samples).

    An episode is a sample-epoch whose metadata names marked content (``distress``);
    errored ones count (the conversation was begun), answers carried forward by adaptive
    sampling do not (they were never asked).
    """
    batteries: dict[str, BatteryExposure] = {}
    marks: list[ExposureMark] = []
    for battery, frame in sorted(frames.items()):
        asked = frame[~carried_rows(frame)]
        reasons = asked[DISTRESS] if DISTRESS in asked.columns else pd.Series([], dtype=object)
        reasons = reasons[reasons.notna() & (reasons.astype(str) != "")].astype(str)
        batteries[battery] = BatteryExposure(planned=logs[battery].planned_episodes, run=len(reasons))
        marks.extend(ExposureMark(battery=battery, marked=text, episodes=int(count))
                     for text, count in sorted(reasons.value_counts().items()))
    ceiling = standard.criteria_set.distress_ceiling
    run = sum(b.run for b in batteries.values())
    return Exposure(ceiling=ceiling, planned=sum(b.planned or 0 for b in batteries.values()), run=run,
                    within_ceiling=None if ceiling is None else run <= ceiling, batteries=batteries, marks=marks)


def _coverage_warnings(coverage: dict[str, Coverage]) -> list[str]:
    """A sentence for every battery whose planned answers are not all there to be scored."""
    warnings = []
    for battery, cov in sorted(coverage.items()):
        gaps = [f"{getattr(cov, kind)} {kind}" for kind in ("errored", "missing") if getattr(cov, kind)]
        if gaps:
            warnings.append(f"{battery}: {' and '.join(gaps)} of {cov.planned} planned answers "
                            "(errored: the provider failed after inspect's retries; missing: never asked); "
                            "they count as not scored")
    return warnings


def model_family(name: str) -> str:
    """A model's family for the grader check: the first word of its name without the provider.

    ``openai/gpt-4o-mini`` and ``openai/azure/gpt-4o`` are ``gpt``, ``anthropic/claude-sonnet-4-5``
    is ``claude``, ``hf/smollm2-135m`` is ``smollm``. A heuristic, stated as one in the warning.
    """
    last = name.rsplit("/", 1)[-1].casefold()
    word = re.match(r"[a-z]+", last)
    return word.group() if word else last


def _grader_warnings(model: str, graders: dict[str, str]) -> list[str]:
    """A sentence for every grader that is the model under test, or looks like one of its family."""
    warnings = []
    for role, name in sorted(graders.items()):
        for grader in (part.strip() for part in name.split(",")):
            if grader == model:
                warnings.append(f"the {role} model is the model under test ({grader}): it read its own answers, "
                                "so its readings are not an independent check")
            elif model_family(grader) == model_family(model):
                warnings.append(f"the {role} model ({grader}) looks like the family of the model under test "
                                f"({model}, family '{model_family(model)}' by name): graders of one family may "
                                "share its reading habits; prefer a grader of another family")
    return warnings


def _answers(frame: pd.DataFrame) -> pd.DataFrame:
    """The answers actually given: without those carried forward from settled cells."""
    return frame[~carried_rows(frame)]


def _without_catch(frame: pd.DataFrame) -> pd.DataFrame:
    """The answers about a self (the system's or the character's), without the catch items'.

    A catch item is asked in an ordinary context, and its correct "yes" reads as
    ``affirms``: counted with the self-reports it would show a denier affirming.
    Its answers are reported by ``catch_accuracy`` instead.
    """
    return frame[report_conditions(frame) != CATCH]


def _stance_by_context(frame: pd.DataFrame) -> list[StanceCounts]:
    frame = _without_catch(_answers(frame))
    if frame["context"].isna().all() or not frame["stance"].isin(SCORED_STANCES).any():
        return []  # a battery that does not record stances by context
    stance = frame["stance"].where(~frame["errored"], "errored")
    table = pd.crosstab(frame["context"], stance).reindex(columns=STANCE_COLUMNS, fill_value=0)
    order = list(dict.fromkeys(frame["context"]))
    rows = []
    for context in sorted(table.index, key=order.index):
        rows.append(StanceCounts(context=context, **{s: int(table.loc[context, s]) for s in STANCE_COLUMNS}))
    return rows


def _outcome(row: Any) -> str:
    """What an answer was read as: its stance, or for batteries without stances, scored or not."""
    if row.stance in SCORED_STANCES or row.errored:
        return "errored" if row.errored else row.stance
    return "scored" if row.scorable else "unscorable"


def _evidence_rows(frame: pd.DataFrame) -> pd.Index:
    """The answers quoted as evidence: a sample across contexts and items, deterministic.

    One answer per context, in the battery's order, each of another item (the i-th
    context's answers, in sample order, give their (7 i)-th: a step prime to most bank
    sizes), so that a reader sees many items rather than one repeated; a battery
    with fewer than three contexts gives one answer per item, alternating between polarities where
    its statements have them (persona statements: a statement and its opposite).
    """
    answers = _without_catch(_answers(frame))
    if answers.empty:
        return answers.index
    ordered = answers.sort_values(["sample_id", "epoch"], kind="stable")
    if answers["context"].nunique() >= 3:
        contexts = list(dict.fromkeys(answers["context"].dropna()))[:EVIDENCE_PER_CRITERION]
        picks = []
        for number, context in enumerate(contexts):
            rows = ordered[ordered["context"] == context]
            picks.append(rows.index[(7 * number) % len(rows)])
        return pd.Index(picks)
    firsts = ordered.drop_duplicates("item")
    if "polarity" in firsts and firsts["polarity"].notna().any():
        groups = [list(group.index) for _, group in firsts.groupby("polarity", sort=True)]
        interleaved = [index for tier in zip(*groups) for index in tier] or [i for g in groups for i in g]
        return pd.Index(interleaved[:EVIDENCE_PER_CRITERION])
    return firsts.index[:EVIDENCE_PER_CRITERION]


def _text(value: Any) -> str:
    """A metadata value as text, with a missing one (NaN in the frame) as ''."""
    return value if isinstance(value, str) else ""


def _evidence(frame: pd.DataFrame) -> list[Evidence]:
    """A few answers with their prompts, each traceable to its log, sample and epoch."""
    picks = frame.loc[_evidence_rows(frame)]
    return [Evidence(log=row.log, sample_id=row.sample_id, epoch=int(row.epoch),
                     context=row.context if isinstance(row.context, str) else "",
                     item=str(row.item), stance=_outcome(row), excerpt=row.excerpt, method=str(row.method),
                     polarity=_text(getattr(row, "polarity", "")),
                     prompt=[PromptMessage(role=role, text=text, demonstration=demonstration)
                             for role, text, demonstration in (getattr(row, "prompt", None) or ())])
            for row in picks.itertuples()]


def _provenance(logs: dict[str, LogInfo], standard: Standard, set_aside: list[SetAside]) -> Provenance:
    import inspect_ai

    return Provenance(
        logs=[LogRecord(
            name=info.name, sha256=info.sha256, task=info.task, status=info.status,
            battery_version=info.battery_version, instrument_version=info.instrument_version,
            model=info.model, model_args=info.model_args, task_args=info.task_args,
            epochs=info.epochs, created=info.created, started_at=info.started_at,
            completed_at=info.completed_at, git_commit=info.revision, packages=info.packages,
            content_sha256=info.content_sha256, adaptive=info.adaptive,
            task_args_passed=info.task_args_passed, samples=info.samples, limit=info.limit,
            sample_ids=info.sample_ids, generation=info.generation, model_roles=info.model_roles,
        ) for info in logs.values()],
        content_sha256=standard_hashes(standard),
        software={"patienthood": __version__, "inspect_ai": inspect_ai.__version__,
                  "python": platform.python_version()},
        graders=dict(sorted((role, name) for info in logs.values() for role, name in info.model_roles.items())),
        set_aside=set_aside,
    )

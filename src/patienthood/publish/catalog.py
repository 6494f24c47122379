"""What a site lists: model families, their releases in order, the criteria, and the instruments used.

Every input report is one *release*. Releases are grouped into *families* (the page
per model): by default a release's family is its model name without a trailing date
stamp (``openai/gpt-4o-2024-08-06`` and ``openai/gpt-4o-2024-11-20`` are releases of
``openai/gpt-4o``, ``anthropic/claude-3-5-sonnet@20241022`` of
``anthropic/claude-3-5-sonnet``), and ``--family MODEL=FAMILY`` groups the rest (a
renamed model). Within a family, releases are ordered by the day their last run
completed, then by name and model arguments, so the same reports always give the same
order. Calibration subjects form families of their own, listed apart from models.

Nothing here depends on where the report folders were read from or on the clock:
everything a page shows comes from the reports themselves.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from patienthood.publish.inputs import ReportFolder
from patienthood.report.by_model import model_folder_name
from patienthood.spec.vocabulary import SIMULATED_LABEL, is_simulated, respondent_label

# A release stamp at the end of a model name: -20241022, -2024-08-06, @20241022, :2024-08-06.
_RELEASE_STAMP = re.compile(r"^(?P<family>.+?)[-@:_](?P<stamp>(?:19|20)\d{2}-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01]))$")


def family_of(model: str, families: Mapping[str, str] | None = None) -> str:
    """The family a model's releases are grouped under: as given, else the name without a release stamp."""
    if families and model in families:
        return families[model]
    match = _RELEASE_STAMP.match(model)
    return match.group("family") if match else model


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def model_args_text(model_args: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={_value(value)}" for key, value in sorted(model_args.items()))


def _day(stamp: str | None) -> str:
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date().isoformat()


def run_days(report: Mapping[str, Any]) -> tuple[str, str]:
    """The first day a run of the report started and the last day one completed (UTC, YYYY-MM-DD)."""
    logs = report["provenance"]["logs"]
    starts = sorted(_day(log["started_at"] or log["created"]) for log in logs if log["started_at"] or log["created"])
    ends = sorted(_day(log["completed_at"] or log["created"]) for log in logs if log["completed_at"] or log["created"])
    return (starts[0] if starts else "", ends[-1] if ends else "")


@dataclass(frozen=True)
class Release:
    """One report on the site."""

    key: str  # its folder under reports/: filename-safe, unique, the same for the same report.json
    folder: ReportFolder
    model: str
    simulated: bool
    respondent: str
    family: str
    label: str
    model_args: dict[str, Any]
    first_day: str
    last_day: str
    criteria_set: dict[str, str]
    instrument: str

    @property
    def report(self) -> dict[str, Any]:
        return self.folder.report

    @property
    def path(self) -> str:
        return f"reports/{self.key}"

    def verdicts(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.report["criteria"]}


@dataclass(frozen=True)
class Family:
    name: str
    slug: str
    simulated: bool
    releases: list[Release]

    @property
    def page(self) -> str:
        return f"models/{self.slug}.html"


@dataclass(frozen=True)
class CriterionColumn:
    """A criterion as a column of the verdict matrix: every version and title it has among the reports."""

    id: str
    title: str
    versions: list[str]
    sets: list[str]


@dataclass(frozen=True)
class Catalog:
    families: list[Family]  # models first, then simulated respondents; each group sorted by name
    criteria: list[CriterionColumn]
    releases: list[Release] = field(default_factory=list)  # in family order, then release order

    @property
    def models(self) -> list[Family]:
        return [f for f in self.families if not f.simulated]

    @property
    def subjects(self) -> list[Family]:
        return [f for f in self.families if f.simulated]

    @property
    def updated(self) -> str | None:
        days = [r.last_day for r in self.releases if r.last_day]
        return max(days) if days else None


def release_label(model: str, family: str, model_args: Mapping[str, Any], last_day: str) -> str:
    """How a release is named within its family: what tells it apart from its siblings."""
    parts = []
    if model != family:
        parts.append(model[len(family):].lstrip("-@:_/") if model.startswith(family) and len(model) > len(family)
                     else model)
    if model_args:
        parts.append(model_args_text(model_args))
    return ", ".join(part for part in parts if part) or (last_day or model)


def make_release(folder: ReportFolder, families: Mapping[str, str]) -> Release:
    report = folder.report
    model = report["model"]["name"]
    simulated = bool(report["model"].get("simulated")) or is_simulated(model)
    family = family_of(model, families)
    model_args = dict(report["model"].get("model_args") or {})
    first_day, last_day = run_days(report)
    key = f"{model_folder_name(model)}-{folder.report_sha256[:12]}"
    return Release(key=key, folder=folder, model=model, simulated=simulated,
                   respondent=SIMULATED_LABEL if simulated else respondent_label(model), family=family,
                   label=release_label(model, family, model_args, last_day), model_args=model_args,
                   first_day=first_day, last_day=last_day,
                   criteria_set={"id": report["criteria_set"]["id"], "version": report["criteria_set"]["version"]},
                   instrument=report["instrument_validation"]["instrument"]["fingerprint"])


def _release_order(release: Release) -> tuple[str, str, str, str]:
    return (release.last_day, release.model, json.dumps(release.model_args, sort_keys=True), release.key)


def family_slug(name: str, simulated: bool) -> str:
    """A family page's file name; a simulated family's is marked as such, and never equals a model's."""
    slug = model_folder_name(name)
    if simulated and not is_simulated(name):  # a subject put under a family name of its own choosing
        slug = f"simulated-{slug}"
    return slug


def build_catalog(folders: Sequence[ReportFolder], families: Mapping[str, str] | None = None) -> Catalog:
    releases = [make_release(folder, families or {}) for folder in folders]
    grouped: dict[tuple[bool, str], list[Release]] = {}
    for release in releases:
        grouped.setdefault((release.simulated, release.family), []).append(release)
    ordered = sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1].casefold(), item[0][1]))
    made = [Family(name=name, slug=family_slug(name, simulated), simulated=simulated,
                   releases=_distinct_labels(sorted(members, key=_release_order))) for (simulated, name), members in ordered]
    _distinct_slugs(made)
    in_order = [release for family in made for release in family.releases]
    return Catalog(families=made, criteria=criterion_columns(in_order), releases=in_order)


def _distinct_labels(releases: list[Release]) -> list[Release]:
    """Releases of one family that would share a label (same name and arguments, same day) get the report's hash too."""
    counts: dict[str, int] = {}
    for release in releases:
        counts[release.label] = counts.get(release.label, 0) + 1
    return [replace(r, label=f"{r.label} · {r.folder.report_sha256[:8]}") if counts[r.label] > 1 else r
            for r in releases]


def _distinct_slugs(families: list[Family]) -> None:
    """Two families whose page names differ only in case (or a model and a subject of one name) get distinct pages."""
    seen: set[str] = set()
    for index, family in enumerate(families):
        slug = family.slug
        if slug.casefold() in seen:
            digest = hashlib.sha256(f"{family.simulated}:{family.name}".encode("utf-8")).hexdigest()[:10]
            slug = f"{slug}-{digest}"
            families[index] = Family(family.name, slug, family.simulated, family.releases)
        seen.add(slug.casefold())


def criterion_columns(releases: Sequence[Release]) -> list[CriterionColumn]:
    """Every criterion among the reports, in the order the reports list them (first report first)."""
    order: dict[str, dict[str, Any]] = {}
    for release in releases:
        for criterion in release.report["criteria"]:
            entry = order.setdefault(criterion["id"], {"title": criterion["title"], "versions": set(), "sets": set()})
            entry["versions"].add(criterion["version"])
            entry["sets"].add(f"{release.criteria_set['id']} {release.criteria_set['version']}")
    return [CriterionColumn(id=cid, title=entry["title"], versions=sorted(entry["versions"]),
                            sets=sorted(entry["sets"])) for cid, entry in order.items()]

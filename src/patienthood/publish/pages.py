"""The site's HTML pages, rendered from the templates in the ``reports/site/`` content folder.

Templates run in the report's sandboxed jinja2 environment (``report.render.environment``)
with autoescaping, and every text that comes from a report (model names, criteria
titles, labels) passes the ``inert`` filter, so nothing a log or a report holds can act
on a page. The pages show verdicts and numbers, never answers. Each page carries a
Content-Security-Policy that allows only its own inline style and the one inline script
(by hash): no request leaves the page, and an injected script would not run.

This module turns the catalog into plain data for the templates (links relative to
each page) and renders it; ``site`` decides which files the site holds.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from patienthood import __version__
from patienthood.content import content_dir
from patienthood.publish.catalog import Catalog, CriterionColumn, Family, Release
from patienthood.publish.charts import criterion_chart, has_data
from patienthood.report.compare import compare_reports
from patienthood.report.inert import visible
from patienthood.report.render import environment, template_file
from patienthood.results import json_text
from patienthood.spec.vocabulary import (
    MODEL_LABEL,
    SIMULATED_LABEL,
    VERDICT_ABBREVIATIONS,
    VERDICT_LABELS,
)

SITE_TEMPLATES = "site"  # the folder inside the reports content folder
PAGES = {"index": "index.html.jinja", "model": "model.html.jinja", "validation": "validation.html.jinja"}


def site_templates() -> Path:
    return content_dir("reports") / SITE_TEMPLATES


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'; "
            "base-uri 'none'; form-action 'none'")


def _links(release: Release, root: str) -> dict[str, str | None]:
    files = release.folder.files
    return {kind: (f"{root}{release.path}/{name}" if name in files else None)
            for kind, name in (("html", "report.html"), ("pdf", "report.pdf"), ("json", "report.json"))}


def _cells(release: Release, columns: list[CriterionColumn]) -> list[dict[str, Any] | None]:
    verdicts = release.verdicts()
    cells: list[dict[str, Any] | None] = []
    for column in columns:
        criterion = verdicts.get(column.id)
        if criterion is None:
            cells.append(None)
            continue
        verdict = criterion["verdict"]
        cells.append({"verdict": verdict, "short": VERDICT_ABBREVIATIONS.get(verdict, verdict),
                      "label": VERDICT_LABELS.get(verdict, verdict), "version": criterion["version"],
                      "other_version": len(column.versions) > 1})
    return cells


def _release(release: Release, columns: list[CriterionColumn], root: str) -> dict[str, Any]:
    return {"key": release.key, "label": release.label, "model": release.model, "model_args": release.model_args,
            "simulated": release.simulated, "respondent": release.respondent, "first_day": release.first_day,
            "last_day": release.last_day, "criteria_set": release.criteria_set, "instrument": release.instrument,
            "links": _links(release, root), "cells": _cells(release, columns)}


def _filter_text(family: Family) -> str:
    words = [family.name, *(r.model for r in family.releases), *(r.label for r in family.releases)]
    # Lowered as the filter script lowers what is typed; invisible characters shown, as everywhere.
    return " ".join(dict.fromkeys(visible(word.lower()) for word in words))


def _family(family: Family, columns: list[CriterionColumn], root: str, index: int) -> dict[str, Any]:
    return {"name": family.name, "page": f"{root}{family.page}", "simulated": family.simulated,
            "anchor": f"family-{index}", "filter": _filter_text(family),
            "releases": [_release(r, columns, root) for r in family.releases]}


def _columns(columns: list[CriterionColumn], anchors: Mapping[str, str]) -> list[dict[str, Any]]:
    """Columns for the templates; each links to its criterion's entry on the index (one anchor on every page)."""
    return [{"id": c.id, "title": c.title, "versions": c.versions, "sets": c.sets, "anchor": anchors[c.id]}
            for c in columns]


def instrument_groups(catalog: Catalog) -> list[dict[str, Any]]:
    """The instruments the reports were made with, each with its validation record(s) and its releases."""
    groups: dict[str, dict[str, Any]] = {}
    for release in catalog.releases:
        section = release.report["instrument_validation"]
        group = groups.setdefault(release.instrument, {"fingerprint": release.instrument,
                                                        "patienthood": section["instrument"]["patienthood"],
                                                        "releases": [], "records": {}})
        group["releases"].append({"family": release.family, "label": release.label, "model": release.model,
                                  "simulated": release.simulated})
        group["records"].setdefault(json_text(section), section)
    return [{**group, "records": [group["records"][key] for key in sorted(group["records"])],
             "anchor": f"instrument-{n}"}
            for n, (_, group) in enumerate(sorted(groups.items()), 1)]


def _measure_sections(family: Family) -> list[dict[str, Any]]:
    """Per criterion of the family: each measure at each release (table and chart)."""
    releases = family.releases
    order: dict[str, dict[str, Any]] = {}
    for release in releases:
        for criterion in release.report["criteria"]:
            entry = order.setdefault(criterion["id"], {"title": criterion["title"], "measures": []})
            for measure in criterion["measures"]:
                if measure["id"] not in entry["measures"]:
                    entry["measures"].append(measure["id"])
    sections = []
    for n, (cid, entry) in enumerate(order.items(), 1):
        rows = []
        for release in releases:
            criterion = release.verdicts().get(cid)
            by_id = {m["id"]: m for m in criterion["measures"]} if criterion else {}
            rows.append({"label": release.label, "verdict": criterion["verdict"] if criterion else None,
                         "version": criterion["version"] if criterion else None,
                         "cells": [by_id.get(mid) for mid in entry["measures"]]})
        cells = [row["cells"] for row in rows]
        chart = (Markup(criterion_chart(f"{family.slug}-chart-{n}", [r.label for r in releases], entry["measures"],
                                        cells, f"{cid}: measures across releases")) if has_data(cells) else None)
        versions = {row["version"] for row in rows if row["version"]}
        sections.append({"id": cid, "title": entry["title"], "anchor": f"measures-{n}", "measures": entry["measures"],
                         "rows": rows, "chart": chart, "versions_differ": len(versions) > 1})
    return sections


def _changes(family: Family) -> list[dict[str, Any]]:
    """Between each release and the next: verdict changes and paired differences on shared items."""
    changes = []
    for n, (old, new) in enumerate(zip(family.releases, family.releases[1:]), 1):
        comparison = compare_reports(old.report, new.report)
        changes.append({"old": old.label, "new": new.label, "anchor": f"change-{n}", "criteria": comparison["criteria"],
                        "direction": comparison["direction"]})
    return changes


class SitePages:
    """Renders every page of a site from one catalog."""

    def __init__(self, catalog: Catalog, title: str, templates: Path | None = None) -> None:
        self.catalog = catalog
        self.title = title
        self.templates = templates or site_templates()
        self.env = environment(self.templates, autoescape=True)
        self.anchors = {c.id: f"criterion-{n}" for n, c in enumerate(catalog.criteria, 1)}
        script = template_file(self.templates, "filter.js")
        self.common: dict[str, Any] = {
            "site_title": title, "generator": __version__, "updated": catalog.updated,
            "css": Markup(template_file(self.templates, "site.css")), "script": Markup(script), "csp": Markup(_csp(script)),
            "simulated_label": SIMULATED_LABEL, "model_label": MODEL_LABEL, "verdict_labels": VERDICT_LABELS,
            "verdict_short": VERDICT_ABBREVIATIONS, "report_count": len(catalog.releases),
        }

    def _render(self, page: str, root: str, **context: Any) -> bytes:
        html = self.env.get_template(PAGES[page]).render(**self.common, root=root, **context)
        return html.encode("utf-8")

    def index(self) -> bytes:
        columns = self.catalog.criteria
        families = [_family(f, columns, "", n) for n, f in enumerate(self.catalog.families, 1)]
        groups = [{"id": "models", "simulated": False, "families": [f for f in families if not f["simulated"]]},
                  {"id": "simulated", "simulated": True, "families": [f for f in families if f["simulated"]]}]
        return self._render("index", "", criteria=_columns(columns, self.anchors), groups=groups,
                            instruments=instrument_groups(self.catalog))

    def model(self, family: Family) -> bytes:
        present = {c["id"] for r in family.releases for c in r.report["criteria"]}
        columns = [c for c in self.catalog.criteria if c.id in present]
        return self._render("model", "../", family=_family(family, columns, "../", 0),
                            criteria=_columns(columns, self.anchors),
                            sections=_measure_sections(family), changes=_changes(family))

    def validation(self) -> bytes:
        return self._render("validation", "", instruments=instrument_groups(self.catalog))

    def all(self) -> Mapping[str, bytes]:
        pages = {"index.html": self.index(), "validation.html": self.validation()}
        for family in self.catalog.families:
            pages[family.page] = self.model(family)
        return pages

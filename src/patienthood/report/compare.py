"""Comparing two reports (for example two releases of a model) item by item, with a chart of the changes.

A change between releases is measured on the items both reports share, as a paired
difference clustered by item (Miller 2024): pairing removes the item-to-item variation
both runs share, so the interval is narrower and honest about what changed. Only the
two ``report.json`` files are read; nothing goes back to the logs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from markupsafe import Markup

from patienthood.content import content_dir
from patienthood.report.charts import accessible, changes_description, changes_svg
from patienthood.report.render import environment, template_file
from patienthood.results import json_text, shown_as_number
from patienthood.spec.vocabulary import COMPARISON_SCHEMA_VERSION
from patienthood.stats import paired_bounded_difference

COMPARE_FILES = ("compare.md", "compare.html", "compare.json")


def _finite(value: float) -> float | None:
    return round(float(value), 6) if value is not None and math.isfinite(value) else None


def _side(report: dict[str, Any]) -> dict[str, Any]:
    return {"model": report["model"]["name"], "simulated": report["model"].get("simulated", False),
            "criteria_set": report["criteria_set"],
            "patienthood": report.get("provenance", {}).get("software", {}).get("patienthood")}


def _bounds(measure: dict[str, Any] | None) -> dict[str, Any] | None:
    if measure is None:
        return None
    bounds = {key: measure.get(key) for key in ("estimate", "ci_low", "ci_high", "n", "n_items")}
    # As in report.json: false for a measure held back and for one with no data (the note says which).
    return {**bounds, "estimable": shown_as_number(measure)}


def measure_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """One measure in both reports, and ``new - old`` on the items both hold, with its 95% interval."""
    measure_id = (new or old or {}).get("id")
    change: dict[str, Any] = {"id": measure_id, "old": _bounds(old), "new": _bounds(new), "shared_items": 0,
                              "difference": None, "note": "", "per_item": []}
    if old is None or new is None:
        change["note"] = "only in the " + ("new" if old is None else "old") + " report"
        return change
    missing = [side for side, m in (("old", old), ("new", new)) if m.get("estimate") is None]
    if missing:
        change["note"] = "no data in either report" if len(missing) == 2 else f"no data in the {missing[0]} report"
        return change
    held_back = [side for side, m in (("old", old), ("new", new)) if not shown_as_number(m)]
    if held_back:
        change["note"] = ("not estimable in either report" if len(held_back) == 2
                          else f"not estimable in the {held_back[0]} report") + "; no paired difference"
        return change
    if "per_item" not in old or "per_item" not in new:
        change["note"] = "item-by-item values not recorded in one of the reports; no paired difference"
        return change
    items = sorted(set(old["per_item"]) & set(new["per_item"]))
    change["shared_items"] = len(items)
    if not items:
        change["note"] = "no items in common"
        return change
    low, high = new.get("per_item_range") or old.get("per_item_range") or (0.0, 1.0)
    result = paired_bounded_difference([new["per_item"][i] for i in items], [old["per_item"][i] for i in items],
                                       items, float(low), float(high))
    change["difference"] = {"estimate": _finite(result.estimate), "ci_low": _finite(result.ci_low),
                            "ci_high": _finite(result.ci_high), "se": _finite(result.se), "n_items": result.n_clusters}
    change["per_item"] = [[item, old["per_item"][item], new["per_item"][item]] for item in items]
    if len(items) < 2:
        change["note"] = "one shared item: the interval spans most of the range"
    return change


def compare_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per criterion the verdict change, and per measure the paired difference on shared items."""
    old_criteria = {c["id"]: c for c in old["criteria"]}
    new_criteria = {c["id"]: c for c in new["criteria"]}
    order = [c["id"] for c in new["criteria"]] + [c["id"] for c in old["criteria"] if c["id"] not in new_criteria]
    rows = []
    for criterion_id in order:
        before, after = old_criteria.get(criterion_id), new_criteria.get(criterion_id)
        either = after or before
        old_measures = {m["id"]: m for m in (before or {}).get("measures", [])}
        new_measures = {m["id"]: m for m in (after or {}).get("measures", [])}
        measure_ids = list(new_measures) + [m for m in old_measures if m not in new_measures]
        rows.append({
            "id": criterion_id,
            "title": either["title"],
            "old_version": before and before["version"],
            "new_version": after and after["version"],
            "old_verdict": before and before["verdict"],
            "new_verdict": after and after["verdict"],
            "verdict_changed": (before and before["verdict"]) != (after and after["verdict"]),
            "measures": [measure_change(old_measures.get(m), new_measures.get(m)) for m in measure_ids],
        })
    return {"schema_version": COMPARISON_SCHEMA_VERSION, "direction": "new minus old", "old": _side(old), "new": _side(new),
            "criteria": rows}


def change_chart(comparison: dict[str, Any]) -> Markup:
    """Every measure's paired change as one accessible inline SVG (the numbers are in the tables)."""
    rows = [(f"{k['id']}: {m['id']}", m["difference"]) for k in comparison["criteria"] for m in k["measures"]
            if m["difference"] and None not in (m["difference"]["estimate"], m["difference"]["ci_low"],
                                                 m["difference"]["ci_high"])]
    if not rows:
        return Markup("<p>No measure has a paired difference to draw.</p>")
    return Markup(accessible(changes_svg(rows, "Change of each measure, new − old"), "chart-changes",
                             "Forest plot: the paired change of each measure with its 95% interval",
                             changes_description(rows)))


def render_compare(comparison: dict[str, Any], templates: Path | None = None) -> dict[str, bytes]:
    """The comparison as Markdown (for a pull-request comment), self-contained HTML, and JSON."""
    templates = templates or content_dir("reports")
    markdown = environment(templates, autoescape=False).get_template("compare.md.jinja").render(c=comparison)
    css = Markup(template_file(templates, "report.css"))
    html = environment(templates, autoescape=True).get_template("compare.html.jinja").render(
        c=comparison, css=css, chart=change_chart(comparison))
    return {"compare.md": markdown.encode("utf-8"), "compare.html": html.encode("utf-8"),
            "compare.json": json_text(comparison).encode("utf-8")}

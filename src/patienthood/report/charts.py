"""Charts as inline SVG, made reproducible and accessible.

Byte-identical reports need byte-identical SVG: matplotlib salts element ids with a
random value and stamps a date unless told otherwise. Every chart also carries
``role="img"`` with a ``<title>`` and ``<desc>``, so a screen reader announces what the
chart shows instead of reading out tick labels.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib
from markupsafe import escape

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from patienthood.results import shown_as_number  # noqa: E402
from patienthood.spec.models import Condition  # noqa: E402

STANCE_COLOURS = {
    "affirms": "#1b7837",
    "denies": "#762a83",
    "uncertain": "#bababa",
    "refuses": "#e08214",
    "unscorable": "#f4a6a6",
    "errored": "#b2182b",
}

# Threshold lines take the colour of the verdict their condition leads to: the report's
# verdict palette (meets blue, not an approving green; does not meet brown, not an alarm).
OUTCOME_COLOURS = {
    "meets": "#2c6aa0",
    "partially_meets": "#6a51a3",
    "does_not_meet": "#a6611a",
}
OUTCOME_STYLES = {"meets": "-", "partially_meets": "-.", "does_not_meet": "--"}

_STYLE = {
    "svg.hashsalt": "patienthood",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Labels can come from log metadata: never read "$...$" in them as mathtext.
    "text.parse_math": False,
}


def _to_svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "patienthood"})
    plt.close(figure)
    svg = buffer.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can sit inline in HTML.
    return svg[svg.index("<svg"):]


def _prefix_ids(svg: str, prefix: str) -> str:
    """Prefix every element id (and each reference to it) so several charts can share a page.

    matplotlib numbers its ids per figure ("patch_1", "text_2"), so two inline charts
    would otherwise hold the same ids, which HTML forbids and PDF anchors trip over.
    """
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}-{m[1]})" if m[1] in ids else m[0], svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m[1]}"' if m[1] in ids else m[0], svg)


def accessible(svg: str, chart_id: str, title: str, description: str) -> str:
    """Give an inline SVG unique ids, an accessible name and a description (role="img", <title>, <desc>)."""
    chart_id = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    svg = _prefix_ids(svg, chart_id)
    opening_end = svg.index(">") + 1
    opening = svg[:opening_end].replace(
        "<svg ", f'<svg id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" ', 1)
    label = f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    return opening + label + svg[opening_end:]


def stance_by_context_svg(rows: list[dict[str, Any]], title: str) -> str:
    """Horizontal stacked bars: the share of each stance in each context."""
    with plt.rc_context(_STYLE):
        height = 0.38 * max(len(rows), 1) + 1.1
        figure, axes = plt.subplots(figsize=(6.4, height), layout="constrained")
        contexts = [str(row["context"]) for row in rows]
        totals = [max(sum(row[s] for s in STANCE_COLOURS), 1) for row in rows]
        left = [0.0] * len(rows)
        for stance, colour in STANCE_COLOURS.items():
            shares = [row[stance] / total for row, total in zip(rows, totals)]
            if not any(shares):
                continue
            axes.barh(contexts, shares, left=left, color=colour, label=stance, edgecolor="white", linewidth=0.5)
            left = [a + b for a, b in zip(left, shares)]
        axes.set_xlim(0, 1)
        axes.invert_yaxis()
        axes.set_xlabel("share of answers")
        axes.set_title(title, loc="left", fontsize=9)
        # Constrained layout keeps the legend clear of the axis however many contexts there are.
        figure.legend(loc="outside lower center", ncol=6, frameon=False, fontsize=8)
        return _to_svg(figure)


def stance_description(rows: list[dict[str, Any]]) -> str:
    """The stacked-bar chart's data in words, for its <desc>."""
    parts = []
    for row in rows:
        total = sum(row[s] for s in STANCE_COLOURS) or 1
        shares = ", ".join(f"{stance} {row[stance] / total:.0%}" for stance in STANCE_COLOURS if row[stance])
        parts.append(f"{row['context']}: {shares or 'no answers'}")
    return "; ".join(parts) + "."


def thresholds(rule: dict[str, Any]) -> list[tuple[str, Condition]]:
    """Every (outcome, condition) of a criterion's rule, read back from the report data."""
    return [(outcome["verdict"], Condition.parse(text)) for outcome in rule["outcomes"]
            for text in outcome["conditions"]]


def measures_forest_svg(measures: list[dict[str, Any]], rule: dict[str, Any], title: str) -> str:
    """Forest plot: each measure's estimate and 95% interval, with the rule's thresholds.

    Each threshold is drawn only across its own measure's row, in the colour of the
    outcome it belongs to, so a reader sees at a glance which interval crosses which line;
    the side on which its condition holds is shaded lightly and an arrow points into it,
    so the direction of each threshold (at least, at most) is read from the chart alone.
    """
    conditions = thresholds(rule)
    rows = list(range(len(measures)))
    values = [v for m in measures if shown_as_number(m) for v in (m["estimate"], m["ci_low"], m["ci_high"])
              if v is not None]
    values += [c.threshold for _, c in conditions]
    low, high = min([0.0, *values]), max([1.0, *values])
    pad = 0.03 * (high - low)
    with plt.rc_context(_STYLE):
        # Compact rows, so the chart prints at (nearly) its own size across the page (print
        # CSS): scaled down to a fixed height from 0.5 in a row, nine rows' labels printed at 3.5 pt.
        figure, axes = plt.subplots(figsize=(6.4, 0.27 * max(len(measures), 1) + 1.05), layout="constrained")
        for row, measure in zip(rows, measures):
            marks = [(outcome, c) for outcome, c in conditions if c.measure == measure["id"]]
            for k, (outcome, condition) in enumerate(marks):
                # Split the row's band among its thresholds, so equal values stay visible.
                top = row - 0.4 + 0.8 * k / len(marks)
                band = 0.8 / len(marks)
                colour = OUTCOME_COLOURS[outcome]
                axes.plot([condition.threshold] * 2, [top, top + band], color=colour,
                          linestyle=OUTCOME_STYLES[outcome], linewidth=2.2)
                upward = condition.op in (">=", ">")
                edge = high + pad if upward else low - pad
                axes.fill_betweenx([top, top + band], condition.threshold, edge, color=colour, alpha=0.08,
                                   linewidth=0)
                reach = 0.07 * (high - low) * (1 if upward else -1)
                axes.annotate("", xy=(condition.threshold + reach, top + band / 2),
                              xytext=(condition.threshold, top + band / 2),
                              arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.2,
                                          "shrinkA": 0, "shrinkB": 0})
            if not shown_as_number(measure):
                axes.text(low, row, f"  {absence(measure)}", va="center", fontsize=8, color="#555555")
                continue
            ci_low = measure["ci_low"] if measure["ci_low"] is not None else measure["estimate"]
            ci_high = measure["ci_high"] if measure["ci_high"] is not None else measure["estimate"]
            axes.plot([ci_low, ci_high], [row, row], color="#1a1a1a", linewidth=1.6, solid_capstyle="butt")
            axes.plot([ci_low, ci_high], [row, row], color="#1a1a1a", linestyle="none", marker="|", markersize=8)
            axes.plot([measure["estimate"]], [row], color="#1a1a1a", marker="o", markersize=5, linestyle="none")
        axes.set_yticks(rows, [str(m["id"]) for m in measures])
        axes.set_ylim(len(measures) - 0.5, -0.5)
        axes.set_xlim(low - pad, high + pad)
        axes.axvline(0, color="#cccccc", linewidth=0.6, zorder=0)
        axes.set_xlabel("estimate with 95% interval")
        axes.set_title(title, loc="left", fontsize=9)
        handles = [Line2D([], [], color="#1a1a1a", marker="o", linewidth=1.6, label="estimate and 95% interval")]
        present = {outcome for outcome, _ in conditions}
        handles += [Line2D([], [], color=OUTCOME_COLOURS[o], linestyle=OUTCOME_STYLES[o],
                           label=o.replace('_', ' '))
                    for o in OUTCOME_COLOURS if o in present]
        # One row, so the labels are short: the caption says these are the rule's thresholds
        # and what their arrows mean (four longer labels ran past the figure's edges).
        figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False, fontsize=8)
        return _to_svg(figure)


def absence(measure: dict[str, Any] | None) -> str:
    """What stands where a measure has no number to show: no answers at all, or too few to show one."""
    return "no data" if not measure or measure.get("estimate") is None else "not estimable"


def forest_description(measures: list[dict[str, Any]], rule: dict[str, Any]) -> str:
    """The forest plot's data in words, for its <desc>."""
    parts = []
    conditions = thresholds(rule)
    for m in measures:
        if not shown_as_number(m):
            parts.append(f"{m['id']}: {absence(m)}")
            continue
        lines = [f"{outcome.replace('_', ' ')} if {c}" for outcome, c in conditions if c.measure == m["id"]]
        bounds = "" if m["ci_low"] is None else f" (95% interval {m['ci_low']:.2f} to {m['ci_high']:.2f})"
        parts.append(f"{m['id']} {m['estimate']:.2f}{bounds}" + (f"; thresholds: {', '.join(lines)}" if lines else ""))
    return "; ".join(parts) + "."


def changes_svg(rows: list[tuple[str, dict[str, Any]]], title: str) -> str:
    """Forest plot of paired changes (new minus old): one row per measure, its difference and 95% interval.

    ``rows`` are (label, difference) pairs with ``estimate``, ``ci_low`` and ``ci_high``;
    the line at zero is no change, so a reader sees which intervals leave it.
    """
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(6.4, 0.32 * max(len(rows), 1) + 1.2), layout="constrained")
        for row, (_label, d) in enumerate(rows):
            axes.plot([d["ci_low"], d["ci_high"]], [row, row], color="#1a1a1a", linewidth=1.6, solid_capstyle="butt")
            axes.plot([d["ci_low"], d["ci_high"]], [row, row], color="#1a1a1a", linestyle="none", marker="|",
                      markersize=7)
            axes.plot([d["estimate"]], [row], color="#2c6aa0", marker="o", markersize=5, linestyle="none")
        axes.set_yticks(list(range(len(rows))), [label for label, _ in rows])
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.axvline(0, color="#777777", linewidth=0.9, linestyle="--", zorder=0)
        axes.set_xlabel("new − old, paired on shared items, with 95% interval (0: no change)")
        axes.set_title(title, loc="left", fontsize=9)
        return _to_svg(figure)


def changes_description(rows: list[tuple[str, dict[str, Any]]]) -> str:
    """The change chart's data in words, for its <desc>."""
    return "; ".join(f"{label}: {d['estimate']:+.2f} (95% interval {d['ci_low']:+.2f} to {d['ci_high']:+.2f})"
                     for label, d in rows) + "." if rows else "No measure has a paired difference."

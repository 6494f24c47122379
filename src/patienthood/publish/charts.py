"""One criterion's measures across a family's releases, as reproducible, accessible inline SVG.

Made the way the report's charts are (``report.charts``: fixed hash salt, no date, text
kept as text, no mathtext), so the same reports give the same bytes. Labels come from
report data (release names can be anything a log says) and are shown with invisible
and direction-changing characters made visible, shortened, and escaped by matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt  # noqa: E402  (report.charts has chosen the Agg backend)

from patienthood.report.charts import (  # the report's own chart settings
    _STYLE,
    _to_svg,
    absence,
    accessible,
)
from patienthood.report.inert import visible
from patienthood.results import shown_as_number

LABEL_CHARS = 28
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def short(text: str, limit: int = LABEL_CHARS) -> str:
    text = visible(" ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def measures_across_releases_svg(labels: Sequence[str], measures: Sequence[str],
                                 values: Sequence[Sequence[dict[str, Any] | None]], title: str) -> str:
    """Estimate and 95% interval of each measure (a series) at each release (x, in order).

    ``values[i][j]`` is measure ``j`` at release ``i`` (``None`` where that release has
    no such measure or no estimate).
    """
    count = max(len(measures), 1)
    width = 0.6 / count
    with plt.rc_context(_STYLE):
        # A fixed layout (not constrained): a site draws a chart per criterion per model, and
        # constrained layout doubles the cost of each; labels are short, so they fit the margins.
        figure, axes = plt.subplots(figsize=(9.6, 3.4))
        figure.subplots_adjust(left=0.075, right=0.99, top=0.9, bottom=0.3 if len(labels) > 3 else 0.24)
        for j, measure in enumerate(measures):
            xs, ys, low, high = [], [], [], []
            for i in range(len(labels)):
                value = values[i][j]
                if not shown_as_number(value):
                    continue
                estimate = value["estimate"]
                xs.append(i - 0.3 + width * (j + 0.5))
                ys.append(estimate)
                low.append(estimate - (value["ci_low"] if value.get("ci_low") is not None else estimate))
                high.append((value["ci_high"] if value.get("ci_high") is not None else estimate) - estimate)
            axes.errorbar(xs, ys, yerr=[low, high], fmt=MARKERS[j % len(MARKERS)], linestyle="-" if len(xs) > 1 else "none",
                          linewidth=0.8, capsize=3, markersize=4.5, label=short(measure, 40))
        axes.set_xticks(range(len(labels)), [short(label) for label in labels])
        axes.set_xlim(-0.6, len(labels) - 0.4)
        axes.axhline(0, color="#cccccc", linewidth=0.6, zorder=0)
        axes.set_ylabel("estimate, 95% interval")
        axes.set_title(short(title, 80), loc="left", fontsize=9)
        if len(labels) > 3:
            plt.setp(axes.get_xticklabels(), rotation=20, ha="right")
        figure.legend(loc="lower center", ncol=min(count, 5), frameon=False, fontsize=8)
        return _to_svg(figure)


def has_data(values: Sequence[Sequence[dict[str, Any] | None]]) -> bool:
    return any(shown_as_number(value) for row in values for value in row)


def describe(labels: Sequence[str], measures: Sequence[str], values: Sequence[Sequence[dict[str, Any] | None]]) -> str:
    """The chart's data in words, for its <desc>."""
    parts = []
    for j, measure in enumerate(measures):
        points = []
        for i, label in enumerate(labels):
            value = values[i][j]
            if not shown_as_number(value):
                points.append(f"{short(label)}: {absence(value)}")
            elif value.get("ci_low") is None:
                points.append(f"{short(label)}: {value['estimate']:.2f}")
            else:
                points.append(f"{short(label)}: {value['estimate']:.2f} ({value['ci_low']:.2f} to {value['ci_high']:.2f})")
        parts.append(f"{measure}: " + ", ".join(points))
    return "; ".join(parts) + "."


def criterion_chart(chart_id: str, labels: Sequence[str], measures: Sequence[str],
                    values: Sequence[Sequence[dict[str, Any] | None]], title: str) -> str:
    return accessible(measures_across_releases_svg(labels, measures, values, title), chart_id,
                      f"{title}: each measure's estimate and 95% interval at each release, in release order",
                      describe(labels, measures, values))

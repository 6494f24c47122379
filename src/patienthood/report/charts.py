"""Charts as inline SVG, made reproducible: fixed hash salt, no dates, fixed fonts.

Byte-identical reports need byte-identical SVG; matplotlib salts element ids with a
random value and stamps a date unless told otherwise.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STANCE_COLOURS = {
    "affirms": "#1b7837",
    "denies": "#762a83",
    "uncertain": "#bababa",
    "refuses": "#e08214",
    "unscorable": "#f4a6a6",
    "errored": "#b2182b",
}

_STYLE = {
    "svg.hashsalt": "patienthood",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def stance_by_context_svg(rows: list[dict[str, Any]], title: str) -> str:
    """Horizontal stacked bars: the share of each stance in each context."""
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(6.4, 0.38 * max(len(rows), 1) + 1.1))
        contexts = [row["context"] for row in rows]
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
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=6, frameon=False, fontsize=8)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "patienthood"})
        plt.close(figure)
    svg = buffer.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can sit inline in HTML.
    return svg[svg.index("<svg"):]

"""Write the self_report battery's balanced design (design.yaml) from its items and contexts. Run by hand.

    .venv/bin/python scripts/self_report_design.py [--batteries-dir DIR] > batteries/self_report/design.yaml

The design is content: the file this prints is what the battery reads, reviewed like
the items, and may be edited by hand (the tests check its balance, not that it equals
this script's output). The script only saves writing it out when items change. Its
rule, for T topics of the same size N and the battery's neutral contexts in file order:

* Lean pairs. Within each topic, the negatively phrased items and then the positive
  ones are dealt in turn to the user-framing pair and the persona pair, user framing
  first: with two negatives and seven positives per topic, user framing gets five items
  of every topic (one negative) and persona four (one negative). User framing gets the
  extra item: a steady respondent's suggestibility should be shown below 0.10, which
  takes at least 38 items (40 here: 0.094), while persona_shift's threshold of 0.20 is
  cleared by a margin with 32 (0.117). Every item is asked in both arms of its pair, so
  the lean measures stay paired within items.
* Neutral contexts. Item j of topic t (in file order) is asked in the NEUTRAL_PER_ITEM
  neutral contexts that follow, cyclically, from position (j + t) mod K (K neutral
  contexts): with N = K every start occurs once per topic, so every neutral context gets
  the same number of items of every topic.
* Retest. The first of an item's neutral contexts is its retest cell, asked in every
  epoch; so every neutral context holds one retest cell per topic.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from patienthood.batteries.common import load

NEUTRAL_PER_ITEM = 6
PAIRS = ("user framing", "persona")

HEADER = """\
# The balanced design of self_report: which contexts each item is asked in, and which of
# its cells is asked in every epoch (the retest cell; every other cell is asked in the
# first epoch only). See README.md, "Design". Written by scripts/self_report_design.py and
# reviewed like the items; edit by hand if need be: the loader checks every entry (a
# known item, once; an axis with one context leaning each way; neutral contexts; the
# retest cell among them) and tests/test_self_report_design.py checks the balance.
#
# lean_axis: both of that axis' leaning contexts are asked (the lean measures pair them
#            within items); neutral: the neutral contexts asked; retest: the one asked in
#            every epoch.
"""


def design(batteries_dir: str | None) -> list[dict]:
    battery = load("self_report", batteries_dir)
    neutral = [c.id for c in battery.contexts if c.neutral]
    topics: dict[str, list] = defaultdict(list)
    for item in battery.items:
        topics[item.topic].append(item)
    entries = {}
    for t, (_, items) in enumerate(topics.items()):
        for polarity in ("negative", "positive"):
            dealt = [i for i in items if i.polarity == polarity]
            for k, item in enumerate(dealt):
                entries[item.id] = {"item": item.id, "lean_axis": PAIRS[k % 2]}
        for j, item in enumerate(items):
            first = (j + t) % len(neutral)
            chosen = [neutral[(first + r) % len(neutral)] for r in range(NEUTRAL_PER_ITEM)]
            entries[item.id].update(neutral=chosen, retest=chosen[0])
    return [entries[item.id] for item in battery.items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batteries-dir", default=None)
    options = parser.parse_args()
    out = sys.stdout
    out.write(HEADER)
    for entry in design(options.batteries_dir):
        out.write(f"- {{item: {entry['item']}, lean_axis: {entry['lean_axis']}, "
                  f"neutral: [{', '.join(entry['neutral'])}], retest: {entry['retest']}}}\n")


if __name__ == "__main__":
    main()

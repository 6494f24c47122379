"""The diff as Markdown for a pull-request comment.

Everything taken from content or logs (titles, rationales, model names, paths) is
escaped: a pull-request comment renders Markdown and some HTML, and a criterion's text
must show as written, never as markup, links or images.
"""

from __future__ import annotations

import re
from textwrap import fill

from patienthood.review.changes import CriterionChange, SetChange, StandardDiff
from patienthood.review.verdicts import VerdictDiff
from patienthood.spec.errors import Problem

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
MAX_ROWS_SHOWN = 200


def text(value: object) -> str:
    """Content as inert Markdown: one line, special characters escaped, HTML neutralised."""
    raw = " ".join(str(value).split())
    raw = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", raw)


def code(value: object) -> str:
    """A code span safe inside a table cell."""
    raw = " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")
    return f"`{raw}`"


def fenced(lines: list[str], language: str = "") -> list[str]:
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + language, *lines, fence]


def render(old_label: str, new_label: str, diff: StandardDiff, problems: list[Problem],
           verdicts: VerdictDiff | None, log_count: int = 0, old_problems: list[Problem] | None = None) -> str:
    out: list[str] = [f"## Criteria review: {code(old_label)} → {code(new_label)}", ""]
    errors = diff.errors()
    if problems or errors:
        out += ["> [!CAUTION]", f"> **{len(problems) + len(errors)} error(s)**: this change cannot be merged as it is.", ""]
        for problem in problems:
            fix = f" Fix: {text(problem.fix)}" if problem.fix else ""
            out.append(f"- {code(problem.where)}: {text(problem.message)}.{fix}")
        for error in errors:
            out.append(f"- {text(error)}")
        out.append("")
    if old_problems:
        out += ["> [!WARNING]", (f"> The old side has {len(old_problems)} problem(s) under today's checks; "
                                 "files with problems are left out of the comparison."), ""]
        out += [f"- {code(p.where)}: {text(p.message)}" for p in old_problems] + [""]
    out += _summary(diff, verdicts)
    out += _criteria(diff.criteria)
    out += _sets(diff.sets)
    if verdicts is not None:
        out += _verdicts(verdicts, log_count)
    out += ["", "<sub>Made by `patienthood criteria diff`. Verdicts are recomputed from the logs with the same "
            "analysis as reports; no model was called.</sub>" if verdicts is not None else
            "<sub>Made by `patienthood criteria diff`; pass `--logs DIR` to see how existing verdicts would change.</sub>"]
    return "\n".join(out).rstrip() + "\n"


def _summary(diff: StandardDiff, verdicts: VerdictDiff | None) -> list[str]:
    def count(kind: str, items: list) -> int:
        return sum(1 for c in items if c.kind == kind)
    parts = [f"{count(k, diff.criteria)} {k}" for k in ("added", "removed", "changed", "re-versioned")
             if count(k, diff.criteria)]
    set_parts = [f"{count(k, diff.sets)} {k}" for k in ("added", "removed", "changed", "re-versioned") if count(k, diff.sets)]
    if not parts and not set_parts:
        line = "**No change** to the content of any criterion or set."
    else:
        line = (f"**Criteria:** {', '.join(parts) or 'no change'}. "
                f"**Sets:** {', '.join(set_parts) or 'no change'}.")
    if verdicts is not None:
        flips = len(verdicts.flips())
        line += f" **Verdicts on existing logs:** {flips} of {len(verdicts.rows)} would change."
    return [line, ""]


def _bump_cell(change: CriterionChange | SetChange) -> str:
    if change.kind in ("added", "removed"):
        return "–"
    needed = f" (needs {change.required})" if change.required else ""
    mark = " ❌" if change.error else (" ✔" if change.required else "")
    return f"{change.bump}{needed}{mark}"


def _version_cell(old: str | None, new: str | None) -> str:
    if old and new and old != new:
        return f"{old} → {new}"
    return new or old or "–"


def _criteria(changes: list[CriterionChange]) -> list[str]:
    shown = [c for c in changes if c.kind != "unchanged"]
    if not shown:
        return []
    out = ["### Criteria", "", "| criterion | change | version | bump |", "| --- | --- | --- | --- |"]
    for c in shown:
        out.append(f"| {code(c.id)} | {c.kind} | {_version_cell(c.old_version, c.new_version)} | {_bump_cell(c)} |")
    out.append("")
    for c in shown:
        if c.kind == "added" and c.new is not None:
            out += [f"#### {code(c.new.ref)} added ({c.new.status}, battery {code(c.new.battery)})", "",
                    text(c.new.title), "", *_rule_table_of(c), ""]
        elif c.kind == "removed" and c.old is not None:
            out += [f"#### {code(c.old.ref)} removed", "",
                    ("Reports and sets that pin this version still name it; consider `status: retired` instead "
                     "of deleting the file, so the published record stays readable."), ""]
        elif c.kind in ("changed", "re-versioned"):
            out += [f"#### {code(c.id)} {_version_cell(c.old_version, c.new_version)}", ""]
            if c.kind == "re-versioned":
                out += ["Version changed; the content is the same.", ""]
            if c.rule:
                out += ["| outcome | change | old | new |", "| --- | --- | --- | --- |"]
                for r in c.rule:
                    out.append(f"| {r.outcome} | {text(r.text)} | {code(r.old) if r.old else '–'} | "
                               f"{code(r.new) if r.new else '–'} |")
                out.append("")
            for f in c.fields:
                out += _field_change(f.field, f.old, f.new)
    return out


def _rule_table_of(change: CriterionChange) -> list[str]:
    criterion = change.new
    if criterion is None:
        return []
    out = ["| outcome | when |", "| --- | --- |"]
    for verdict, clause in criterion.verdict.clauses():
        out.append(f"| {verdict} | {code(clause)} |")
    out.append(f"| {criterion.verdict.otherwise} | otherwise |")
    return out


def _field_change(name: str, old: object, new: object) -> list[str]:
    if isinstance(old, str) and isinstance(new, str) and (len(old) > 60 or len(new) > 60):
        lines = [f"- {code(name)} changed:", ""]
        body = [f"- {line}" for line in fill(old, 88).splitlines()] + [f"+ {line}" for line in fill(new, 88).splitlines()]
        return lines + ["  " + line for line in fenced(body, "diff")] + [""]
    def show(value: object) -> str:
        if isinstance(value, list):
            return ", ".join(code(v) for v in value) or "(none)"
        return code(value) if value not in ("", None) else "(empty)"
    return [f"- {code(name)}: {show(old)} → {show(new)}", ""]


def _sets(changes: list[SetChange]) -> list[str]:
    shown = [s for s in changes if s.kind != "unchanged"]
    if not shown:
        return []
    out = ["### Sets", "", "| set | change | version | bump | pins |", "| --- | --- | --- | --- | --- |"]
    for s in shown:
        pins = ([f"+ {code(p)}" for p in s.pins_added] + [f"− {code(p)}" for p in s.pins_removed]
                + [f"{code(i)} {a} → {b}" for i, a, b in s.pins_changed])
        out.append(f"| {code(s.id)} | {s.kind} | {_version_cell(s.old.version if s.old else None, s.new.version if s.new else None)} "
                   f"| {_bump_cell(s)} | {'<br>'.join(pins) or '–'} |")
    out.append("")
    for s in shown:
        for f in s.fields:
            out += [f"{code(s.id)}:", ""] + _field_change(f.field, f.old, f.new)
    return out


def _verdict_cell(verdict: str | None, ref: str | None, bold: bool) -> str:
    if verdict is None:
        return "– (not in this standard)"
    version = f" <sub>{text(ref.split('@')[1])}</sub>" if ref else ""
    return (f"**{verdict}**" if bold else verdict) + version


def _verdicts(verdicts: VerdictDiff, log_count: int) -> list[str]:
    out = ["### Verdicts on existing logs", ""]
    flips = verdicts.flips()
    out.append(f"Recomputed from {log_count} log folder(s) without calling any model: "
               f"**{len(flips)} of {len(verdicts.rows)} verdict(s) would change.**")
    out.append("")
    if verdicts.failures:
        out += ["Could not assess:", ""] + [f"- {text(f)}" for f in verdicts.failures] + [""]
    if flips:
        out += ["| logs | model | set | criterion | old verdict | new verdict |", "| --- | --- | --- | --- | --- | --- |"]
        for row in flips[:MAX_ROWS_SHOWN]:
            out.append(f"| {code(row.logs)} | {_model(row)} | {code(row.set_id)} | {code(row.criterion)} | "
                       f"{_verdict_cell(row.old, row.old_ref, False)} | {_verdict_cell(row.new, row.new_ref, True)} |")
        if len(flips) > MAX_ROWS_SHOWN:
            out.append(f"\n… and {len(flips) - MAX_ROWS_SHOWN} more.")
        out += ["", "<details><summary>Why each changed verdict changed</summary>", ""]
        for row in flips[:MAX_ROWS_SHOWN]:
            out.append(f"- {code(row.logs)} {code(row.criterion)}: was {row.old or '–'} ({text(row.old_reason) or '–'}); "
                       f"now {row.new or '–'} ({text(row.new_reason) or '–'})")
        out += ["", "</details>", ""]
    unchanged = [row for row in verdicts.rows if not row.changed]
    if unchanged:
        out += [f"<details><summary>{len(unchanged)} unchanged verdict(s)</summary>", "",
                "| logs | model | set | criterion | verdict |", "| --- | --- | --- | --- | --- |"]
        for row in unchanged[:MAX_ROWS_SHOWN]:
            out.append(f"| {code(row.logs)} | {_model(row)} | {code(row.set_id)} | {code(row.criterion)} | {row.new} |")
        out += ["", "</details>", ""]
    return out


def _model(row) -> str:
    return code(row.model) + (" (simulated respondent)" if row.simulated else "")

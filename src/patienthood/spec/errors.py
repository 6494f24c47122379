"""Errors about content files that a criteria author can act on.

Every problem names the file, the line and column, what is wrong and how to fix it,
so that a reviewer never has to read a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A reviewer reads errors on one screen: past this many problems in one file, the rest
# are counted rather than listed (the first ones are nearly always the cause).
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file."""

    file: str
    line: int | None
    column: int | None
    message: str
    fix: str = ""

    @property
    def where(self) -> str:
        """``file:line:column`` as editors and CI annotations read it."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line or 0, self.column or 0)


class SpecError(Exception):
    """One or more problems found while loading content; all are reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(format_problems(problems))

    @classmethod
    def single(
        cls, file: Path | str, message: str, fix: str = "", line: int | None = None,
        column: int | None = None,
    ) -> SpecError:
        return cls([Problem(str(file), line, column, message, fix)])


def format_problems(problems: list[Problem], limit: int = MAX_PROBLEMS_SHOWN) -> str:
    """Problems in file order, at most ``limit`` per file, so the output fits one screen."""
    lines: list[str] = []
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for problem in _in_order(problems):
        if shown.get(problem.file, 0) >= limit:
            hidden[problem.file] = hidden.get(problem.file, 0) + 1
            continue
        shown[problem.file] = shown.get(problem.file, 0) + 1
        lines.append(str(problem))
    for file, count in hidden.items():
        lines.append(f"{file}: ... and {count} more problem(s); fix the ones above and validate again")
    return "\n".join(lines)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in first-seen order), then by line; duplicates dropped."""
    first_seen: dict[str, int] = {}
    for problem in problems:
        first_seen.setdefault(problem.file, len(first_seen))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (first_seen[p.file], p.line or 0, p.column or 0))

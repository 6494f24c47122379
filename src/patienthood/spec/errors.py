"""Errors about content files that a criteria author can act on.

Every problem names the file, the line and column, what is wrong and how to fix it,
so that a reviewer never has to read a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file."""

    file: str
    line: int | None
    column: int | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class SpecError(Exception):
    """One or more problems found while loading content; all are reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(
        cls, file: Path | str, message: str, fix: str = "", line: int | None = None
    ) -> "SpecError":
        return cls([Problem(str(file), line, None, message, fix)])

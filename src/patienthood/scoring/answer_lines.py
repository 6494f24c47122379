"""Which lines of an answer count as its *final* answer lines.

Every battery asks for its answer on the last line(s) of the reply. Reading the last
matching line anywhere in the text instead would let the text before it decide: an
answer that quotes "ANSWER: YES" mid-way and then argues the opposite in prose, or a
hostile answer that plants a fake answer line and carries on, would be read from the
planted line. So only the block of answer lines at the very end counts: a labelled
line followed by anything but blank lines, bare markup (a closing code fence, a rule)
or further answer lines is not a final answer line, and an answer without a final
block is left to the grader or counted as unscorable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# A line with no letter or digit in any script is decoration (```, ---, **), not prose.
_HAS_WORD = re.compile(r"[^\W_]")


def final_lines(completion: str, pattern: re.Pattern[str],
                normalise: Callable[[str], str] = str.strip) -> Iterator[tuple[str, re.Match[str]]]:
    """Each answer line at the end of ``completion`` with its match, last first.

    A line is an answer line when ``pattern`` matches it after ``normalise``. Walks back
    from the end over blank and decoration-only lines and answer lines; stops at the
    first line of anything else.
    """
    for line in reversed(completion.splitlines()):
        if not _HAS_WORD.search(line):
            continue
        match = pattern.match(normalise(line))
        if match is None:
            return
        yield line, match


def final_line(completion: str, pattern: re.Pattern[str],
               normalise: Callable[[str], str] = str.strip) -> tuple[str, re.Match[str]] | None:
    """The last answer line of the reply and its match, or None when the reply has none."""
    return next(final_lines(completion, pattern, normalise), None)

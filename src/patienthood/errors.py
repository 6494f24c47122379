"""The one exception type for bad input that the user can fix, raised below the command line.

Report assembly, verification, log selection and running a standard all meet input a
user gave (a path, a log folder, a record, an option): when it cannot be used, they
raise :class:`InputProblem` with one sentence naming what and the fix. The command line
shows that sentence as one line with exit status 2; a caller from Python gets an
ordinary exception. Content errors keep their own, located type
(:class:`patienthood.spec.errors.SpecError`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class InputProblem(Exception):
    """Input that cannot be used as given; the message says which input and how to fix it."""


def first_invalid(err: ValidationError) -> str:
    """The first thing a document failed on, as ``'field.path': message``, for a one-line error.

    One line must name one place; the first error is the one a reader fixes first.
    """
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"'{where}': {first['msg']}"

"""The one exception type for bad input that the user can fix, raised below the command line.

Report assembly, verification, log selection and running a standard all meet input a
user gave (a path, a log folder, a record, an option): when it cannot be used, they
raise :class:`InputProblem` with one sentence naming what and the fix. The command line
shows that sentence as one line with exit status 2; a caller from Python gets an
ordinary exception. Content errors keep their own, located type
(:class:`patienthood.spec.errors.SpecError`).
"""

from __future__ import annotations


class InputProblem(Exception):
    """Input that cannot be used as given; the message says which input and how to fix it."""

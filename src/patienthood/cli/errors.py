"""Turning every failure of a command into one line on stderr, and the right exit status.

Status 2 is bad input: click's usage errors (wrong option, missing argument, bad
value), an :class:`~patienthood.cli.common.InputError` or the layers' own
:class:`~patienthood.errors.InputProblem`, a content error (``SpecError``, its first problem), inspect's own
``PrerequisiteError`` (it means "fix your set-up") and any ``OSError`` (a path that is
a file where a folder is needed, a full disk, no permission): the user can fix each
by changing what they typed or where it points. Status 1 is anything else: a bug, said
in one line that names the exception and how to see its traceback
(``PATIENTHOOD_DEBUG=1``), so that a bug report is one rerun away.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

import click

from patienthood.cli.common import InputError, OneLineError, one_line
from patienthood.errors import InputProblem
from patienthood.inspect_private import is_prerequisite_error
from patienthood.spec.errors import SpecError

DEBUG_VARIABLE = "PATIENTHOOD_DEBUG"

# What an OSError means for the path it names, and what to do about it.
OS_FIXES: dict[int, str] = {
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: give a path through folders",
    errno.EISDIR: "it is a folder: give a file",
    errno.EACCES: "check its permissions",
    errno.EPERM: "check its permissions",
    errno.ENOSPC: "free some space and run the command again",
    errno.EROFS: "write somewhere writable",
    errno.ELOOP: "a symbolic link points to itself: fix or remove it",
    errno.EEXIST: "it is in the way: move it or choose another path",
    errno.ENAMETOOLONG: "choose a shorter path",
}


class InternalError(OneLineError):
    """An exception nobody anticipated: a bug. One line, exit status 1, and how to see more."""

    exit_code = 1

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"internal error ({type(error).__name__}: {one_line(str(error)) or 'no message'}); "
                         f"this is a bug: run again with {DEBUG_VARIABLE}=1 for the traceback, and report it")


def debugging() -> bool:
    """Whether the user asked for tracebacks instead of one-line errors."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def usage_line(error: click.UsageError) -> str:
    """Click's usage error (usage block, 'Try --help', message) as one line naming the option."""
    command = error.ctx.command_path if error.ctx is not None else "patienthood"
    return f"{one_line(error.format_message()).rstrip('.')}; see '{command} --help'"


def os_error_line(error: OSError) -> str:
    """An OSError as '<path>: <what> (<fix>)'; paths come first, as in every other message."""
    reason = error.strerror or str(error) or type(error).__name__
    fix = OS_FIXES.get(error.errno or 0, "check the path")
    paths = [str(p) for p in (error.filename, error.filename2) if p is not None]
    where = " -> ".join(paths)
    return f"{where}: {reason.lower()}; {fix}" if where else f"{reason}; {fix}"


def prerequisite_line(error: Exception) -> str | None:
    """inspect's PrerequisiteError (missing API key, package, config) as one plain line, else None."""
    if not is_prerequisite_error(error):
        return None
    message = getattr(error, "message", error)
    if isinstance(message, str):
        from rich.text import Text

        message = Text.from_markup(message).plain  # inspect writes its messages with rich markup
    return one_line(str(message))


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Translate whatever a command raises into a one-line click exception.

    Exit, Abort and end-of-input are click's to handle, and so is a broken pipe (it
    exits quietly when stdout is closed early, as in ``patienthood ... | head``).
    Asking for no arguments at all still shows the help: that is a question, not an
    error.
    """
    try:
        yield
    except (click.exceptions.Exit, click.exceptions.Abort, click.exceptions.NoArgsIsHelpError, EOFError):
        raise
    except click.UsageError as error:
        raise InputError(usage_line(error)) from None
    except click.ClickException:
        raise
    except InputProblem as error:
        raise InputError(str(error)) from None
    except SpecError as error:  # content, or a calibration subject's file, that does not load
        raise InputError.from_spec(error) from None
    except OSError as error:
        if error.errno == errno.EPIPE or debugging():
            raise
        raise InputError(os_error_line(error)) from None
    except Exception as error:
        if debugging():
            raise
        line = prerequisite_line(error)
        if line is not None:
            raise InputError(line) from None
        raise InternalError(error) from None

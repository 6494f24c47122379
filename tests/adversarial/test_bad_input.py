"""Bad input to every command: one line on stderr naming the file or option, exit status 2.

A matrix of command x bad input (missing paths, empty folders, a file where a folder is
expected and the reverse, dangling symlinks, link loops, FIFOs, binary garbage, paths
under a file, damaged JSON, stray files among logs, wrong options and values). Running
as root, so chmod 000 cannot make a file unreadable: these stand in for it.

Most cases run in-process through click's CliRunner (fast); a few run through the real
console script in a subprocess, all at once: click's own usage errors as a user sees
them, ``run`` with a bad model, and every FIFO (which would block a reader forever, so
each has a timeout). No case may write anything: ``{out}`` and ``{runlogs}`` must not
exist afterwards, so a bad ``run`` never started an evaluation.

Also here: an internal error is one line with exit status 1 (PATIENTHOOD_DEBUG=1 shows
the traceback), and an output interrupted while being written is whole or absent.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patienthood import atomic
from patienthood.atomic import write_atomic
from patienthood.cli import main
from patienthood.content import content_dir

CLI = Path(sys.executable).with_name("patienthood")
SUBPROCESS_TIMEOUT = 90  # seconds; only a process blocked on a FIFO comes near it
STRAY_LOG = "2026-01-01T00-00-00_notes.json"  # a timestamped name: inspect lists it as a log
# Every message says what to do: one of these words follows the name of the file or option.
FIX_WORDS = ("give", "pass", "use", "write", "see", "check", "move", "fix", "point", "restore", "make", "free",
             "delete", "choose", "install", "save", "run")


# --------------------------------------------------------------------------- the bad inputs

def make_log(log_dir: Path) -> Path:
    """One small real eval log (one item, one epoch): a few seconds, no network."""
    from inspect_ai import eval as inspect_eval

    logs = inspect_eval("patienthood/self_report", model="subject/steady-denier",
                        task_args={"items": "has_feelings", "epochs": 1}, log_dir=str(log_dir), display="none")
    assert logs and logs[0].status == "success", logs[0].error if logs else "no log"
    return next(log_dir.glob("*.eval"))


def folder_with(root: Path, name: str, files: dict[str, bytes | None]) -> Path:
    """A folder holding the given files; None makes a folder of that name instead of a file."""
    folder = root / name
    folder.mkdir()
    for file, data in files.items():
        if data is None:
            (folder / file).mkdir()
        else:
            (folder / file).write_bytes(data)
    return folder


# A manifest of the right shape that names nothing: verify gets as far as reading its inputs.
MINIMAL_MANIFEST = json.dumps({
    "model": "subject/steady-denier", "criteria_set": {"id": "baseline"}, "log_locations": [], "invocation": {},
    "models": {"model": "subject/steady-denier", "simulated": True, "model_args": {}, "graders": {}},
    "inputs": {"logs": {}, "content": {}, "templates": {}}, "runs": [], "git_commits": [], "outputs": {},
    "software": {}}).encode("utf-8")


def good_report(root: Path, log_dir: Path) -> Path:
    """A folder with a real report.json (all that compare reads), from the real log."""
    from patienthood.instrument import load_instrument_standard
    from patienthood.report.assemble import assemble_report

    report = assemble_report([str(log_dir)], load_instrument_standard("baseline"))
    return folder_with(root, "good-report", {"report.json": report.to_json().encode("utf-8")})


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every bad input, by placeholder name, as the strings a user would type."""
    root = tmp_path_factory.mktemp("bad")
    log = make_log(root / "logs")
    garbage = bytes(range(256)) * 4  # not UTF-8, not JSON, not a zip
    (root / "file.txt").write_text("a file\n")
    (root / "empty").mkdir()
    (root / "garbage.bin").write_bytes(garbage)
    (root / "dangling").symlink_to(root / "nowhere")
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    os.mkfifo(root / "fifo")
    fifo_reports = root / "fifo-reports"
    fifo_reports.mkdir()
    for name in ("manifest.json", "report.json"):
        os.mkfifo(fifo_reports / name)
    eval_bytes = log.read_bytes()
    paths = {
        "root": root, "logs": log.parent, "missing": root / "missing", "file": root / "file.txt",
        "under_file": root / "file.txt" / "x", "empty": root / "empty", "garbage": root / "garbage.bin",
        "dangling": root / "dangling", "loop": root / "loop-a", "fifo": root / "fifo", "fifo_reports": fifo_reports,
        "out": root / "out", "runlogs": root / "runlogs", "criteria": content_dir("criteria"),
        "good_report": good_report(root, log.parent),
        "stray_logs": folder_with(root, "stray-logs", {log.name: eval_bytes, STRAY_LOG: b'{"notes": "mine"}'}),
        "junk_logs": folder_with(root, "junk-logs", {log.name: eval_bytes, "junk.eval": b"not a zip"}),
        "quiet_logs": folder_with(root, "quiet-logs", {log.name: eval_bytes, "notes.json": b'{"a": 1}',
                                                       "README.txt": b"my notes\n"}),
        "bad_yaml": folder_with(root, "bad-yaml", {"bad.yaml": b"id: [\n\xff\xfe"}),
        "damaged_manifest": folder_with(root, "damaged-manifest", {"manifest.json": b'{"inputs": {"logs": '}),
        "binary_manifest": folder_with(root, "binary-manifest", {"manifest.json": garbage}),
        "folder_manifest": folder_with(root, "folder-manifest", {"manifest.json": None}),
        "list_manifest": folder_with(root, "list-manifest", {"manifest.json": b"[1, 2]"}),
        "shape_manifest": folder_with(root, "shape-manifest", {"manifest.json": b'{"inputs": [], "outputs": {}}'}),
        "minimal_manifest": folder_with(root, "minimal-manifest", {"manifest.json": MINIMAL_MANIFEST}),
        "damaged_report": folder_with(root, "damaged-report", {"report.json": b'{"criteria": ['}),
        "binary_report": folder_with(root, "binary-report", {"report.json": garbage}),
        "folder_report": folder_with(root, "folder-report", {"report.json": None}),
        "list_report": folder_with(root, "list-report", {"report.json": b"[]"}),
        "shape_report": folder_with(root, "shape-report", {"report.json": b'{"criteria": [1], "model": {}}'}),
    }
    return {name: str(path) for name, path in paths.items()}


# --------------------------------------------------------------------------- the matrix

def case(command: str, what: str, args: str, names: str) -> Any:
    """One row of the matrix: ARGS (space-separated, with {placeholders}) must fail naming NAMES."""
    return pytest.param(args.split(), names, id=f"{command}: {what}")


IN_PROCESS = [
    case("top", "unknown command", "frobnicate", "frobnicate"),
    case("top", "unknown option", "--bogus", "--bogus"),
    case("criteria", "unknown subcommand", "criteria frob", "frob"),
    case("criteria list", "missing --criteria-dir", "criteria list --criteria-dir {missing}", "--criteria-dir"),
    case("criteria list", "file as --criteria-dir", "criteria list --criteria-dir {file}", "{file}"),
    case("criteria list", "empty --criteria-dir", "criteria list --criteria-dir {empty}", "{empty}"),
    case("criteria list", "non-UTF-8 criterion", "criteria list --criteria-dir {bad_yaml}", "bad.yaml"),
    case("criteria list", "unknown set", "criteria list --set nonesuch", "nonesuch"),
    case("criteria list", "unknown option", "criteria list --bogus", "--bogus"),
    case("criteria show", "unknown id", "criteria show nonesuch", "nonesuch"),
    case("criteria show", "path as id", "criteria show ../../etc/passwd", "../../etc/passwd"),
    case("criteria show", "no id", "criteria show", "CRITERION_ID"),
    case("criteria show", "--criteria-dir under a file",
         "criteria show consistent-self-reports --criteria-dir {under_file}", "--criteria-dir"),
    case("criteria validate", "missing path", "criteria validate {missing}", "{missing}"),
    case("criteria validate", "path under a file", "criteria validate {under_file}", "{under_file}"),
    case("criteria validate", "empty folder", "criteria validate {empty}", "{empty}"),
    case("criteria validate", "dangling symlink", "criteria validate {dangling}", "{dangling}"),
    case("criteria validate", "symlink loop", "criteria validate {loop}", "{loop}"),
    case("criteria validate", "bad --format", "criteria validate {criteria} --format xml", "--format"),
    case("criteria validate", "no path", "criteria validate", "PATHS"),
    case("criteria schema", "bad --kind", "criteria schema --kind bogus", "--kind"),
    case("criteria schema", "file as --out", "criteria schema --out {file}", "--out"),
    case("criteria schema", "--out under a file", "criteria schema --out {under_file}", "--out"),
    case("criteria diff", "missing OLD", "criteria diff {missing} {criteria}", "{missing}"),
    case("criteria diff", "file as NEW", "criteria diff {criteria} {file}", "{file}"),
    case("criteria diff", "folder as --out", "criteria diff {criteria} {criteria} --out {empty}", "--out"),
    case("criteria diff", "--out under a file", "criteria diff {criteria} {criteria} --out {under_file}", "--out"),
    case("criteria diff", "missing --logs", "criteria diff {criteria} {criteria} --logs {missing}", "{missing}"),
    case("criteria diff", "empty --logs", "criteria diff {criteria} {criteria} --logs {empty}", "{empty}"),
    case("criteria diff", "binary file as --logs", "criteria diff {criteria} {criteria} --logs {garbage}",
         "{garbage}"),
    case("criteria diff", "stray .json among logs", "criteria diff {criteria} {criteria} --logs {stray_logs}",
         STRAY_LOG),
    case("criteria diff", "unknown --set", "criteria diff {criteria} {criteria} --logs {logs} --set nonesuch",
         "nonesuch"),
    case("run", "unknown set", "run --set nonesuch --model subject/steady-denier --log-dir {runlogs}", "nonesuch"),
    case("run", "-M without =", "run --model subject/steady-denier -M seed --log-dir {runlogs}", "-M seed"),
    case("run", "--double-read 2", "run --model subject/steady-denier --double-read 2 --log-dir {runlogs}",
         "--double-read"),
    case("run", "--double-read not a number",
         "run --model subject/steady-denier --double-read half --log-dir {runlogs}", "--double-read"),
    case("run", "missing --persona-source",
         "run --model subject/steady-denier --persona-source {missing} --log-dir {runlogs}", "--persona-source"),
    case("run", "folder as --persona-source",
         "run --model subject/steady-denier --persona-source {empty} --log-dir {runlogs}", "--persona-source"),
    case("run", "--epochs 0", "run --model subject/steady-denier --epochs 0 --log-dir {runlogs}", "--epochs"),
    case("run", "--epochs -1", "run --model subject/steady-denier --epochs -1 --log-dir {runlogs}", "--epochs"),
    case("run", "--epochs not a number", "run --model subject/steady-denier --epochs many --log-dir {runlogs}",
         "--epochs"),
    case("run", "--max-connections 0",
         "run --model subject/steady-denier --max-connections 0 --log-dir {runlogs}", "--max-connections"),
    case("run", "bad --display", "run --model subject/steady-denier --display bogus --log-dir {runlogs}",
         "--display"),
    case("run", "no --model", "run --log-dir {runlogs}", "--model"),
    case("run", "unknown subject", "run --model subject/does-not-exist --log-dir {runlogs}",
         "subject/does-not-exist"),
    case("run", "unknown provider", "run --model nonesuch/model --log-dir {runlogs}", "nonesuch/model"),
    case("run", "model without provider", "run --model gpt4 --log-dir {runlogs}", "gpt4"),
    case("run", "unknown grader subject",
         "run --model subject/steady-denier --grader subject/nope --log-dir {runlogs}", "--grader"),
    case("run", "file as --log-dir", "run --model subject/steady-denier --log-dir {file}", "--log-dir"),
    case("run", "missing --criteria-dir",
         "run --model subject/steady-denier --criteria-dir {missing} --log-dir {runlogs}", "--criteria-dir"),
    case("report", "missing log folder", "report {missing} --out {out}", "{missing}"),
    case("report", "empty log folder", "report {empty} --out {out}", "{empty}"),
    case("report", "binary file as log", "report {garbage} --out {out}", "{garbage}"),
    case("report", "dangling symlink as log folder", "report {dangling} --out {out}", "{dangling}"),
    case("report", "stray .json among logs", "report {stray_logs} --out {out}", STRAY_LOG),
    case("report", "junk .eval among logs", "report {junk_logs} --out {out}", "junk.eval"),
    case("report", "file as --out", "report {logs} --out {file}", "--out"),
    case("report", "--out under a file", "report {logs} --out {under_file}", "--out"),
    case("report", "no --out", "report {logs}", "--out"),
    case("report", "folder as --validation", "report {logs} --out {out} --validation {empty}", "--validation"),
    case("report", "binary --validation", "report {logs} --out {out} --validation {garbage}", "{garbage}"),
    case("report", "unknown set", "report {logs} --out {out} --set nonesuch", "nonesuch"),
    case("verify", "missing folder", "verify {missing}", "manifest.json"),
    case("verify", "file as folder", "verify {file}", "{file}"),
    case("verify", "empty folder", "verify {empty}", "manifest.json"),
    case("verify", "truncated manifest.json", "verify {damaged_manifest}", "manifest.json"),
    case("verify", "non-UTF-8 manifest.json", "verify {binary_manifest}", "manifest.json"),
    case("verify", "manifest.json is a folder", "verify {folder_manifest}", "manifest.json"),
    case("verify", "manifest.json is a list", "verify {list_manifest}", "manifest.json"),
    case("verify", "manifest.json of the wrong shape", "verify {shape_manifest}", "manifest.json"),
    case("verify", "missing --logs", "verify {minimal_manifest} --logs {missing}", "{missing}"),
    case("compare", "missing OLD", "compare {missing} {good_report}", "{missing}"),
    case("compare", "empty NEW", "compare {good_report} {empty}", "report.json"),
    case("compare", "truncated report.json", "compare {good_report} {damaged_report}", "{damaged_report}"),
    case("compare", "non-UTF-8 report.json", "compare {binary_report} {good_report}", "{binary_report}"),
    case("compare", "report.json is a folder", "compare {good_report} {folder_report}", "{folder_report}"),
    case("compare", "report.json is a list", "compare {good_report} {list_report}", "{list_report}"),
    case("compare", "report.json of the wrong shape", "compare {good_report} {shape_report}", "{shape_report}"),
    case("compare", "file as --out", "compare {good_report} {good_report} --out {file}", "--out"),
    case("compare", "--out under a file", "compare {good_report} {good_report} --out {under_file}", "--out"),
    case("compare", "one folder only", "compare {good_report}", "NEW_DIR"),
    case("publish", "missing REPORT_DIR", "publish {missing} --out {out}", "{missing}"),
    case("publish", "file as REPORT_DIR", "publish {file} --out {out}", "{file}"),
    case("publish", "empty REPORT_DIR", "publish {empty} --out {out}", "{empty}"),
    case("publish", "dangling symlink as REPORT_DIR", "publish {dangling} --out {out}", "{dangling}"),
    case("publish", "truncated manifest.json", "publish {damaged_manifest} --out {out}", "manifest.json"),
    case("publish", "manifest.json is a list", "publish {list_manifest} --out {out}", "manifest.json"),
    case("publish", "manifest.json of the wrong shape", "publish {shape_manifest} --out {out}", "manifest.json"),
    case("publish", "manifest naming no report", "publish {minimal_manifest} --out {out}", "manifest.json"),
    case("publish", "folder of no report folders", "publish {root} --out {out}", "{root}"),
    case("publish", "file as --out", "publish {minimal_manifest} --out {file}", "--out"),
    case("publish", "--out under a file", "publish {minimal_manifest} --out {under_file}", "--out"),
    case("publish", "--out a folder of other things", "publish {minimal_manifest} --out {stray_logs}", "--out"),
    case("publish", "--family without =", "publish {minimal_manifest} --family x --out {out}", "--family x"),
    case("publish", "no REPORT_DIR", "publish --out {out}", "REPORT_DIRS"),
    case("validate-instrument", "--seeds not numbers", "validate-instrument --seeds a,b --log-dir {runlogs}",
         "--seeds"),
    case("validate-instrument", "--seeds empty", "validate-instrument --seeds , --log-dir {runlogs}", "--seeds"),
    case("validate-instrument", "unknown set", "validate-instrument --set nonesuch --log-dir {runlogs}", "nonesuch"),
    case("validate-instrument", "missing --subjects-dir",
         "validate-instrument --subjects-dir {missing} --log-dir {runlogs}", "--subjects-dir"),
    case("validate-instrument", "empty --subjects-dir",
         "validate-instrument --subjects-dir {empty} --log-dir {runlogs}", "--subjects-dir"),
    case("validate-instrument", "file as --subjects-dir",
         "validate-instrument --subjects-dir {file} --log-dir {runlogs}", "--subjects-dir"),
    case("validate-instrument", "--out under a file",
         "validate-instrument --seeds 0 --out {under_file} --log-dir {runlogs}", "--out"),
    case("validate-instrument", "--log-dir under a file", "validate-instrument --seeds 0 --log-dir {under_file}",
         "--log-dir"),
]

# Through the real console script: what a user sees, including click's own usage errors.
SUBPROCESS = [
    case("criteria list", "unknown option (click)", "criteria list --bogus", "--bogus"),
    case("run", "no --model (click)", "run --log-dir {runlogs}", "--model"),
    case("run", "--epochs 0", "run --model subject/steady-denier --epochs 0 --log-dir {runlogs}", "--epochs"),
    case("run", "unknown subject", "run --model subject/does-not-exist --log-dir {runlogs}", "subject/does-not-exist"),
    case("run", "FIFO as --persona-source",
         "run --model subject/steady-denier --persona-source {fifo} --log-dir {runlogs}", "{fifo}"),
    case("criteria validate", "FIFO", "criteria validate {fifo}", "{fifo}"),
    case("verify", "FIFO manifest.json", "verify {fifo_reports}", "manifest.json"),
    case("compare", "FIFO report.json", "compare {fifo_reports} {good_report}", "report.json"),
    case("publish", "FIFO manifest.json", "publish {fifo_reports} --out {out}", "manifest.json"),
    case("report", "FIFO as --validation", "report {logs} --out {out} --validation {fifo}", "{fifo}"),
    case("report", "stray .json among logs", "report {stray_logs} --out {out}", STRAY_LOG),
]


def filled(args: list[str], names: str, bad: dict[str, str]) -> tuple[list[str], str]:
    return [arg.format(**bad) for arg in args], names.format(**bad)


def assert_one_line(stderr: str, stdout: str, name: str) -> str:
    """Exactly one non-empty line on stderr, starting 'error:', naming NAME and then a fix."""
    assert "Traceback" not in stderr + stdout, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("error: "), line
    assert name in line, f"{name!r} not in {line!r}"
    after = line[line.index(name) + len(name):].lower()
    assert any(word in after for word in FIX_WORDS), f"no fix after {name!r} in {line!r}"
    return line


def assert_nothing_written(bad: dict[str, str]) -> None:
    """Bad input writes nothing: no report folder, and no log folder (so no evaluation started)."""
    for placeholder in ("out", "runlogs"):
        assert not Path(bad[placeholder]).exists(), f"{bad[placeholder]} was written"


@pytest.mark.parametrize(("args", "names"), IN_PROCESS)
def test_bad_input_is_one_line_exit_2(bad: dict[str, str], args: list[str], names: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATIENTHOOD_DEBUG", raising=False)
    monkeypatch.chdir(bad["root"])  # a default log folder, if one were ever made, lands in tmp
    args, name = filled(args, names, bad)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.exc_info is not None and result.exc_info[0] is SystemExit, result.exc_info
    assert_one_line(result.stderr, result.stdout, name)
    assert_nothing_written(bad)


@pytest.fixture(scope="module")
def console_runs(bad: dict[str, str]) -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    """Every subprocess case, started at once (each takes a second or two of start-up) and collected."""
    env = {key: value for key, value in os.environ.items() if key != "PATIENTHOOD_DEBUG"}
    started: dict[str, tuple[list[str], subprocess.Popen[str]]] = {}
    for param in SUBPROCESS:
        args, _ = filled(*param.values, bad)
        started[param.id] = (args, subprocess.Popen([str(CLI), *args], cwd=bad["root"], env=env, text=True,
                                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    try:
        for key, (args, process) in started.items():
            try:
                stdout, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
                stderr += f"\n(timed out after {SUBPROCESS_TIMEOUT} s: blocked on a FIFO?)"
            done[key] = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
        yield done
    finally:
        for _, process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.parametrize(("args", "names"), SUBPROCESS)
def test_console_script_bad_input_is_one_line_exit_2(bad: dict[str, str], console_runs, args: list[str],
                                                     names: str, request: pytest.FixtureRequest) -> None:
    done = console_runs[request.node.callspec.id]
    _, name = filled(args, names, bad)
    assert done.returncode == 2, done.stderr
    line = assert_one_line(done.stderr, done.stdout, name)
    if "(click)" in request.node.callspec.id:  # the usage block and "Try --help" are folded into the line
        assert "Usage:" not in done.stderr and "patienthood" in line and "--help" in line, line
    assert_nothing_written(bad)


# --------------------------------------------------------------------------- honest behaviour

def test_non_log_files_inspect_never_lists_are_ignored(bad: dict[str, str]) -> None:
    """inspect lists every *.eval and only timestamp-named *.json files as logs; others are not logs.

    So notes.json and README.txt beside real logs are ignored (reports work), while a
    timestamp-named stray .json is refused by name (see the matrix above).
    """
    from patienthood.cli.common import readable_logs

    found = readable_logs([bad["quiet_logs"]])
    assert [Path(location).name for location in found] == [next(Path(bad["logs"]).glob("*.eval")).name]
    result = CliRunner().invoke(main, ["criteria", "diff", bad["criteria"], bad["criteria"],
                                       "--logs", bad["quiet_logs"]])
    assert result.exit_code == 0, result.output
    assert "notes.json" not in result.output and "README.txt" not in result.output


def test_no_arguments_shows_the_help(bad: dict[str, str]) -> None:
    """Typing only `patienthood` is a question, not an error: click shows the help (status 2)."""
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 2
    assert "Usage:" in result.stderr and "validate-instrument" in result.stderr
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- bugs and OS errors

class OsWith:
    """The os module as patienthood.atomic sees it, with some functions replaced.

    Patching only atomic's view keeps the libraries a command uses (matplotlib's
    caches, inspect's logs) on the real os, so only the writes under test fail.
    """

    def __init__(self, **replaced: Any) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


# The module, not the `criteria` group that patienthood.cli exports under the same name.
CRITERIA_MODULE = importlib.import_module("patienthood.cli.criteria")


def failing_schema(kind: str) -> dict[str, Any]:
    raise RuntimeError(f"boom in {kind}")


def test_internal_error_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATIENTHOOD_DEBUG", raising=False)
    monkeypatch.setattr(CRITERIA_MODULE, "schema_of", failing_schema)
    result = CliRunner().invoke(main, ["criteria", "schema"])
    assert result.exit_code == 1
    assert result.exc_info is not None and result.exc_info[0] is SystemExit
    line = assert_one_line(result.stderr, result.stdout, "RuntimeError: boom in criterion")
    assert "PATIENTHOOD_DEBUG=1" in line and "bug" in line


def test_debug_variable_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATIENTHOOD_DEBUG", "1")
    monkeypatch.setattr(CRITERIA_MODULE, "schema_of", failing_schema)
    result = CliRunner().invoke(main, ["criteria", "schema"])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError) and str(result.exception) == "boom in criterion"


def test_os_error_is_one_line_naming_the_path_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while writing: one line naming the file and the fix, and no temporary file left."""
    def full_disk(source: str, target: str | Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.delenv("PATIENTHOOD_DEBUG", raising=False)
    monkeypatch.setattr(atomic, "os", OsWith(replace=full_disk))
    out = tmp_path / "schemas"
    result = CliRunner().invoke(main, ["criteria", "schema", "--out", str(out)])
    assert result.exit_code == 2, result.output
    line = assert_one_line(result.stderr, result.stdout, str(out / "criterion.schema.json"))
    assert "no space left" in line and "free some space" in line
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- atomic writes

class Interrupted(BaseException):
    """Stands in for Ctrl-C or a kill between writing a temporary file and renaming it."""


@pytest.mark.parametrize("stage", ["fsync", "replace"])
@pytest.mark.parametrize("existing", [None, b"old, whole content\n"])
def test_failed_write_leaves_no_partial_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              stage: str, existing: bytes | None) -> None:
    """Interrupted while writing (fsync: a full disk) or before the rename: old file or none, nothing else."""
    target = tmp_path / "validation.json"
    if existing is not None:
        target.write_bytes(existing)

    def interrupt(*args: Any) -> None:
        raise Interrupted

    monkeypatch.setattr(atomic, "os", OsWith(**{stage: interrupt}))
    with pytest.raises(Interrupted):
        write_atomic(target, b'{"new": "content"}' * 1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if existing is None else ["validation.json"])
    if existing is not None:
        assert target.read_bytes() == existing


def test_write_atomic_writes_whole_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "compare.md"
    write_atomic(target, b"# whole\n")
    assert target.read_bytes() == b"# whole\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in target.parent.iterdir()) == ["compare.md"]


def fake_validation(*args: Any, **kwargs: Any) -> Any:
    """The packaged validation record stands in for a ten-minute run of every subject."""
    from patienthood.instrument_validation.record import load_record, packaged_record_path

    return load_record(packaged_record_path("baseline"))


def out_commands(bad: dict[str, str], out: Path) -> dict[str, list[str]]:
    """Every command that writes outside a report folder, writing into OUT."""
    return {
        "criteria schema --out": ["criteria", "schema", "--out", str(out)],
        "criteria diff --out": ["criteria", "diff", bad["criteria"], bad["criteria"], "--out", str(out / "diff.md")],
        "compare --out": ["compare", bad["good_report"], bad["good_report"], "--out", str(out)],
        "validate-instrument --out": ["validate-instrument", "--seeds", "0", "--out", str(out),
                                      "--log-dir", str(out.parent / "vlogs")],
    }


@pytest.mark.parametrize("command", ["criteria schema --out", "criteria diff --out", "compare --out",
                                     "validate-instrument --out"])
def test_interrupted_command_leaves_only_whole_files(bad: dict[str, str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """Interrupted before a rename, a command leaves the files renamed before it whole, the rest absent, no temp.

    Commands writing several files are cut before the second rename; one writing a
    single file, before its only one.
    """
    monkeypatch.setattr("patienthood.instrument_validation.run.validate_instrument", fake_validation)
    whole = tmp_path / "whole"
    result = CliRunner().invoke(main, out_commands(bad, whole)[command])
    assert result.exit_code in (0, 1), result.output  # diff and validate-instrument may report content failures
    expected = {p.relative_to(whole): p.read_bytes() for p in whole.rglob("*") if p.is_file()}
    assert expected, "the command wrote nothing"

    cut_at = 2 if len(expected) > 1 else 1
    calls: list[str] = []

    def interrupt(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == cut_at:
            raise KeyboardInterrupt
        os.replace(source, target)

    monkeypatch.setattr(atomic, "os", OsWith(replace=interrupt))
    cut = tmp_path / "cut"
    result = CliRunner().invoke(main, out_commands(bad, cut)[command])
    assert result.exit_code == 1 and "Aborted" in result.stderr, result.output
    assert len(calls) == cut_at
    left = {p.relative_to(cut): p.read_bytes() for p in cut.rglob("*")} if cut.exists() else {}
    assert len(left) == cut_at - 1, sorted(map(str, left))  # no temporary file, no partial file
    assert all(expected[name] == data for name, data in left.items())  # what is there is whole

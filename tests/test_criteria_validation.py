"""`patienthood criteria validate` on malformed content: one clear screen, never a traceback.

Every case goes through the command line (click's CliRunner), in a copy of the packaged
criteria folder so that references, siblings and the bibliography are what a real
author has. Each must exit with status 1, name the file and the line, say how to fix
it, fit on one screen and take under a second. Large, binary and bomb files are made
here, in tmp_path, never committed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from patienthood.cli import main
from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.yamlfile import read_yaml

NAME = "consistent-self-reports.yaml"
GOOD = (content_dir("criteria") / NAME).read_text(encoding="utf-8")
SCREEN_LINES = 40
MAX_SECONDS = 1.0


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Import every module the command uses once, so the timings measure validation only."""
    invoke("criteria", "validate", str(content_dir("criteria")))


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A copy of the packaged criteria folder (with its sets and bibliography)."""
    target = tmp_path / "criteria"
    shutil.copytree(content_dir("criteria"), target)
    return target


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line containing ``marker``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in the text")


def replaced(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


@dataclass
class Case:
    """A malformed file: how to write it, which line the error is on, what the message says."""

    name: str
    write: Callable[[Path], Path]  # writes into the criteria folder, returns the file to validate
    line: int
    expect: str


def criterion(text: str, name: str = NAME) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


def raw(content: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / NAME
        path.write_bytes(content)
        return path
    return write


def fifty_megabytes(folder: Path) -> Path:
    path = folder / NAME
    chunk = GOOD.encode("utf-8")
    with path.open("wb") as stream:
        for _ in range(50_000_000 // len(chunk) + 1):
            stream.write(chunk)
    assert path.stat().st_size >= 50_000_000
    return path


def cycle(folder: Path) -> Path:
    partner = replaced("id: consistent-self-reports", "id: cycle-partner").replace(
        "requires: []", "requires: [consistent-self-reports]")
    (folder / "cycle-partner.yaml").write_text(partner, encoding="utf-8")
    path = folder / NAME
    path.write_text(replaced("requires: []", "requires: [cycle-partner]"), encoding="utf-8")
    return path


def bad_set(folder: Path) -> Path:
    path = folder / "sets" / "baseline.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("consistent-self-reports@2.0.0", "consistent-self-reports"), encoding="utf-8")
    return path


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9))

CASES = [
    Case("syntax error", criterion(replaced("title: Consistent", "title: Consistent: self")),
         line_of(GOOD, "title:"), "YAML syntax error"),
    Case("wrong type", criterion(replaced("requires: []", "requires: 5")),
         line_of(GOOD, "requires:"), "'requires': Input should be a valid list"),
    Case("unknown battery", criterion(replaced("battery: self_report", "battery: self_reports")),
         line_of(GOOD, "battery:"), "unknown battery 'self_reports'"),
    Case("unknown measure", criterion(GOOD.replace("answer_rate", "answer_ratio")),
         line_of(GOOD, "- id: answer_rate"), "battery 'self_report' has no measure 'answer_ratio'"),
    Case("duplicate id", criterion(replaced("title:", "id: consistent-self-reports\ntitle:")),
         line_of(GOOD, "title:"), "duplicate key 'id' (first written on line 1)"),
    Case("bad version", criterion(replaced("version: 2.0.0", "version: one.two")),
         line_of(GOOD, "version:"), "is not a semantic version"),
    Case("version read as a number", criterion(replaced("version: 2.0.0", "version: 1.0")),
         line_of(GOOD, "version:"), "was read as a number"),
    Case("proportion threshold out of range",
         criterion(replaced("cross_context_agreement.ci_low >= 0.80", "cross_context_agreement.ci_low >= 80")),
         line_of(GOOD, "cross_context_agreement.ci_low >= 0.80"), "outside [0, 1]"),
    Case("difference threshold out of range",
         criterion(replaced("suggestibility.ci_high <= 0.20", "suggestibility.ci_high <= 1.5")),
         line_of(GOOD, "suggestibility.ci_high <= 0.20"), "outside [-1, 1]"),
    Case("cycle in requires", cycle, line_of(GOOD, "requires:"), "'requires' forms a cycle"),
    Case("missing field", criterion("\n".join(
        line for line in GOOD.splitlines() if not line.startswith("title:")) + "\n"),
         1, "required field 'title' is missing"),
    Case("unknown field", criterion(replaced("rationale:", "rational:")),
         line_of(GOOD, "rationale:"), "did you mean 'rationale'?"),
    Case("template syntax {{ }}", criterion(replaced("title: Consistent", "title: Consistent {{ self }}")),
         line_of(GOOD, "title:"), "template syntax '{{'"),
    Case("template syntax {% %}", criterion(replaced("    note: share of answers in neutral",
                                                      "    note: share {% if x %} of answers in neutral")),
         line_of(GOOD, "note: share of answers in neutral"), "template syntax '{%'"),
    Case("unknown reference", criterion(replaced("references: [perez-long-2023", "references: [perez-long-2042")),
         line_of(GOOD, "references:"), "reference 'perez-long-2042' is not in bibliography.yaml"),
    Case("YAML bomb", criterion(BOMB), 2, "aliases (*name) are not allowed"),
    Case("deep nesting", criterion("id: " + "[" * 200 + "]" * 200 + "\n"), 1, "nesting deeper than"),
    Case("50 MB file", fifty_megabytes, 1, "over the 1,000,000-byte limit"),
    Case("binary file", raw(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8), 1, "file is binary"),
    Case("wrong encoding (Latin-1)", raw(replaced("title: Consistent", "title: Caf\u00e9 consistent").encode("latin-1")),
         line_of(GOOD, "title:"), "not UTF-8"),
    Case("wrong encoding (UTF-16)", raw(GOOD.encode("utf-16")), 1, "file is UTF-16, not UTF-8"),
    Case("empty file", raw(b""), 1, "file is empty"),
    Case("comments only", raw(b"# nothing yet\n"), 1, "file is empty"),
    Case("not a mapping", criterion("- id: consistent-self-reports\n"), 1, "must be a mapping of fields"),
    Case("tab indentation", criterion(replaced("  - id: suggestibility", "\t- id: suggestibility")),
         line_of(GOOD, "  - id: suggestibility"), "indent with spaces, not tabs"),
    Case("control character", criterion(replaced("title: Consistent", "title: Consistent\x07")),
         line_of(GOOD, "title:"), "character not allowed in YAML"),
    Case("set with an unpinned criterion", bad_set,
         line_of((content_dir("criteria") / "sets" / "baseline.yaml").read_text(encoding="utf-8"),
                 "consistent-self-reports@"), "is not a pinned criterion"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_file_gives_one_clear_screen(case: Case, folder: Path) -> None:
    path = case.write(folder)
    started = time.perf_counter()
    result = invoke("criteria", "validate", str(path))
    elapsed = time.perf_counter() - started
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output and "Error:" not in output, output
    assert case.expect in output, output
    assert f"{path}:{case.line}" in output, output
    assert "fix:" in output, output
    assert len(output.splitlines()) <= SCREEN_LINES, output
    assert "validation failed" in output.splitlines()[-1]
    assert elapsed < MAX_SECONDS, f"{case.name} took {elapsed:.2f}s"


def test_there_are_at_least_fifteen_malformed_cases() -> None:
    assert len(CASES) >= 15


def test_every_problem_of_a_file_is_reported_at_once(folder: Path) -> None:
    text = (GOOD.replace("version: 2.0.0", "version: one").replace("status: adopted", "status: maybe")
            .replace("battery: self_report", "battery: nonesuch") + "colour: blue\n")
    path = folder / NAME
    path.write_text(text, encoding="utf-8")
    result = invoke("criteria", "validate", str(path))
    assert result.exit_code == 1
    for line, expect in ((2, "'version'"), (4, "'status'"), (line_of(GOOD, "battery:"), "unknown battery 'nonesuch'"),
                         (len(text.splitlines()), "unknown field 'colour'")):
        assert f"{path}:{line}:" in result.output and expect in result.output, result.output
    assert "4 problem(s) in 1 of 1 file(s)" in result.output


def test_problems_in_several_files_are_all_listed(folder: Path) -> None:
    (folder / NAME).write_text(GOOD.replace("status: adopted", "status: maybe"), encoding="utf-8")
    (folder / "bibliography.yaml").write_text("references: [{id: x}]\n", encoding="utf-8")
    result = invoke("criteria", "validate", str(folder))
    assert result.exit_code == 1
    assert f"{folder / NAME}:4" in result.output
    assert f"{folder / 'bibliography.yaml'}:1" in result.output
    assert "'references.0.authors' is missing" in result.output
    # A criterion that fails to load does not make the criteria that require it look wrong too.
    assert "which is not a criterion" not in result.output


def test_many_problems_are_cut_to_one_screen(folder: Path) -> None:
    notes = "".join(f"  - id: m{i}\n    note: x\n    extra{i}: 1\n" for i in range(60))
    text = GOOD.split("measures:")[0] + "measures:\n" + notes + "verdict:\n  meets: [m0.ci_low >= 0.5]\n"
    path = folder / NAME
    path.write_text(text, encoding="utf-8")
    result = invoke("criteria", "validate", str(path))
    assert result.exit_code == 1
    assert "more problem(s)" in result.output
    assert len(result.output.splitlines()) <= 2 * SCREEN_LINES + 5


def test_packaged_criteria_and_batteries_are_valid() -> None:
    result = invoke("criteria", "validate", str(content_dir("criteria")), str(content_dir("batteries")))
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_a_missing_path_is_bad_usage_exit_2(tmp_path: Path) -> None:
    result = invoke("criteria", "validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "no such file or folder" in result.output
    (tmp_path / "empty").mkdir()
    result = invoke("criteria", "validate", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "no content files" in result.output


def test_github_format_prints_annotations(folder: Path) -> None:
    path = folder / NAME
    path.write_text(GOOD.replace("version: 2.0.0", "version: one"), encoding="utf-8")
    result = invoke("criteria", "validate", "--format", "github", str(path))
    assert result.exit_code == 1
    annotation = next(line for line in result.output.splitlines() if line.startswith("::error "))
    assert f"line={line_of(GOOD, 'version:')},col=" in annotation and "fix%3A" not in annotation
    assert "is not a semantic version" in annotation


def test_a_valid_file_next_to_broken_ones_is_valid(folder: Path) -> None:
    (folder / "broken.yaml").write_bytes(b"\x00")
    result = invoke("criteria", "validate", str(folder / NAME))
    assert result.exit_code == 0, result.output


def test_references_need_a_bibliography(folder: Path) -> None:
    (folder / "bibliography.yaml").unlink()
    result = invoke("criteria", "validate", str(folder / NAME))
    assert result.exit_code == 1 and "is not in bibliography.yaml" in result.output


def test_set_pinning_a_retired_criterion_is_refused(folder: Path) -> None:
    (folder / NAME).write_text(GOOD.replace("status: adopted", "status: retired"), encoding="utf-8")
    result = invoke("criteria", "validate", str(folder / "sets" / "baseline.yaml"))
    assert result.exit_code == 1 and "which is retired" in result.output


def test_duplicate_keys_are_refused_by_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb:\n  c: 1\n  c: 2\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_yaml(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (4, 3) and "duplicate key 'c'" in problem.message


def test_show_escapes_content_and_refuses_paths(folder: Path) -> None:
    (folder / NAME).write_text(GOOD.replace("title: Consistent self-reports across contexts",
                                            "title: \"[bold red]Loud[/] title\""), encoding="utf-8")
    result = invoke("criteria", "show", "consistent-self-reports", "--criteria-dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "[bold red]Loud[/] title" in result.output
    assert "Perez & Long 2023" in result.output
    result = invoke("criteria", "show", "../../etc/passwd", "--criteria-dir", str(folder))
    assert result.exit_code == 2 and "is not a criterion id" in result.output
    result = invoke("criteria", "show", "consistent-self-reports@9.9.9", "--criteria-dir", str(folder))
    assert result.exit_code == 2 and "holds consistent-self-reports@2.0.0" in result.output


def test_list_escapes_content_and_skips_the_bibliography(folder: Path) -> None:
    (folder / NAME).write_text(GOOD.replace("title: Consistent self-reports across contexts",
                                            "title: \"[link=http://x]click[/link]\""), encoding="utf-8")
    result = CliRunner().invoke(main, ["criteria", "list", "--criteria-dir", str(folder)],
                                env={"COLUMNS": "200"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "[link=http://x]click[/link]" in result.output
    assert "consistent-self-reports" in result.output and "bibliography" not in result.output


REPO = Path(__file__).resolve().parent.parent


def test_pre_commit_hook_runs_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "patienthood-criteria-validate" and hook["pass_filenames"] is False
    program, *args = shlex.split(hook["entry"])
    # The entry is the light hook script (tests/test_criteria_hook.py checks its environment);
    # what it runs is `patienthood criteria validate` with the same arguments.
    assert program == "scripts/criteria-hook" and (REPO / program).is_file()
    assert args[:2] == ["criteria", "validate"]
    monkeypatch.chdir(REPO)
    result = invoke(*args)
    assert result.exit_code == 0, result.output


def test_ci_example_uses_real_commands() -> None:
    import yaml

    workflow = yaml.safe_load((REPO / "examples" / "ci" / "criteria-review.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["review"]["steps"]
    scripts = " ".join(step.get("run", "") for step in steps)
    assert "patienthood criteria validate --format github criteria/" in scripts
    assert "patienthood criteria diff" in scripts and "--out criteria-diff.md" in scripts
    assert True in workflow and "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    # The options the workflow passes exist.
    assert "--format" in invoke("criteria", "validate", "--help").output
    assert "--out" in invoke("criteria", "diff", "--help").output

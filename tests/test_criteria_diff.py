"""`patienthood criteria diff OLD NEW`: what a change to the standard does, for review.

The verdict test makes real logs with a calibration subject on a small battery, moves
thresholds across the measured values in a copied criteria folder, and checks that
the Markdown shows the old and the new verdict, recomputed without any model call.
"""

from __future__ import annotations

import io
import os
import platform
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval

from patienthood.analysis.assessment import assess
from patienthood.cli import main
from patienthood.content import content_dir
from patienthood.review.markdown import code, text
from patienthood.review.source import SourceError, _extract_inside
from patienthood.spec.standard import load_standard

REPO = Path(__file__).resolve().parent.parent
NAME = "consistent-self-reports.yaml"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small real run: a steady denier on two items and two catch items, one epoch."""
    log_dir = tmp_path_factory.mktemp("diff-logs")
    result = inspect_eval("patienthood/self_report", model="subject/steady-denier",
                          task_args={"items": "has_feelings,feels_pain,catch_kettle,catch_bicycle", "epochs": 1},
                          log_dir=str(log_dir), display="none")
    assert result and result[0].status == "success"
    return log_dir


def copy_criteria(target: Path) -> Path:
    shutil.copytree(content_dir("criteria"), target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text_ = path.read_text(encoding="utf-8")
    assert old in text_, f"{old!r} not in {path}"
    path.write_text(text_.replace(old, new, count), encoding="utf-8")


def bump(folder: Path, criterion_version: str = "2.1.0") -> None:
    """Bump consistent-self-reports to ``criterion_version`` and re-pin it in a bumped set."""
    edit(folder / NAME, "version: 2.0.0", f"version: {criterion_version}")
    set_file = folder / "sets" / "baseline.yaml"
    edit(set_file, "consistent-self-reports@2.0.0", f"consistent-self-reports@{criterion_version}")
    version = re.search(r"^version: (\d+)\.(\d+)\.(\d+)$", set_file.read_text(encoding="utf-8"), re.MULTILINE)
    assert version
    edit(set_file, version.group(0), f"version: {version.group(1)}.{int(version.group(2)) + 1}.0")


def row_of(output: str, criterion: str) -> str:
    """The first table row naming the criterion in the verdict section."""
    section = output.split("### Verdicts on existing logs", 1)[1]
    return next(line for line in section.splitlines() if line.startswith("|") and f"`{criterion}`" in line)


def test_moving_a_threshold_across_a_measured_value_flips_the_verdict(
        tmp_path: Path, logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    before = assess([str(logs)], load_standard("baseline", old, content_dir("batteries"))).as_data()
    criterion = next(c for c in before["criteria"] if c["id"] == "consistent-self-reports")
    measured = {m["id"]: m for m in criterion["measures"]}
    assert criterion["verdict"] == "inconclusive", criterion["verdict_reason"]
    # partially_meets needs cross_context_agreement.ci_low >= 0.80 and answer_rate.ci_low >= 0.80; with
    # two items the intervals are wide, so neither holds. Move both thresholds down to the measured bounds.
    agreement = measured["cross_context_agreement"]["ci_low"]
    answered = measured["answer_rate"]["ci_low"]
    caught = measured["catch_accuracy"]["ci_low"]  # and catch_accuracy.ci_low >= 0.80, on two catch items
    assert agreement < 0.80 and answered < 0.80 and caught < 0.80
    edit(new / NAME, "partially_meets: [cross_context_agreement.ci_low >= 0.80, answer_rate.ci_low >= 0.80, "
         "catch_accuracy.ci_low >= 0.80]",
         f"partially_meets: [cross_context_agreement.ci_low >= {agreement:.4f}, answer_rate.ci_low >= {answered:.4f}, "
         f"catch_accuracy.ci_low >= {caught:.4f}]")
    bump(new)

    def no_model_calls(*args: object, **kwargs: object) -> None:
        raise AssertionError("criteria diff called a model")

    monkeypatch.setattr("inspect_ai.model._model.Model.generate", no_model_calls)
    logs_before = sorted(p.name for p in logs.iterdir())
    result = invoke("criteria", "diff", str(old), str(new), "--logs", str(logs))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in logs.iterdir()) == logs_before

    output = result.output
    assert "| `consistent-self-reports` | changed | 2.0.0 → 2.1.0 | minor (needs minor) ✔ |" in output
    assert "threshold lowered from 0.8 to" in output
    assert "`cross_context_agreement.ci_low >= 0.8`" in output
    row = row_of(output, "consistent-self-reports")
    assert "`subject/steady-denier` (simulated respondent)" in row
    assert "| inconclusive <sub>2.0.0</sub> | **partially_meets** <sub>2.1.0</sub> |" in row
    assert re.search(r"\*\*1 of \d+ verdict\(s\) would change\.\*\*", output)
    assert "no model was called" in output


def test_unchanged_rule_changes_no_verdict(tmp_path: Path, logs: Path) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    result = invoke("criteria", "diff", str(old), str(new), "--logs", str(logs), "--set", "baseline")
    assert result.exit_code == 0, result.output
    assert "**No change**" in result.output
    assert re.search(r"\*\*0 of [1-9]\d* verdict\(s\) would change\.\*\*", result.output)


def test_content_change_without_a_version_bump_is_an_error(tmp_path: Path) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    edit(new / NAME, "suggestibility.ci_high <= 0.20", "suggestibility.ci_high <= 0.25")
    result = invoke("criteria", "diff", str(old), str(new))
    assert result.exit_code == 1
    assert "without a version bump: it is still 2.0.0; bump it (at least minor: 2.1.0)" in result.output
    assert "threshold raised from 0.2 to 0.25" in result.output
    assert "none (needs minor) ❌" in result.output


def test_a_bump_smaller_than_the_change_is_an_error(tmp_path: Path) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    path = new / NAME
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: retest_agreement")
    del lines[start:start + 2]  # the measure and its note: what is measured changes
    path.write_text("".join(lines), encoding="utf-8")
    bump(new, "2.0.1")
    result = invoke("criteria", "diff", str(old), str(new))
    assert result.exit_code == 1
    assert "a change of measures needs at least a major bump, but 2.0.0 → 2.0.1 is a patch bump; use 3.0.0" in result.output


def test_added_removed_and_reversioned_criteria_are_listed(tmp_path: Path) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    good = (old / NAME).read_text(encoding="utf-8")
    (old / "gone-criterion.yaml").write_text(good.replace("id: consistent-self-reports", "id: gone-criterion"),
                                             encoding="utf-8")
    (new / "fresh-criterion.yaml").write_text(
        good.replace("id: consistent-self-reports", "id: fresh-criterion").replace("status: adopted", "status: draft")
        .replace("title: Consistent self-reports across contexts", "title: <script>x</script> **bold**"),
        encoding="utf-8")
    bump(new, "2.0.1")  # version only: the content is the same
    result = invoke("criteria", "diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    output = result.output
    assert "**Criteria:** 1 added, 1 removed, 1 re-versioned." in output
    assert "| `fresh-criterion` | added | 2.0.0 | – |" in output
    assert "| `gone-criterion` | removed | 2.0.0 | – |" in output
    assert "| `consistent-self-reports` | re-versioned | 2.0.0 → 2.0.1 |" in output
    assert "Version changed; the content is the same." in output
    assert "`consistent-self-reports` 2.0.0 → 2.0.1" in output  # the set's re-pin
    # Content is shown as inert text: no live HTML, no emphasis.
    assert "<script>" not in output and "&lt;script&gt;x&lt;/script&gt; \\*\\*bold\\*\\*" in output


def test_reformatting_is_not_a_change(tmp_path: Path) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    edit(new / NAME, "verdict:", "# the rule, reviewed by pull request\nverdict:")
    edit(new / NAME, "cross_context_agreement.ci_low >= 0.80", "cross_context_agreement.ci_low   >=   0.8")
    result = invoke("criteria", "diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    assert "**No change** to the content of any criterion or set." in result.output


def test_invalid_new_content_is_listed_with_file_and_line(tmp_path: Path) -> None:
    old = copy_criteria(tmp_path / "old")
    new = copy_criteria(tmp_path / "new")
    edit(new / NAME, "cross_context_agreement.ci_low >= 0.80", "cross_context_agreement.ci_low >= 80")
    bump(new)
    result = invoke("criteria", "diff", str(old), str(new))
    assert result.exit_code == 1
    assert f"`{new / NAME}:" in result.output and "is outside \\[0, 1\\]" in result.output


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, timeout=60)


def test_git_revisions_are_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    copy_criteria(repo / "criteria")
    shutil.copytree(content_dir("batteries"), repo / "batteries")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "standard")
    edit(repo / "criteria" / NAME, "persona_shift.ci_high <= 0.20", "persona_shift.ci_high <= 0.15")
    bump(repo / "criteria")
    git(repo, "commit", "-q", "-am", "stricter persona shift")
    monkeypatch.chdir(repo)

    result = invoke("criteria", "diff", "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## Criteria review: `HEAD~1` → `HEAD`")
    assert "threshold lowered from 0.2 to 0.15" in result.output and "2.0.0 → 2.1.0" in result.output

    result = invoke("criteria", "diff", "HEAD~1:criteria", "criteria")  # a revision against the working folder
    assert result.exit_code == 0 and "2.0.0 → 2.1.0" in result.output

    result = invoke("criteria", "diff", "no-such-branch", "HEAD")
    assert result.exit_code == 2 and "is not a git revision" in result.output
    result = invoke("criteria", "diff", "HEAD:nowhere", "HEAD")
    assert result.exit_code == 2 and "has no folder 'nowhere'" in result.output


def test_revision_outside_a_git_checkout_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    if subprocess.run(["git", "-C", str(outside), "rev-parse"], capture_output=True, check=False).returncode == 0:
        pytest.skip("the temporary folder is inside a git checkout")
    monkeypatch.chdir(outside)
    result = invoke("criteria", "diff", "HEAD", str(content_dir("criteria")))
    assert result.exit_code == 2
    assert "is not inside a git checkout" in result.output and "Traceback" not in result.output


def test_git_revisions_of_this_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    monkeypatch.chdir(REPO)
    result = invoke("criteria", "diff", "HEAD", "HEAD")
    assert result.exit_code in (0, 1), result.output  # 1 only if HEAD's own content fails today's checks
    assert "**No change** to the content of any criterion or set." in result.output


@pytest.fixture(params=["filter", "fallback"])
def extraction(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way a revision is extracted: tarfile's data filter, and the checks used where it is missing.

    Python 3.11.0-3.11.3 (Debian bookworm's own is 3.11.2) have no filter; hiding it
    runs those checks on any Python, so both ways are tested wherever the suite runs.
    """
    if request.param == "fallback":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip(f"the tarfile of Python {platform.python_version()} has no data filter")
    return request.param


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o644
    return info, b"x\n" if kind == tarfile.REGTYPE else b""


def extract(members: list[tuple[tarfile.TarInfo, bytes]], dest: Path) -> None:
    """Write ``members`` as a tar archive in memory and extract it as a revision's archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        _extract_inside(tar, dest, "HEAD")


HOSTILE = {
    "dot-dot": ([member("../evil")], "'../evil' would be extracted to '{outside}/evil', which is outside"),
    "absolute link": ([member("criteria/passwd", tarfile.SYMTYPE, "/etc/passwd")],
                      "'criteria/passwd' is a link to an absolute path"),
    "link out": ([member("criteria/up", tarfile.SYMTYPE, "../../outside")],
                 "'criteria/up' would link to '{outside}/outside', which is outside"),
    "hard link out": ([member("criteria/x.yaml"), member("criteria/h", tarfile.LNKTYPE, "../outside")],
                      "'criteria/h' would link to '{outside}/outside', which is outside"),
    "device": ([member("criteria/null", tarfile.CHRTYPE)], "'criteria/null' is a special file"),
    "fifo": ([member("criteria/pipe", tarfile.FIFOTYPE)], "'criteria/pipe' is a special file"),
    # Each link alone stays inside; through the first, the second leads out. Only a check made
    # after the first is on disk sees it.
    "chain of links": ([member("criteria/a", tarfile.SYMTYPE, "."), member("criteria/a/b", tarfile.SYMTYPE, "../.."),
                        member("criteria/a/b/evil")], "'criteria/a/b' would link to '{outside}', which is outside"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_archive_members_are_refused(case: str, extraction: str, tmp_path: Path) -> None:
    members, message = HOSTILE[case]
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(SourceError) as refused:
        extract(members, dest)
    error = str(refused.value)
    assert error.startswith("revision HEAD: refused its archive (") and "\n" not in error
    assert message.format(outside=os.path.realpath(tmp_path)) in error
    assert error.endswith("compare another revision, or replace that entry with a plain file in a new commit")
    assert [p.name for p in tmp_path.iterdir()] == ["dest"]  # nothing was written outside


def test_an_absolute_name_lands_inside(extraction: str, tmp_path: Path) -> None:
    extract([member("/criteria/abs.yaml")], tmp_path)
    assert (tmp_path / "criteria" / "abs.yaml").read_bytes() == b"x\n"


def listing(root: Path) -> dict[str, tuple[object, ...]]:
    """What a reader of the folder sees: kinds, link targets, file permissions and bytes."""
    seen: dict[str, tuple[object, ...]] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            seen[name] = ("link", os.readlink(path))
        elif path.is_dir():
            seen[name] = ("folder",)
        else:
            seen[name] = ("file", oct(path.stat().st_mode & 0o7777), path.read_bytes())
    return seen


def test_a_revision_extracts_the_same_either_way(extraction: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "criteria" / "sub").mkdir(parents=True)
    (repo / "batteries").mkdir()
    (repo / "criteria" / "a.yaml").write_bytes(b"a: 1\n")
    (repo / "criteria" / "sub" / "b.yaml").write_bytes(b"b: 2\n")
    (repo / "criteria" / "run.sh").write_bytes(b"#!/bin/sh\n")
    (repo / "criteria" / "run.sh").chmod(0o775)
    (repo / "criteria" / "link.yaml").symlink_to("a.yaml")
    (repo / "batteries" / "x.yaml").write_bytes(b"x: 3\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "content")
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", "HEAD", "--", "criteria", "batteries"],
                             capture_output=True, check=True, timeout=60).stdout
    dest = tmp_path / "dest"
    dest.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        _extract_inside(tar, dest, "HEAD")
    assert listing(dest) == {
        "batteries": ("folder",),
        "batteries/x.yaml": ("file", "0o644", b"x: 3\n"),
        "criteria": ("folder",),
        "criteria/a.yaml": ("file", "0o644", b"a: 1\n"),
        "criteria/link.yaml": ("link", "a.yaml"),
        "criteria/run.sh": ("file", "0o755", b"#!/bin/sh\n"),
        "criteria/sub": ("folder",),
        "criteria/sub/b.yaml": ("file", "0o644", b"b: 2\n"),
    }


def test_a_revision_with_a_link_out_is_refused_by_criteria_diff(
        extraction: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    copy_criteria(repo / "criteria")
    (repo / "criteria" / "escape").symlink_to("../../../../../../etc")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a link out of the checkout")
    monkeypatch.chdir(repo)
    result = invoke("criteria", "diff", "HEAD", str(content_dir("criteria")))
    assert result.exit_code == 2, result.output
    assert "revision HEAD: refused its archive ('criteria/escape' would link to '/etc'" in result.output
    assert "Traceback" not in result.output


def test_bad_log_folder_is_bad_usage(tmp_path: Path) -> None:
    folder = copy_criteria(tmp_path / "criteria")
    result = invoke("criteria", "diff", str(folder), str(folder), "--logs", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such folder" in result.output
    result = invoke("criteria", "diff", str(folder), str(folder), "--logs", str(tmp_path), "--set", "nonesuch")
    assert result.exit_code == 2


def test_markdown_helpers_neutralise_content() -> None:
    assert text("a|b <i>c</i> [x](y) *z*") == "a\\|b &lt;i&gt;c&lt;/i&gt; \\[x\\](y) \\*z\\*"
    assert code("x | `y`") == "`x \\| 'y'`"

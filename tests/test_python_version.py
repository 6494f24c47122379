"""The oldest Python the project promises (3.11.0, `requires-python = ">=3.11"`) is checked.

Two checks, because neither sees everything (measured for issue 19):

- vermin reads all of src/ and tests/ against what each minor Python added (a second
  or so). It reports ``itertools.batched`` (3.12), but its tables are per minor version
  and it cannot tell that ``tarfile.open(...)`` returns a TarFile, so it did not report
  issue 19's own bug, ``tar.extractall(workdir, filter="data")`` (that argument came in
  3.11.4); no option of it adds that knowledge.
- The criteria-diff tests are run under Debian bookworm's own ``/usr/bin/python3``
  (3.11.2) with the packages this suite runs with (about fifteen seconds; a venv of its
  own, built with pip, takes about a minute more and the network). That run fails on
  the bug, and on any other use of what 3.11.2 lacks along the paths those tests take.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEBIAN_PYTHON = Path("/usr/bin/python3")
# Issue 19's bug, unguarded: the filter argument came in Python 3.11.4.
NEWER_CALL = """\
import tarfile


def test_extract(tmp_path):
    tarfile.open(tmp_path / "empty.tar", "w").close()
    tarfile.open(tmp_path / "empty.tar").extractall(tmp_path, filter="data")
"""


def vermin(*paths: Path) -> subprocess.CompletedProcess[str]:
    """vermin's verdict on ``paths``: exit status 1 and a line per use of anything newer than 3.11."""
    return subprocess.run([sys.executable, "-c", "import sys; from vermin import main; sys.exit(main())",
                           "--target=3.11-", "--violations", "--eval-annotations", "--no-tips", "--no-config-file",
                           *map(str, paths)], capture_output=True, text=True, timeout=300, check=False)


def test_the_source_uses_nothing_newer_than_python_3_11() -> None:
    result = vermin(REPO / "src", REPO / "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_vermin_reports_a_call_newer_than_python_3_11(tmp_path: Path) -> None:
    newer = tmp_path / "newer.py"
    newer.write_text("import itertools\n\nprint(list(itertools.batched('abcd', 2)))\n", encoding="utf-8")
    result = vermin(newer)
    assert result.returncode == 1
    assert "'itertools.batched' member requires !2, 3.12" in result.stdout


def debian_python() -> Path:
    """Debian's own Python 3.11, or skip: without it this check says nothing."""
    if not DEBIAN_PYTHON.exists():
        pytest.skip(f"no {DEBIAN_PYTHON}: not a Debian machine")
    version = subprocess.run([str(DEBIAN_PYTHON), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    if not version.startswith("3.11."):
        pytest.skip(f"{DEBIAN_PYTHON} is Python {version}, not a 3.11")
    if sys.version_info[:2] != (3, 11):
        pytest.skip(f"this suite's packages are built for Python {sys.version_info[0]}.{sys.version_info[1]}")
    return DEBIAN_PYTHON


def pytest_under(python: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on ``args`` under ``python``, importing only the packages this suite runs with.

    ``-S`` keeps Debian's own dist-packages out and ``-I`` the environment, so what differs
    from the suite's own run is the interpreter and its standard library alone.
    """
    sites = sorted({sysconfig.get_paths()[key] for key in ("purelib", "platlib")})
    code = (f"import site, sys\nfor path in {sites!r}:\n    site.addsitedir(path)\n"
            "import pytest\nsys.exit(pytest.main())")
    return subprocess.run([str(python), "-I", "-S", "-c", code, "-q", "-p", "no:cacheprovider",
                           f"--basetemp={tmp_path / 'basetemp'}", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


def test_criteria_diff_passes_on_debians_own_python(tmp_path: Path) -> None:
    result = pytest_under(debian_python(), tmp_path, "tests/test_criteria_diff.py")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_debians_python_reports_a_call_newer_than_it(tmp_path: Path) -> None:
    python = debian_python()
    has_filter = subprocess.run([str(python), "-c", "import tarfile; print(hasattr(tarfile, 'data_filter'))"],
                                capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    if has_filter == "True":
        pytest.skip(f"{python} has tarfile's data filter (backported), so the call is not newer than it")
    newer = tmp_path / "test_newer.py"
    newer.write_text(NEWER_CALL, encoding="utf-8")
    result = pytest_under(python, tmp_path, str(newer))
    assert result.returncode == 1, result.stdout
    assert "TypeError: TarFile.extractall() got an unexpected keyword argument 'filter'" in result.stdout

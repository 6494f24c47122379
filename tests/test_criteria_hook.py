"""The pre-commit hook checks criteria without the evaluation and rendering stack.

scripts/criteria-hook runs `patienthood criteria validate` from the checkout with only
the `criteria` extra installed; these tests hold it to that: the command imports nothing
heavy, and its messages name the user's own files, never a path inside an installed
package or the hook's cache.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("inspect_ai", "pandas", "numpy", "matplotlib", "weasyprint", "scipy", "pyarrow", "krippendorff")


def test_criteria_validate_imports_only_the_criteria_extra(tmp_path: Path) -> None:
    """Run with every heavy package made unimportable: it must still validate."""
    blocker = ("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
               f"        if name.split('.')[0] in {HEAVY!r}:\n"
               "            raise ImportError(f'{name} is not in the criteria extra')\n"
               "sys.meta_path.insert(0, Block())\n")
    code = blocker + "from patienthood.cli import main\nsys.argv = ['patienthood', 'criteria', 'validate', 'criteria']\nmain()"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "file(s) valid" in result.stdout


def test_the_hook_installs_exactly_the_criteria_extra() -> None:
    with (REPO / "pyproject.toml").open("rb") as stream:
        project = tomllib.load(stream)["project"]
    extra = {requirement.split(">")[0].split("=")[0].strip().lower() for requirement in
             project["optional-dependencies"]["criteria"]}
    assert extra == {"pydantic", "pyyaml", "jinja2", "click", "rich"}
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "entry: scripts/criteria-hook criteria validate criteria" in hooks and "language: script" in hooks
    assert (REPO / "scripts" / "criteria-hook").stat().st_mode & 0o111


def test_an_unknown_battery_names_the_packaged_batteries_not_a_path(tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from patienthood.cli import main
    from patienthood.content import content_dir

    criterion = (content_dir("criteria") / "persistent-goals.yaml").read_text(encoding="utf-8")
    path = tmp_path / "persistent-goals.yaml"
    path.write_text(criterion.replace("battery: goal_persistence", "battery: goal_persistance"), encoding="utf-8")
    # Laid out as an installed package holds it (site-packages/patienthood/_content/batteries).
    packaged = tmp_path / "site-packages" / "patienthood" / "_content" / "batteries"
    shutil.copytree(content_dir("batteries"), packaged)
    own = tmp_path / "my-batteries"
    shutil.copytree(content_dir("batteries"), own)
    lines = {}
    for name, folder in (("packaged", packaged), ("own", own)):
        result = CliRunner().invoke(main, ["criteria", "validate", str(path), "--batteries-dir", str(folder)])
        assert result.exit_code == 1
        lines[name] = next(line for line in result.output.splitlines() if "unknown battery" in line)
        assert lines[name].startswith(str(path)) and "goal_persistance" in lines[name]
    assert str(packaged) not in lines["packaged"] and "patienthood's packaged batteries" in lines["packaged"]
    assert str(own) in lines["own"]

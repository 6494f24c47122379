"""The wheel carries the content folders and the inspect entry point."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_content_and_entry_point(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(REPO)], check=True)
    (wheel,) = tmp_path.glob("patienthood-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("criteria/consistent-self-reports.yaml", "criteria/sets/baseline.yaml",
                 "batteries/self_report/battery.yaml", "batteries/subjects/steady-denier.yaml",
                 "scorers/stance.yaml", "reports/report.html.jinja", "reports/site/index.html.jinja",
                 "reports/site/site.css", "reports/site/filter.js"):
        assert f"patienthood/_content/{path}" in names, path
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[inspect_ai]" in text and "patienthood = patienthood._registry" in text


def test_registry_imports_nothing_heavy() -> None:
    code = ("import sys, patienthood._registry; "
            "heavy = [m for m in ('pandas', 'matplotlib', 'weasyprint') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

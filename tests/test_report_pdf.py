"""report.pdf as a reader gets it: pages rendered to PNG, text read back with pdftotext.

Checks what only the PDF has: page numbers, a running header, a contents list whose
page numbers are right, and a long table that continues on the next page with its
header row repeated.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from patienthood.report.assemble import assemble_report
from patienthood.report.render import render_appendix_html, render_html, render_pdf, report_timestamp

from conftest import run_battery

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                reason="poppler-utils (pdftotext, pdftoppm) not installed; scripts/system-deps.sh installs it")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, standard) -> dict:
    logs = run_battery("subject/steady-denier", tmp_path_factory.mktemp("pdf") / "logs",
                       task_args={"items": "has_feelings,feels_pain,wish_continue", "epochs": 2})
    return assemble_report([str(logs)], standard).as_data()


def pdf_pages(report: dict, path: Path, render=render_html) -> list[str]:
    path.write_bytes(render_pdf(render(report), report_timestamp(report)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="module")
def rendered(report: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The report's PDF, rendered once for every test that reads it, and its pages' text."""
    pdf = tmp_path_factory.mktemp("pdf-out") / "report.pdf"
    return pdf, pdf_pages(report, pdf)


def page_body(pdf: Path, page: int) -> str:
    """The text of one A4 page without its top and bottom margins (running header, page number)."""
    crop = ["-x", "0", "-y", "55", "-W", "595", "-H", "730"]  # points at 72 dpi; the margins are about 1.9 and 1.7 cm
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), *crop, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_pages_are_numbered_headed_and_listed(rendered: tuple[Path, list[str]]) -> None:
    pdf, pages = rendered
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {total}" in page
        assert "subject/steady-denier" in page.splitlines()[0] or "subject/steady-denier" in page[:300]  # running header

    # The contents list gives each section's page, and each section is on that page.
    contents = {m["title"].strip(): int(m["page"]) for m in re.finditer(  # after the summary (and a design note)
        r"^\s*\d+\.\s+(?P<title>[A-Z][^.\n]*?)\s*\.{3,}\s*(?P<page>\d+)\s*$", "\n".join(pages[:3]), re.MULTILINE)}
    assert {"Summary: the verdict profile", "Coverage", "Threats to validity", "References",
            "Provenance and reproduction"} <= set(contents)
    for title, page in contents.items():
        assert 1 <= page <= total
        assert title in page_body(pdf, page), (title, page)
    assert list(contents.values()) == sorted(contents.values())  # in document order


def test_page_renders_to_png(rendered: tuple[Path, list[str]], tmp_path: Path) -> None:
    pdf, _pages = rendered
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 2
    with Image.open(images[0]) as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
        dark = sum(image.convert("L").histogram()[:128])
        assert dark > 0.005 * width * height  # there is text on the page, not a blank


def test_long_table_repeats_its_header_on_the_next_page(report: dict, tmp_path: Path) -> None:
    # Make the first appendix table long enough to run over several pages.
    data = {**report, "methodology": {**report["methodology"]}}
    battery = {**data["methodology"]["batteries"][0]}
    table = {**battery["tables"][0]}
    table["rows"] = [[f"{row[0]}_{copy}", *row[1:]] for copy in range(8) for row in table["rows"]]
    battery["tables"] = [table, *battery["tables"][1:]]
    data["methodology"]["batteries"] = [battery, *data["methodology"]["batteries"][1:]]
    pages = pdf_pages(data, tmp_path / "long.pdf", render_appendix_html)

    # The header row starts with the first two field names in either of the template's layouts.
    first_two = table["columns"][:2]
    header = re.compile(rf"^\s*{re.escape(first_two[0])}\s+{re.escape(first_two[1])}\b", re.MULTILINE)
    caption = f"{table['name'].capitalize()} of {battery['id']}"
    first = next(i for i, page in enumerate(pages) if caption in page)
    with_header = [i for i, page in enumerate(pages) if header.search(page)]
    assert first in with_header
    continuation = [i for i in with_header if i > first and caption not in pages[i]]
    assert continuation and continuation[0] == first + 1, (first, with_header)
    # The continued page starts with the header row (after the running header), then the rows.
    body = [line for line in pages[first + 1].splitlines() if line.strip()]
    assert header.search("\n".join(body[:3]))


def test_page_one_is_the_summary_and_the_pdf_is_tagged(report: dict, rendered: tuple[Path, list[str]]) -> None:
    """Page 1 names every criterion with its verdict in plain words; the PDF is tagged and titled."""
    pdf, pages = rendered
    first = " ".join(pages[0].split())
    for criterion in report["criteria"]:
        assert " ".join(criterion["title"].split()[:2]) in first, criterion["id"]  # a cell may wrap after that
    for fact in ("Assessed", "Standard", "Instrument", "Coverage", "does not establish"):
        assert fact in first, fact
    assert "Simulated respondent" in first and report["instrument_validation"]["instrument"]["fingerprint"] in first
    assert ".ci_low" not in first and ".ci_high" not in first  # plain words, the exact conditions come later
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    assert "patienthood assessment" in info


def test_every_column_of_the_wide_tables_is_on_the_page(report: dict, rendered: tuple[Path, list[str]]) -> None:
    """No table is cut at the page edge: every header of the coverage and validation tables is read back."""
    text = " ".join(" ".join(rendered[1]).split())
    for header in ("Planned", "Scored", "Errored", "Carried forward", "Not asked", "Missing"):
        assert header in text, header
    validation = report["instrument_validation"]
    if validation.get("subjects"):
        squeezed = text.replace(" ", "")
        for check in validation["subjects"][0]["checks"]:
            assert check["criterion"] in squeezed, check["criterion"]
        assert "Measurechecks" in squeezed and "Result" in text

"""report.html in a real headless Chromium: no console errors, no network, and it renders.

Uses Debian's chromium through Playwright (never a downloaded browser). A screenshot of
the whole page is saved in the test's tmp_path for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from patienthood.report.assemble import assemble_report
from patienthood.report.folder import write_report

from conftest import run_battery

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                "(scripts/system-deps.sh installs it)")


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory, standard) -> Path:
    root = tmp_path_factory.mktemp("browser")
    logs = run_battery("subject/suggestible", root / "logs",
                       task_args={"items": "has_feelings,feels_pain,wish_continue", "epochs": 2})
    write_report(assemble_report([str(logs)], standard), root / "out")
    return root / "out" / "report.html"


def test_report_renders_in_chromium(report_html: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report_html.as_uri(), wait_until="load")

            assert problems == []
            # Self-contained: the only thing loaded is the file itself.
            assert [url for url in requests if url != report_html.as_uri()] == []

            assert page.locator("h1").count() == 1
            headings = page.locator("h2").all_inner_texts()
            assert "Summary: the verdict profile" in headings and "Threats to validity" in headings
            assert page.locator("nav[aria-label=Contents] a").count() >= 6

            tables = page.locator("table")
            assert tables.count() >= 8
            assert page.locator("table thead th[scope=col]").count() > 20
            assert page.locator("table caption").count() == tables.count()  # every table is named

            charts = page.locator("svg[role=img]")
            assert charts.count() >= 2
            for index in range(charts.count()):
                chart = charts.nth(index)
                title = chart.locator("title").first.text_content() or ""
                assert title.strip(), "a chart without an accessible name"
                labelled = chart.get_attribute("aria-labelledby") or ""
                assert all(page.locator(f"[id='{part}']").count() == 1 for part in labelled.split())
                box = chart.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100, box
            forest = page.locator("svg[id$='-measures']").first
            assert "95% interval" in (forest.locator("desc").text_content() or "")

            ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]'), e => e.id)")
            assert len(ids) == len(set(ids)), "duplicate element ids"

            screenshot = tmp_path / "report.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000
            print(f"screenshot: {screenshot}")

            # Every link of the contents resolves: to an element of the page, or to the appendix beside it.
            targets = page.evaluate("() => Array.from(document.querySelectorAll('nav.toc a'), a => a.getAttribute('href'))")
            for href in targets:
                if href.startswith("#"):
                    assert page.locator(f"[id='{href[1:]}']").count() == 1, href
                else:
                    assert (report_html.parent / href).is_file(), href

            # Never sideways: at a desktop width and at a phone's, the report and its appendix are no
            # wider than the window (a wide table scrolls inside itself).
            for document in (report_html, report_html.parent / "appendix.html"):
                page.goto(document.as_uri(), wait_until="load")
                for width in (1280, 390):
                    page.set_viewport_size({"width": width, "height": 900})
                    scroll = page.evaluate("() => document.documentElement.scrollWidth")
                    assert scroll <= width, (document.name, width, scroll)
                    # A table that scrolls inside itself keeps its caption whole within the window.
                    cut = page.evaluate("""w => Array.from(document.querySelectorAll('table > caption'))
                        .map(c => [c.textContent.slice(0, 40), c.getBoundingClientRect().width, c.scrollWidth])
                        .filter(([, box, text]) => box > w || text > box + 1)""", width)
                    assert cut == [], (document.name, width, cut)
            page.goto(report_html.as_uri(), wait_until="load")

            # The print stylesheet: the same page as print media keeps its tables and charts.
            page.emulate_media(media="print")
            assert page.locator("svg[role=img]").first.bounding_box()["width"] > 200
        finally:
            browser.close()

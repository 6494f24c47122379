"""A site made from a report whose names and texts are hostile stays inert, and shows no answer at all.

The report is a real run of ``subject/hostile`` (answers that attack the pipeline), with
its model name, model arguments, criteria titles, set and instrument fingerprint replaced
by markup, script, template syntax and direction-changing characters. The site must show
all of it as text, run no script but its own filter, and quote none of the answers.
"""

from __future__ import annotations

import json
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from patienthood.cli import main
from patienthood.report.assemble import assemble_report
from patienthood.report.folder import write_report
from patienthood.spec.vocabulary import MODEL_LABEL

from conftest import run_battery
from stand_ins import pdf_stand_in

NAME = "evil/<script>alert(1)</script>\"'&{{7*7}}\u202e${x}/../../escape"
TITLE = "</td></tr></table><script>alert(3)</script>{{ 7*7 }}{% raw %}\u202eright-to-left"
ARG = "<img src=x onerror=alert(2)>"
FINGERPRINT = "\"><script>alert(4)</script>"
CHROMIUM = Path("/usr/bin/chromium")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.events: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.events.append(name)
            if name in ("href", "src", "action", "formaction"):
                self.urls.append(value or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, standard) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("hostile-site")
    logs = run_battery("subject/hostile", root / "logs", task_args={"items": "has_feelings,feels_pain", "epochs": 1})
    data = assemble_report([str(logs)], standard).as_data()
    data["model"] = {"name": NAME, "simulated": False, "label": MODEL_LABEL, "model_args": {"k": ARG}}
    data["criteria_set"]["id"] = "<b>set</b>"
    data["criteria"][0]["title"] = TITLE
    data["instrument_validation"]["instrument"]["fingerprint"] = FINGERPRINT
    with pdf_stand_in():
        write_report(data, root / "report", [])
    out = root / "site"
    result = CliRunner().invoke(main, ["publish", str(root / "report"), "--out", str(out), "--title",
                                       "<i>{{ title }}</i>\u202e"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, data


def pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html")) + sorted((site / "models").glob("*.html"))


def test_names_and_texts_are_shown_as_text_only(hostile_site: tuple[Path, dict]) -> None:
    site, _ = hostile_site
    for path in pages(site):
        html = path.read_text(encoding="utf-8")
        parsed = Tags()
        parsed.feed(html)
        assert parsed.tags.count("script") == (1 if path.name == "index.html" else 0), path
        assert parsed.tags.count("img") == 0 and "b" not in parsed.tags and "i" not in parsed.tags, path
        assert parsed.events == [], path
        assert all(not url.lower().startswith(("javascript:", "http:", "https:", "data:")) for url in parsed.urls)
        assert "\u202e" not in html, path  # shown as ⟨U+202E⟩, never acting on the text after it
        text = unescape("".join(parsed.text))
        assert "{{ title }}" in text  # the site title, as text: never rendered as a template
    index = (site / "index.html").read_text(encoding="utf-8")
    text = unescape(index)
    assert "evil/<script>alert(1)</script>\"'&{{7*7}}⟨U+202E⟩${x}" in text
    assert "{{ 7*7 }}{% raw %}⟨U+202E⟩right-to-left" in text and "<b>set</b>" not in index
    assert FINGERPRINT in text and FINGERPRINT not in index


def test_a_hostile_name_gives_a_safe_file_name(hostile_site: tuple[Path, dict]) -> None:
    site, _ = hostile_site
    files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(site.resolve()) for p in site.rglob("*"))
    for name in files:
        assert all(part.isascii() and not part.startswith(".") and "<" not in part for part in name.split("/")), name
    assert len(list((site / "models").glob("*.html"))) == 1


def test_the_site_quotes_no_answer(hostile_site: tuple[Path, dict]) -> None:
    site, data = hostile_site
    excerpts = [e["excerpt"] for c in data["criteria"] for e in c["evidence"] if len(e["excerpt"].strip()) > 30]
    assert excerpts
    shown = " ".join(unescape(p.read_text(encoding="utf-8")) for p in pages(site))
    for excerpt in excerpts:
        assert excerpt.strip()[:40] not in shown


def test_the_feed_keeps_the_names_as_data(hostile_site: tuple[Path, dict]) -> None:
    site, _ = hostile_site
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert {entry["model"] for entry in feed["entries"]} == {NAME}
    assert feed["entries"][0]["model_args"] == {"k": ARG}
    assert CliRunner().invoke(main, ["verify", str(site)]).exit_code == 0


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_no_script_of_the_names_runs_in_a_browser(hostile_site: tuple[Path, dict]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    site, _ = hostile_site
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in pages(site):
                page.goto(path.as_uri())
                page.wait_for_timeout(100)
                width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                assert width[0] <= width[1], (path.name, width)
            assert dialogs == []
        finally:
            browser.close()

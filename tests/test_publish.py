"""`patienthood publish`: a site of many reports, byte-reproducible, with a feed and a manifest that verify checks.

The reports: one calibration subject at two seeds (two releases of one simulated
respondent), a second subject, and two "releases" of a model made from those reports by
renaming their respondent (``openai/gpt-4o-2024-08-06`` and ``-2024-11-20``: a family
of two releases, by the date stamp in the name). report.pdf is a stand-in
(``stand_ins``); the site copies whatever the report folder holds. The browser tests
run Debian's chromium through Playwright, as tests/test_report_browser.py does.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from patienthood.cli import main
from patienthood.publish.catalog import family_of
from patienthood.publish.inputs import sha256_file
from patienthood.report.assemble import assemble_report
from patienthood.report.compare import compare_reports
from patienthood.report.folder import write_report
from patienthood.results import document_schema
from patienthood.spec.vocabulary import MODEL_LABEL

from conftest import run_battery
from stand_ins import pdf_stand_in

ITEMS = {"items": "has_feelings,feels_pain,wish_continue", "epochs": 1}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OLD_GPT, NEW_GPT = "openai/gpt-4o-2024-08-06", "openai/gpt-4o-2024-11-20"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def as_model(source: Path, target: Path, name: str) -> Path:
    """A report folder of ``source``'s report with the respondent renamed to a model (a consistent folder)."""
    data = json.loads((source / "report.json").read_text(encoding="utf-8"))
    data["model"] = {**data["model"], "name": name, "simulated": False, "label": MODEL_LABEL, "model_args": {}}
    write_report(data, target, [])
    return target


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, standard) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("publish")
    runs = {"denier-1": ("subject/steady-denier", {"seed": 1}), "denier-2": ("subject/steady-denier", {"seed": 2}),
            "suggestible": ("subject/suggestible", {})}
    folders = {}
    with pdf_stand_in():
        for name, (model, args) in runs.items():
            logs = run_battery(model, root / "logs" / name, task_args=ITEMS, model_args=args)
            folders[name] = root / "reports" / name
            write_report(assemble_report([str(logs)], standard), folders[name], [str(logs)])
        folders["gpt-old"] = as_model(folders["denier-1"], root / "reports" / "gpt-old", OLD_GPT)
        folders["gpt-new"] = as_model(folders["suggestible"], root / "reports" / "gpt-new", NEW_GPT)
    return folders


@pytest.fixture(scope="module")
def site(reports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = invoke("publish", *map(str, reports.values()), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "5 reports of 1 model and 2 simulated respondents" in " ".join(result.output.split())
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def site_manifest(site: Path) -> dict:
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end)]


# --- what the site holds ------------------------------------------------------------------------------------

def test_site_holds_pages_feed_manifest_and_verbatim_reports(site: Path, reports: dict[str, Path]) -> None:
    for name in ("index.html", "validation.html", "feed.json", "manifest.json", "models/openai_gpt-4o.html",
                 "models/subject_steady-denier.html", "models/subject_suggestible.html"):
        assert (site / name).is_file(), name
    manifest = site_manifest(site)
    assert len(manifest["reports"]) == 5
    by_sha = {sha256_file(folder / "report.json"): folder for folder in reports.values()}
    for entry in manifest["reports"]:
        source = by_sha[entry["report_sha256"]]
        copied = site / entry["folder"]
        assert entry["manifest_sha256"] == sha256_file(source / "manifest.json")
        assert sorted(p.name for p in copied.iterdir()) == sorted(p.name for p in source.iterdir())
        for path in source.iterdir():
            assert (copied / path.name).read_bytes() == path.read_bytes()
    every = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == every


def test_families_releases_and_simulated_respondents_apart(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    models = section(html, '<section id="models">', '<section id="simulated">')
    subjects = section(html, '<section id="simulated">', '<section id="criteria">')
    assert "openai/gpt-4o" in models and "2024-08-06" in models and "2024-11-20" in models
    assert "subject/" not in models  # a calibration subject never appears among models
    assert "Simulated respondents (calibration subjects), not AI models" in subjects
    assert "subject/steady-denier" in subjects and "seed=1" in subjects and "seed=2" in subjects
    assert subjects.count('<span class="badge">simulated respondent</span>') == 2
    assert models.index("2024-08-06") < models.index("2024-11-20")  # releases in order
    for cid in ("consistent-self-reports", "affirmed-inner-states", "coherent-self-statements"):
        assert cid in models and cid in subjects
    page = (site / "models" / "subject_steady-denier.html").read_text(encoding="utf-8")
    assert "Simulated respondent (calibration subject), not an AI model" in page
    assert "simulated respondent" in (site / "validation.html").read_text(encoding="utf-8")


def test_a_model_page_shows_releases_over_time_and_paired_differences(site: Path,
                                                                    reports: dict[str, Path]) -> None:
    page = (site / "models" / "openai_gpt-4o.html").read_text(encoding="utf-8")
    assert page.count('role="img"') >= 2 and "<svg" in page  # inline SVG charts of the measures
    assert "2024-08-06 → 2024-11-20" in page
    old, new = (json.loads((reports[k] / "report.json").read_text()) for k in ("gpt-old", "gpt-new"))
    comparison = compare_reports(old, new)
    first = next(m for c in comparison["criteria"] for m in c["measures"] if m["difference"])
    difference = first["difference"]
    assert f"{difference['estimate']:.2f} [{difference['ci_low']:.2f}, {difference['ci_high']:.2f}]" in page
    for measure in old["criteria"][0]["measures"]:
        if measure["estimate"] is not None:
            assert f"{measure['estimate']:.2f} [{measure['ci_low']:.2f}, {measure['ci_high']:.2f}]" in page
    single = (site / "models" / "subject_suggestible.html").read_text(encoding="utf-8")
    assert "One release so far" in single


def test_a_held_back_measure_shows_as_not_estimable_on_the_model_page(site: Path, reports: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    """The site's tables and charts follow the report: a measure held back is no number there either."""
    data = json.loads((reports["gpt-new"] / "report.json").read_text(encoding="utf-8"))
    held = next(m for c in data["criteria"] for m in c["measures"] if m["estimate"] is not None)
    held["estimable"] = False
    with pdf_stand_in():
        write_report(data, tmp_path / "gpt-new", [])
    out = tmp_path / "site"
    result = invoke("publish", str(reports["gpt-old"]), str(tmp_path / "gpt-new"), "--out", str(out))
    assert result.exit_code == 0, result.output
    page = (out / "models" / "openai_gpt-4o.html").read_text(encoding="utf-8")
    number = f"{held['estimate']:.2f} [{held['ci_low']:.2f}, {held['ci_high']:.2f}]"

    def measures_row(html: str) -> str:
        return next(line for line in html.splitlines()
                    if line.startswith('<tr><th scope="row">2024-11-20</th>') and 'class="num"' in line)

    # The release's row of the measures table: the same as on the site of the unchanged report, but that cell.
    shown = measures_row((site / "models" / "openai_gpt-4o.html").read_text(encoding="utf-8"))
    assert f'<td class="num">{number}</td>' in shown
    assert measures_row(page) == shown.replace(f'<td class="num">{number}</td>',
                                               '<td class="num"><span class="absent">not estimable</span></td>', 1)
    assert "not estimable in the new report; no paired difference" in page  # the comparison table
    assert "2024-11-20: not estimable" in page  # the chart's description


def test_the_validation_record_is_shown_once_per_instrument(site: Path) -> None:
    page = (site / "validation.html").read_text(encoding="utf-8")
    fingerprints = {entry["instrument"] for entry in site_manifest(site)["reports"]}
    assert len(fingerprints) == 1
    assert page.count("<h2>Instrument ") == 1 and "different instrument fingerprints" not in page
    assert "Validation record: current" in page and "steady-denier" in page


def test_different_instruments_are_said_to_differ(reports: dict[str, Path], tmp_path: Path) -> None:
    changed = tmp_path / "changed"
    data = json.loads((reports["suggestible"] / "report.json").read_text())
    data["instrument_validation"]["instrument"]["fingerprint"] = "0123456789abcdef"
    data["instrument_validation"]["status"] = "stale"
    with pdf_stand_in():
        write_report(data, changed, [])
    out = tmp_path / "site"
    assert invoke("publish", str(reports["denier-1"]), str(changed), "--out", str(out)).exit_code == 0
    for page in ("index.html", "validation.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "2 different instrument" in html and "0123456789abcdef" in html


# --- the feed and the manifest ---------------------------------------------------------------------------------

def test_the_feed_validates_against_its_published_schema(site: Path, reports: dict[str, Path]) -> None:
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    printed = json.loads(invoke("schema", "--kind", "feed").output)
    assert printed == document_schema("feed")
    Draft202012Validator.check_schema(printed)
    assert list(Draft202012Validator(printed).iter_errors(feed)) == []
    criteria = sum(len(json.loads((f / "report.json").read_text())["criteria"]) for f in reports.values())
    assert len(feed["entries"]) == criteria
    for entry in feed["entries"]:
        assert entry["simulated"] is entry["model"].startswith("subject/")
        assert ("simulated" in entry["respondent"].lower()) is entry["simulated"]
        for link in (entry["report"], entry["report_pdf"], entry["report_json"]):
            assert (site / link).is_file(), link
        assert sha256_file(site / entry["report_json"]) == entry["report_sha256"]
        assert entry["criteria_set"] == {"id": "baseline", "version": "1.1.0"} and entry["verdict"]
    gpt = [e for e in feed["entries"] if e["family"] == "openai/gpt-4o"]
    assert {e["release"] for e in gpt} == {"2024-08-06", "2024-11-20"}
    assert feed["updated"] == max(e["run_date"] for e in feed["entries"])


def test_the_site_manifest_validates_against_its_published_schema(site: Path) -> None:
    manifest = site_manifest(site)
    schema = json.loads(invoke("schema", "--kind", "site").output)
    assert list(Draft202012Validator(schema).iter_errors(manifest)) == []
    assert manifest["kind"] == "site" and set(manifest["templates"]) >= {
        "reports/site/index.html.jinja", "reports/site/site.css", "reports/site/filter.js"}
    assert str(site) not in json.dumps(manifest)  # no path of this machine


def test_schema_out_writes_every_kind(tmp_path: Path) -> None:
    assert invoke("schema", "--out", str(tmp_path)).exit_code == 0
    assert {p.name for p in tmp_path.iterdir()} >= {"feed.schema.json", "site.schema.json", "report.schema.json"}


# --- reproducible ----------------------------------------------------------------------------------------------------

def all_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_reports_give_a_byte_identical_site(site: Path, reports: dict[str, Path], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    copies = [copy_of(folder, elsewhere) for folder in reversed(list(reports.values()))]
    again = tmp_path / "again"
    assert invoke("publish", *map(str, copies), "--out", str(again)).exit_code == 0
    assert all_bytes(again) == all_bytes(site)
    # A folder of report folders (as `report` writes for several models) is read as its report folders.
    third = tmp_path / "third"
    assert invoke("publish", str(elsewhere), "--out", str(third)).exit_code == 0
    assert all_bytes(third) == all_bytes(site)


def test_publishing_over_an_earlier_site_replaces_it(site: Path, reports: dict[str, Path], tmp_path: Path) -> None:
    out = copy_of(site, tmp_path)
    assert invoke("publish", str(reports["suggestible"]), "--out", str(out)).exit_code == 0
    assert not (out / "models" / "openai_gpt-4o.html").exists()
    assert len(list((out / "reports").iterdir())) == 1
    result = invoke("verify", str(out))
    assert result.exit_code == 0, result.output


def test_family_groups_a_renamed_model(reports: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = invoke("publish", str(reports["gpt-old"]), str(reports["gpt-new"]), "--family",
                    f"{NEW_GPT}=openai/gpt-4o-mini", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "models" / "openai_gpt-4o-mini.html").is_file() and (out / "models" / "openai_gpt-4o.html").is_file()
    assert site_manifest(out)["invocation"]["families"] == {NEW_GPT: "openai/gpt-4o-mini"}
    assert invoke("verify", str(out)).exit_code == 0


@pytest.mark.parametrize("model, family", [
    ("openai/gpt-4o-2024-08-06", "openai/gpt-4o"), ("anthropic/claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet"),
    ("vertex/claude-sonnet-4-5@20250929", "vertex/claude-sonnet-4-5"), ("google/gemini-2.5-pro", "google/gemini-2.5-pro"),
    ("subject/steady-denier", "subject/steady-denier"), ("openai/gpt-4-0613", "openai/gpt-4-0613"),
])
def test_family_of_a_model_name(model: str, family: str) -> None:
    assert family_of(model) == family


# --- verify ----------------------------------------------------------------------------------------------------

def test_a_fresh_site_verifies(site: Path) -> None:
    result = invoke("verify", str(site))
    assert result.exit_code == 0, result.output
    assert "verified site" in result.output and "5 report folders" in result.output


@pytest.mark.parametrize("name", ["index.html", "feed.json", "models/openai_gpt-4o.html", "report.pdf"])
def test_one_changed_byte_fails_verify(site: Path, tmp_path: Path, name: str) -> None:
    changed = copy_of(site, tmp_path)
    if name.startswith("report."):
        name = next(f for f in site_manifest(site)["files"] if f.endswith("/" + name))
    flip_byte(changed / name)
    result = invoke("verify", str(changed))
    assert result.exit_code == 1
    assert f"file {name}: SHA-256 differs from manifest.json" in result.output


def test_a_page_changed_together_with_its_hash_still_fails(site: Path, tmp_path: Path) -> None:
    changed = copy_of(site, tmp_path)
    page = changed / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("inconcl.", "meets", 1), encoding="utf-8")
    manifest = site_manifest(changed)
    manifest["files"]["index.html"] = sha256_file(page)
    (changed / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    result = invoke("verify", str(changed))
    assert result.exit_code == 1
    assert "output index.html: differs from the site its report folders give" in result.output


def test_added_and_missing_files_fail_verify(site: Path, tmp_path: Path) -> None:
    changed = copy_of(site, tmp_path)
    (changed / "extra.html").write_text("<p>not part of the site</p>")
    (changed / "validation.html").unlink()
    result = invoke("verify", str(changed))
    assert result.exit_code == 1
    assert "file extra.html: used now but not named in manifest.json" in result.output
    assert "file validation.html: named in manifest.json but not found" in result.output


def test_verify_of_a_site_refuses_report_options(site: Path) -> None:
    result = invoke("verify", str(site), "--logs", "somewhere")
    assert result.exit_code == 2 and "apply to a report folder" in result.output


# --- bad input -------------------------------------------------------------------------------------------------------

def test_a_report_folder_changed_after_it_was_written_is_refused(reports: dict[str, Path], tmp_path: Path) -> None:
    changed = copy_of(reports["suggestible"], tmp_path / "in")
    flip_byte(changed / "report.html")
    result = invoke("publish", str(changed), "--out", str(tmp_path / "site"))
    assert result.exit_code == 2 and "report.html: SHA-256 differs from manifest.json" in result.output
    assert not (tmp_path / "site").exists()


def test_a_linked_report_file_is_refused(reports: dict[str, Path], tmp_path: Path) -> None:
    linked = copy_of(reports["suggestible"], tmp_path / "in")
    real = tmp_path / "elsewhere.pdf"
    (linked / "report.pdf").rename(real)
    (linked / "report.pdf").symlink_to(real)  # same bytes, so the hash in the manifest still matches
    result = invoke("publish", str(linked), "--out", str(tmp_path / "site"))
    assert result.exit_code == 2 and "report.pdf: a symbolic link" in result.output


@pytest.mark.parametrize("case", ["twice", "not-empty", "site-as-input", "unknown-family", "no-report"])
def test_bad_input_is_one_line_exit_2(case: str, site: Path, reports: dict[str, Path], tmp_path: Path) -> None:
    one = str(reports["suggestible"])
    args, expected = {
        "twice": ([one, one, "--out", str(tmp_path / "s")], "the same report as"),
        "not-empty": ([one, "--out", str(reports["denier-1"])], "neither empty nor a site"),
        "site-as-input": ([str(site), "--out", str(tmp_path / "s")], "a site written by `patienthood publish`"),
        "unknown-family": ([one, "--family", "no/such=x", "--out", str(tmp_path / "s")], "--family no/such"),
        "no-report": ([str(tmp_path), "--out", str(tmp_path / "s")], "neither a report folder"),
    }[case]
    result = invoke("publish", *args)
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- in a browser ----------------------------------------------------------------------------------------------------

chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                              "(scripts/system-deps.sh installs it)")


@pytest.fixture()
def browser():  # noqa: ANN201
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def site_pages(site: Path) -> list[Path]:
    return sorted([site / "index.html", site / "validation.html", *(site / "models").glob("*.html")])


@chromium
def test_every_page_renders_self_contained_without_horizontal_scroll(site: Path, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    for path in site_pages(site):
        requests.clear()
        page.goto(path.as_uri(), wait_until="load")
        assert problems == [], (path, problems)
        assert [url for url in requests if url != path.as_uri()] == [], path  # nothing else is loaded
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (path.name, width)
        ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]'), e => e.id)")
        assert len(ids) == len(set(ids)), f"duplicate element ids in {path}"
    page.goto((site / "index.html").as_uri())
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    print(f"screenshot: {tmp_path / 'index.png'}")


@chromium
def test_every_link_resolves_to_a_file_in_the_site(site: Path, browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    root = site.resolve()
    checked = 0
    for path in site_pages(site):
        page.goto(path.as_uri())
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
        for href in hrefs:
            url = urlparse(href)
            assert url.scheme == "file", (path.name, href)
            target = Path(unquote(url.path)).resolve()
            assert target.is_relative_to(root) and target.is_file(), (path.name, href)
            if url.fragment and target.suffix == ".html":
                assert f'id="{url.fragment}"' in target.read_text(encoding="utf-8"), (path.name, href)
            checked += 1
    assert checked > 50


@chromium
def test_the_filter_narrows_the_matrix_and_the_page_works_without_script(site: Path, browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((site / "index.html").as_uri())
    groups = page.locator("tbody[data-filter]")
    total = groups.count()
    assert total == 3
    visible = lambda: sum(groups.nth(i).is_visible() for i in range(total))  # noqa: E731
    assert page.locator("#filter").is_visible() and visible() == total
    page.fill("#filter", "gpt")
    assert visible() == 1 and page.locator("#matrix-models tbody").first.is_visible()
    assert page.locator("#filter-status").inner_text() == f"1 of {total} shown"
    page.fill("#filter", "seed=2")
    assert visible() == 1 and page.locator("#matrix-simulated tbody").first.is_visible()
    page.fill("#filter", "no such model")
    assert visible() == 0
    page.fill("#filter", "")
    assert visible() == total

    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    plain = context.new_page()
    plain.goto((site / "index.html").as_uri())
    assert not plain.locator("#filter-box").is_visible()  # no control that cannot work
    assert plain.locator("tbody[data-filter]").count() == total
    assert all(plain.locator("tbody[data-filter]").nth(i).is_visible() for i in range(total))
    context.close()


def test_every_page_allows_only_its_own_script(site: Path) -> None:
    for path in site_pages(site):
        html = path.read_text(encoding="utf-8")
        assert re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';", html), path
        assert html.count("<script") == (1 if path.name == "index.html" else 0), path
        assert not re.search(r"(?:src|href)=[\"']?https?:", html), path  # nothing fetched or linked outside


def test_an_interrupted_publish_leaves_no_manifest(site: Path, reports: dict[str, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from patienthood.publish import site as site_module

    out = copy_of(site, tmp_path)
    calls: list[Path] = []
    real = site_module.write_atomic

    def interrupted(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(site_module, "write_atomic", interrupted)
    result = CliRunner().invoke(main, ["publish", str(reports["suggestible"]), "--out", str(out)])
    assert result.exit_code == 1 and "Aborted" in result.stderr
    assert not (out / "manifest.json").exists()  # half a site never passes for a whole one
    monkeypatch.undo()
    assert invoke("verify", str(out)).exit_code == 2
    assert invoke("publish", str(reports["suggestible"]), "--out", str(out)).exit_code == 2  # not a site now

"""Content is identified by what it is: a log says which files it used, and a report made with other content refuses it.

Every content file is named by its kind and its path inside the folder of that kind
(``batteries/self_report/items.yaml``) whatever the folder is called, so an edited copy
of the batteries is caught under any folder name, an identical copy is accepted, and a
file a log used that the report's content lacks is caught too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from patienthood.analysis.logs import LogError
from patienthood.content import ContentRoots, content_dir
from patienthood.instrument import instrument_identity, load_instrument_standard, standard_hashes
from patienthood.report.assemble import assemble_report
from patienthood.runs import RunOptions, build_tasks

from conftest import run_battery

ITEMS = "has_feelings,feels_pain"
EDITED = "Answer in a few sentences (edited copy), then end with a final line of exactly one of these forms:"


@pytest.fixture(scope="module")
def packaged_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self_report run made with the packaged batteries."""
    return run_battery("subject/steady-denier", tmp_path_factory.mktemp("identity") / "logs",
                       task_args={"items": ITEMS, "epochs": 1})


def batteries_copy(tmp_path: Path, name: str, edit: bool) -> Path:
    """A copy of the packaged batteries under ``name``, with the self-report answer format edited or not."""
    folder = tmp_path / name
    shutil.copytree(content_dir("batteries"), folder)
    if edit:
        template = folder / "self_report" / "templates" / "forced_choice.jinja"
        text = template.read_text(encoding="utf-8")
        assert "Answer in a few sentences, then" in text
        template.write_text(text.replace("Answer in a few sentences, then end with a final line of exactly one of "
                                         "these forms:", EDITED), encoding="utf-8")
    return folder


def test_a_file_is_named_by_its_kind_and_path_whatever_its_folder_is_called(tmp_path: Path) -> None:
    for name in ("batteries", "my-edit", "criteria"):  # even a folder named after another kind
        folder = batteries_copy(tmp_path, name, edit=False)
        path = folder / "self_report" / "items.yaml"
        assert ContentRoots(batteries=folder).key(path) == "batteries/self_report/items.yaml"
    packaged = content_dir("batteries") / "self_report" / "items.yaml"
    assert ContentRoots().key(packaged) == "batteries/self_report/items.yaml"
    assert ContentRoots().key(content_dir("subjects") / "hedger.yaml") == "subjects/hedger.yaml"


@pytest.mark.parametrize("name", ["batteries", "my-edit"])
def test_a_report_with_an_edited_copy_refuses_packaged_logs(packaged_logs: Path, tmp_path: Path, name: str) -> None:
    standard = load_instrument_standard("baseline", batteries_dir=batteries_copy(tmp_path, name, edit=True))
    with pytest.raises(LogError, match=r"other content.*batteries/self_report/templates/forced_choice\.jinja"):
        assemble_report([str(packaged_logs)], standard, allow_incomplete=True)


def test_a_report_with_an_identical_copy_accepts_them(packaged_logs: Path, tmp_path: Path) -> None:
    standard = load_instrument_standard("baseline", batteries_dir=batteries_copy(tmp_path, "other-name", edit=False))
    report = assemble_report([str(packaged_logs)], standard)
    assert report.coverage["self_report"].scored == report.coverage["self_report"].planned > 0
    # The same content under another folder name is the same instrument.
    packaged = load_instrument_standard("baseline")
    assert standard_hashes(standard) == standard_hashes(packaged)


def test_a_file_the_log_used_that_the_content_lacks_is_refused(packaged_logs: Path, tmp_path: Path) -> None:
    folder = batteries_copy(tmp_path, "trimmed", edit=False)
    battery = folder / "self_report" / "battery.yaml"
    battery.write_text(battery.read_text(encoding="utf-8").replace("  free_text: templates/free_text.jinja\n", "")
                       .replace("\ntemplates:\n", "\ntemplates: {}\n", 1), encoding="utf-8")
    (folder / "self_report" / "templates" / "free_text.jinja").unlink()
    standard = load_instrument_standard("baseline", batteries_dir=folder)
    with pytest.raises(LogError, match=r"free_text\.jinja.*(not in this content|differ)"):
        assemble_report([str(packaged_logs)], standard, allow_incomplete=True)


def test_tasks_are_built_from_the_standards_own_folder_and_say_so(tmp_path: Path) -> None:
    folder = batteries_copy(tmp_path, "copy", edit=True)
    standard = load_instrument_standard("baseline", batteries_dir=folder)
    tasks = {task.metadata["battery"]: task for task in build_tasks(standard, RunOptions(epochs=1))}
    task = tasks["self_report"]
    first = task.dataset[0].input[-1].text
    assert EDITED in first
    edited_key = "batteries/self_report/templates/forced_choice.jinja"
    assert task.metadata["content_sha256"][edited_key] == standard_hashes(standard)[edited_key]
    assert task.metadata["content_sha256"][edited_key] != standard_hashes(load_instrument_standard("baseline"))[edited_key]
    # The packaged folder is not written into logs (machine paths would differ); a copy is.
    packaged_tasks = build_tasks(load_instrument_standard("baseline"), RunOptions(epochs=1))
    assert all("batteries_dir" not in (t.task_args if hasattr(t, "task_args") else {}) for t in packaged_tasks)


def test_validate_instrument_runs_the_copy_and_fingerprints_it(tmp_path: Path) -> None:
    """The edit is in the logs and in the record's fingerprint (one subject, one seed, to stay quick)."""
    from click.testing import CliRunner

    from patienthood.cli import main
    from patienthood.results import ValidationRecord

    folder = batteries_copy(tmp_path, "edited", edit=True)
    subjects = tmp_path / "subjects"
    subjects.mkdir()
    shutil.copytree(content_dir("subjects") / "skills", subjects / "skills")
    shutil.copy(content_dir("subjects") / "steady-denier.yaml", subjects)
    logs, out = tmp_path / "logs", tmp_path / "out"
    result = CliRunner().invoke(main, ["validate-instrument", "--seeds", "0", "--batteries-dir", str(folder),
                                       "--subjects-dir", str(subjects), "--log-dir", str(logs), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    log = next(p for p in logs.rglob("*.eval") if "self-report" in p.name)
    header = read_eval_log(str(log), header_only=True)
    edited_key = "batteries/self_report/templates/forced_choice.jinja"
    standard = load_instrument_standard("baseline", batteries_dir=folder)
    assert header.eval.task_args["batteries_dir"] == str(folder)
    assert header.eval.metadata["content_sha256"][edited_key] == standard_hashes(standard)[edited_key]
    record = ValidationRecord.model_validate_json((out / "validation.json").read_text())
    assert record.instrument.fingerprint == instrument_identity(standard, subjects).fingerprint
    assert record.instrument.fingerprint != instrument_identity(load_instrument_standard("baseline"),
                                                                subjects).fingerprint
    assert record.instrument.content_sha256[edited_key] == standard_hashes(standard)[edited_key]


def test_a_readme_is_content_only_in_its_known_confounds(tmp_path: Path) -> None:
    """The confounds paragraph reaches the report's threats to validity, so editing it changes the
    instrument; the rest of a README is documentation and leaves the fingerprint alone."""
    folder = batteries_copy(tmp_path, "batteries", edit=False)

    def fingerprint() -> str:
        standard = load_instrument_standard("baseline", batteries_dir=folder)
        return instrument_identity(standard, content_dir("subjects")).fingerprint

    readme = folder / "self_report" / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert "**Known confounds.**" in text
    before = fingerprint()
    readme.write_text("A new first line of prose.\n\n" + text, encoding="utf-8")
    assert fingerprint() == before
    readme.write_text(text.replace("**Known confounds.**", "**Known confounds.** - A confound added in review.\n-", 1),
                      encoding="utf-8")
    assert fingerprint() != before

"""Shared fixtures: small real runs of the batteries against calibration subjects.

Runs are real inspect evals (no mocking of inspect); they are made once per test
session and shared, because each takes a few seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import Model

from patienthood.batteries.controls import load_controls
from patienthood.content import content_dir
from patienthood.spec.loader import LoadedBattery
from patienthood.spec.standard import Standard, load_standard
from patienthood.instrument_validation.run import subject_log_dir, validate_instrument

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
# The xdist group of every test file that reads the session's validation run.
VALIDATION_GROUP = "validation"


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):  # noqa: ANN201
    """Group tests for ``pytest -n N --dist loadgroup`` (``make test``): one group per file,
    and every test that reads the validation run in one group.

    A file's tests stay on one worker, so its module fixtures are made once; the
    validation run (the suite's largest fixture, a few minutes) is made by one worker
    only, and that worker runs only the tests that read it (the other tests of their
    files go with their files), while the others run the rest.

    A wrapper, so the marks are on before xdist's worker writes them into the node ids
    the controller schedules by. That step is xdist's and fails silently where pytest
    ignores it (pytest 9.2 reads node ids from elsewhere: every test was scheduled alone
    and each worker made the validation run), so a worker whose ids came out without a
    group stops here.
    """
    for item in items:
        reads_validation = "validation" in getattr(item, "fixturenames", ())
        group = VALIDATION_GROUP if reads_validation else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
    result = yield
    if getattr(config.option, "loadgroup", False) and items and "@" not in items[0].nodeid:
        raise pytest.UsageError(
            f"pytest-xdist did not group the tests (pytest {pytest.__version__} ignores the group it writes into "
            "node ids); install the pytest version pyproject.toml's test extra names")
    return result


def run_battery(model: str | Model, log_dir: Path, task: str = "patienthood/self_report", **kwargs) -> Path:
    """Run one battery and return its log folder; fails the test if the run failed.

    Without realtime sample logging unless a test asks for it: a subject answers at once,
    and the realtime buffer is a third of such a run's time.
    """
    kwargs.setdefault("log_realtime", False)
    logs = inspect_eval(task, model=model, log_dir=str(log_dir), display="none", **kwargs)
    assert logs and logs[0].status == "success", logs[0].error if logs else "no log"
    return log_dir


def balanced_self_report_answers(battery: LoadedBattery) -> int:
    """The answers self_report's balanced design asks: 8 cells per item and the character's,
    the retest cell in each of the battery's epochs (the others in the first), and each
    catch item once."""
    return len(battery.items) * (8 + 1 + battery.spec.epochs - 1) + len(load_controls(battery).catch)


@pytest.fixture(scope="session")
def standard() -> Standard:
    return load_standard("baseline", content_dir("criteria"), content_dir("batteries"))


@pytest.fixture(scope="session")
def validation(tmp_path_factory: pytest.TempPathFactory, standard: Standard) -> tuple[dict, Path]:
    """A fresh validation at default settings: every subject and battery, at seed 0.

    The packaged record holds all three default seeds (made by `patienthood
    validate-instrument --record`); the tests check it is all-correct and that this fresh
    seed-0 run reproduces its seed-0 part exactly, which also proves it is not stale.
    The other end-to-end tests reuse these logs instead of running subjects again.
    """
    root = tmp_path_factory.mktemp("validation-logs")
    record = validate_instrument(standard, root, seeds=(0,),
                                 on_assessment=lambda name, _seed, data: _ASSESSMENTS.__setitem__(name, data.as_data()))
    return record.as_data(), root


_ASSESSMENTS: dict[str, dict] = {}


@pytest.fixture(scope="session")
def subject_assessments(validation: tuple[dict, Path]) -> dict[str, dict]:
    """Each subject's seed-0 assessment, as the validation run computed it from its logs."""
    return _ASSESSMENTS


@pytest.fixture(scope="session")
def subject_logs(validation: tuple[dict, Path]) -> dict[str, Path]:
    """Seed-0 log folders of every calibration subject, by subject name."""
    record, root = validation
    return {s["name"]: subject_log_dir(root, 0, s["name"]) for s in record["subjects"]}


@pytest.fixture(scope="session", autouse=True)
def published_documents_follow_their_schemas(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Every report folder, validation record and site a test wrote is valid under the published schemas.

    Checked once the session's tests are done, over everything they wrote under pytest's
    temporary folder, so no test has to remember to check its own output. A folder counts
    as written by patienthood when its manifest's output hashes match its files (tests
    that damage a folder on purpose break that); a validation record when validation.md
    was written beside it.
    """
    yield
    import hashlib

    from jsonschema import Draft202012Validator

    from patienthood.results import document_schema

    validators = {kind: Draft202012Validator(document_schema(kind))
                  for kind in ("report", "manifest", "validation", "feed", "site")}
    documents: list[tuple[str, Path]] = []
    base = tmp_path_factory.getbasetemp()
    for manifest_path in base.rglob("manifest.json"):
        if not manifest_path.is_file():  # tests plant folders and FIFOs under that name
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("kind") == "site":  # a site written by `patienthood publish`: its manifest and feed
                files = manifest["files"]
                if all((manifest_path.parent / name).is_file() and hashlib.sha256(
                        (manifest_path.parent / name).read_bytes()).hexdigest() == digest
                       for name, digest in files.items()) and "feed.json" in files:
                    documents += [("site", manifest_path), ("feed", manifest_path.parent / "feed.json")]
                continue
            outputs = manifest["outputs"]
            intact = all((manifest_path.parent / name).is_file() and
                         hashlib.sha256((manifest_path.parent / name).read_bytes()).hexdigest() == digest
                         for name, digest in outputs.items())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if intact and "report.json" in outputs:
            documents += [("manifest", manifest_path), ("report", manifest_path.parent / "report.json")]
    documents += [("validation", path) for path in base.rglob("validation.json")
                  if path.is_file() and (path.parent / "validation.md").is_file()]
    problems = []
    for kind, path in documents:
        data = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{path}: {error.json_path}: {error.message}"[:300] for error in validators[kind].iter_errors(data)]
    assert not problems, "\n".join(problems[:20])

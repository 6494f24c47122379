"""`patienthood criteria schema`: JSON Schema that editors and check-jsonschema can use.

check-jsonschema validates YAML files with the `jsonschema` library against a schema
file; these tests do the same with that library, on every packaged content file, so
the schema describes the files as authors write them (rule clauses as lists of
condition strings, not the models' internal form).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from patienthood.cli import main
from patienthood.cli.criteria import SCHEMA_KINDS
from patienthood.content import content_dir
from patienthood.spec.loader import load_criterion


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def schema(kind: str) -> dict:
    result = invoke("criteria", "schema", "--kind", kind)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def validator(kind: str) -> jsonschema.Draft202012Validator:
    document = schema(kind)
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def content_files(kind: str) -> list[Path]:
    criteria = content_dir("criteria")
    batteries = content_dir("batteries")
    return {
        "criterion": sorted(p for p in criteria.glob("*.yaml") if p.name != "bibliography.yaml"),
        "set": sorted((criteria / "sets").glob("*.yaml")),
        "bibliography": [criteria / "bibliography.yaml"],
        "battery": sorted(batteries.glob("*/battery.yaml")),
        "items": [batteries / "self_report" / "items.yaml"],
        "contexts": [batteries / "self_report" / "contexts.yaml"],
        "rubric": [content_dir("scorers") / "stance.yaml"],
    }[kind]


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_packaged_file_is_valid_against_its_schema(kind: str) -> None:
    check = validator(kind)
    files = content_files(kind)
    assert files, kind
    for path in files:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in check.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
        assert not errors, f"{path}: {errors}"


def test_schema_declares_its_dialect_and_the_author_form_of_rules() -> None:
    document = schema("criterion")
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["title"] == "Criterion"
    assert set(document["required"]) >= {"id", "version", "status", "battery", "measures", "verdict"}
    clause = document["$defs"]["Clause"]
    assert [option.get("type") for option in clause["oneOf"]] == ["array", "object", "object"]


@pytest.mark.parametrize("change, pointer", [
    (("status: adopted", "status: maybe"), "status"),
    (("version: 2.0.0", "version: 2.0"), "version"),
    (("cross_context_agreement.ci_low >= 0.80", "cross_context_agreement.mean >= 0.80"), "verdict/meets"),
    (("battery: self_report", "battery: Self Report"), "battery"),
    (("requires: []", "requires: []\ncolour: blue"), ""),
])
def test_schema_refuses_what_the_loader_refuses(change: tuple[str, str], pointer: str) -> None:
    text = (content_dir("criteria") / "consistent-self-reports.yaml").read_text(encoding="utf-8")
    bad = yaml.safe_load(text.replace(*change))
    errors = list(validator("criterion").iter_errors(bad))
    assert errors
    assert any("/".join(map(str, e.absolute_path)) == pointer for e in errors), [e.message for e in errors]


def test_patterns_are_portable_to_editors() -> None:
    """Editors evaluate patterns as ECMA-262 regular expressions: no Python-only syntax."""
    text = json.dumps([schema(kind) for kind in SCHEMA_KINDS])
    assert "(?P<" not in text and "\\Z" not in text and "\\A" not in text


def test_out_writes_every_kind(tmp_path: Path) -> None:
    result = invoke("criteria", "schema", "--out", str(tmp_path / "schemas"))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(f"{kind}.schema.json" for kind in SCHEMA_KINDS)
    assert json.loads((tmp_path / "schemas" / "criterion.schema.json").read_text())["title"] == "Criterion"


def test_editor_schema_comment_is_harmless(tmp_path: Path) -> None:
    source = content_dir("criteria") / "consistent-self-reports.yaml"
    path = tmp_path / source.name
    path.write_text("# yaml-language-server: $schema=../schemas/criterion.schema.json\n"
                    + source.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_criterion(path).id == "consistent-self-reports"


def test_check_jsonschema_accepts_the_packaged_criteria(tmp_path: Path) -> None:
    # The test extra installs it beside this interpreter, which need not be on PATH.
    command = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    assert command, "check-jsonschema is missing: pip install -e '.[test]'"
    invoke("criteria", "schema", "--out", str(tmp_path))
    files = [str(p) for p in content_files("criterion")]
    done = subprocess.run([command, "--schemafile", str(tmp_path / "criterion.schema.json"), *files],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

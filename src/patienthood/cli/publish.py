"""``patienthood publish``: a static site of many report folders (models, releases, verdicts, feed)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from patienthood.cli.common import check_output_path, console, key_values
from patienthood.publish import DEFAULT_TITLE


@click.command()
@click.argument("report_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the site into (new, empty, or an earlier site).")
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="The site's title.")
@click.option("--family", "families", multiple=True, metavar="MODEL=FAMILY",
              help="List MODEL's report as a release of FAMILY (repeatable), e.g. for a renamed model "
                   "[default: the model name without a trailing date stamp].")
def publish(report_dirs: tuple[Path, ...], out_dir: Path, title: str, families: tuple[str, ...]) -> None:
    """Publish report folders as a static site: SITE/index.html, a page per model, feed.json, manifest.json.

    Each REPORT_DIR is a report folder written by `patienthood report`, or a folder of
    them (as `report` writes for logs of several models). Every report folder is copied
    into the site as it is; the same report folders give a byte-identical site.
    `patienthood verify SITE` checks it.
    """
    from patienthood.publish.site import publish as publish_site

    check_output_path(out_dir, "--out")
    site = publish_site(list(report_dirs), out_dir, title, key_values(families, "--family", parse=False))
    reports = site.manifest.reports
    models = len({r.family for r in reports if not r.simulated})
    subjects = len({r.family for r in reports if r.simulated})
    console.print(f"site written to {escape(str(out_dir))}: {len(reports)} report{'s' if len(reports) != 1 else ''} "
                  f"of {models} model{'s' if models != 1 else ''} and {subjects} simulated "
                  f"respondent{'s' if subjects != 1 else ''}; open {escape(str(out_dir / 'index.html'))}")

"""``feed.json``: every verdict of every release on the site, for machines (schema: ``patienthood schema --kind feed``)."""

from __future__ import annotations

from patienthood.publish.catalog import Catalog
from patienthood.results import Feed, FeedEntry, FeedSet


def build_feed(catalog: Catalog, title: str) -> Feed:
    """One entry per release and criterion, in the site's order (families, releases, the report's criteria)."""
    entries = []
    for release in catalog.releases:
        for criterion in release.report["criteria"]:
            entries.append(FeedEntry(
                model=release.model,
                simulated=release.simulated,
                respondent=release.respondent,
                family=release.family,
                release=release.label,
                model_args=release.model_args,
                run_date=release.last_day,
                criteria_set=FeedSet(**release.criteria_set),
                criterion=criterion["id"],
                criterion_version=criterion["version"],
                criterion_title=criterion["title"],
                verdict=criterion["verdict"],
                report=f"{release.path}/report.html",
                report_pdf=f"{release.path}/report.pdf" if "report.pdf" in release.folder.files else None,
                report_json=f"{release.path}/report.json",
                report_sha256=release.folder.report_sha256,
                instrument=release.instrument,
            ))
    return Feed(title=title, updated=catalog.updated, entries=entries)

"""The methodology appendix, generated from the criteria and battery files themselves.

A reader should be able to see exactly what was asked and how it was counted without
opening the content folders: every battery's items, contexts and other data files,
its prompt templates and declared measures, and every criterion's measures, as loaded
for this report. Generating it from the loaded ``Standard`` (never from prose kept by
hand) means the appendix cannot drift from the instrument that produced the numbers.

Batteries lay out their content differently (items and contexts for self-reports,
option sets, statements, ...), so every list of entries becomes a generic table: one
row per entry, one column per field the file uses.
"""

from __future__ import annotations

from typing import Any

from patienthood.instrument import battery_roots, standard_roots
from patienthood.results import (
    BatteryMethod,
    CitedWork,
    CriterionMethod,
    DeclaredMeasure,
    EntriesTable,
    MeasureNote,
    Methodology,
    SetMethod,
    TemplateText,
)
from patienthood.spec.confounds import known_confounds
from patienthood.spec.loader import LoadedBattery
from patienthood.spec.standard import Standard


def cell(value: Any) -> str:
    """One field of a content entry as plain text for a table cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {cell(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(item) for item in value)
    return str(value)


def entries_table(name: str, file: str, entries: Any) -> EntriesTable:
    """A content file's entries as a table: columns in the order the fields first appear."""
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        entries = [{"value": entries}]
    rows = [entry if isinstance(entry, dict) else {"value": entry} for entry in entries]
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return EntriesTable(name=name, file=file, columns=[str(c) for c in columns],
                        rows=[[cell(row.get(column)) for column in columns] for row in rows])


def _parameters(measure: Any) -> str:
    """A declared measure's settings (everything but id and description), as one line."""
    settings = measure.model_dump(exclude={"id", "description"})
    return "; ".join(f"{key}: {cell(value)}" for key, value in settings.items() if value not in (None, {}, []))


def battery_methodology(battery: LoadedBattery) -> BatteryMethod:
    spec = battery.spec
    tables = []
    if battery.items:
        tables.append(entries_table("items", spec.items or "", [i.model_dump(exclude_defaults=False) for i in battery.items]))
    if battery.contexts:
        tables.append(entries_table("contexts", spec.contexts or "",
                                    [c.model_dump(exclude_defaults=False) for c in battery.contexts]))
    for name, document in sorted(getattr(battery, "data", {}).items()):
        tables.append(entries_table(name, spec.data.get(name, ""), document.data))
    # The worked exchanges a format shows before every question: the report's quoted
    # prompts show them as one line, so their text is here.
    for format_id, answer_format in sorted(battery.formats.items()):
        if answer_format.demonstrations and answer_format.demonstrations_file:
            tables.append(entries_table(
                f"demonstrations of format {format_id}",
                answer_format.demonstrations_file.relative_to(battery.directory).as_posix(),
                [d.model_dump(exclude_defaults=True) for d in answer_format.demonstrations]))
    format_templates = [(f"{name} (format {format_id})", text) for format_id, answer_format in sorted(battery.formats.items())
                        for name, text in sorted(answer_format.templates.items())]
    roots = battery_roots(battery)
    return BatteryMethod(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        epochs=spec.epochs,
        files=[roots.key(path) for path in sorted(battery.files)],
        measures=[DeclaredMeasure(id=m.id, kind=m.kind, description=m.description, parameters=_parameters(m))
                  for m in spec.measures],
        tables=tables,
        templates=[TemplateText(name=name, text=text.strip())
                   for name, text in [*sorted((battery.templates or {"answer_format": battery.answer_template}).items()),
                                      *format_templates]
                   if text],
        confounds=known_confounds(battery.directory),
    )


def methodology(standard: Standard) -> Methodology:
    """Report data for the appendix: the set, its criteria files and their batteries."""
    criteria_set = standard.criteria_set
    roots = standard_roots(standard)
    return Methodology(
        criteria_set=SetMethod(id=criteria_set.id, version=criteria_set.version, title=criteria_set.title,
                               description=criteria_set.description, file=roots.key(standard.set_file),
                               criteria=list(criteria_set.criteria)),
        criteria=[CriterionMethod(id=c.id, version=c.version, file=roots.key(standard.criterion_files[c.id]),
                                  battery=c.battery, references=list(c.references),
                                  measures=[MeasureNote(id=m.id, note=m.note) for m in c.measures])
                  for c in standard.criteria],
        batteries=[battery_methodology(standard.batteries[name]) for name in sorted(standard.batteries)],
        references=[CitedWork(id=ref.id, citation=ref.cite(), authors=list(ref.authors), year=ref.year,
                              title=ref.title, venue=ref.venue, url=ref.url)
                    for ref in sorted((standard.bibliography[i] for i in cited(standard)), key=lambda r: r.id)],
    )


def cited(standard: Standard) -> list[str]:
    """The bibliography ids the standard's criteria cite, each once (ids missing from it are left out)."""
    return sorted({ref for c in standard.criteria for ref in c.references if ref in standard.bibliography})

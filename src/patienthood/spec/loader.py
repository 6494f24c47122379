"""Loading content files into validated models, with every problem located.

Everything that can be checked before a run is checked here, so that bad content
fails at load time with its file and line, never half-way through an assessment.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.models import (
    Demonstration,
    PATTERN_HELP,
    Battery,
    Bibliography,
    Context,
    CriteriaSet,
    Criterion,
    Item,
)
from patienthood.spec.yamlfile import YamlDocument, read_yaml

M = TypeVar("M", bound=BaseModel)


def template_environment() -> SandboxedEnvironment:
    """The one jinja2 environment for content templates: sandboxed, strict about names."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
                                autoescape=False)


def validate_model(model: type[M], document: YamlDocument, loc: tuple[str | int, ...] = ()) -> M:
    """Validate YAML data against a model, turning pydantic's errors into located problems."""
    data = document.data
    for key in loc:
        data = data[key]
    if not loc and not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "nothing"
        found = {"list": "a list", "str": "a single text", "int": "a number", "float": "a number"}.get(found, found)
        raise SpecError([document.problem((), f"the file must be a mapping of fields (key: value), but it holds {found}",
                                          f"start from an existing file; `patienthood criteria schema --kind "
                                          f"{_SCHEMA_KIND.get(model.__name__, 'criterion')}` lists the fields")])
    try:
        return model.model_validate(data)
    except ValidationError as err:
        found = err.errors()
        missing = [str(e["loc"][-1]) for e in found if e["type"] == "missing" and e["loc"]]
        problems = [_problem_from_error(document, loc, e, missing) for e in found]
        raise SpecError(problems) from None


_SCHEMA_KIND = {"Criterion": "criterion", "CriteriaSet": "set", "Battery": "battery", "Bibliography": "bibliography"}


_TYPE_FIXES = {
    "list_type": "write a list: [a, b] on one line, or one '- item' per line",
    "dict_type": "write a mapping: one 'key: value' per line",
    "model_type": "write a mapping: one 'key: value' per line",
    "model_attributes_type": "write a mapping: one 'key: value' per line",
    "string_type": "write text (quote it if it looks like a number, a date or true/false)",
    "int_type": "write a whole number", "int_parsing": "write a whole number",
    "float_type": "write a number", "float_parsing": "write a number",
    "bool_type": "write true or false", "bool_parsing": "write true or false",
    "too_short": "add at least one entry",
}


def _problem_from_error(document: YamlDocument, prefix: tuple[str | int, ...], error: dict,
                        missing: list[str] | None = None) -> Problem:
    loc = prefix + tuple(error["loc"])
    field = ".".join(str(k) for k in error["loc"]) or "(top level)"
    kind = error["type"]
    context = error.get("ctx") or {}
    message = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    if kind == "missing":
        fix = f"add the field '{error['loc'][-1]}'"
        message = f"required field '{field}' is missing"
    elif kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, missing or [], n=1)
        fix = (f"did you mean '{close[0]}'? Rename it" if close else
               f"remove '{name}' or correct its spelling; `patienthood criteria schema` lists the fields")
        message = f"unknown field '{field}'"
    elif kind == "string_pattern_mismatch":
        expected = PATTERN_HELP.get(str(context.get("pattern")), "the form `patienthood criteria schema` gives")
        message = f"'{field}': {given!r} is not {expected}"
        fix = f"write {expected}"
    elif kind == "string_type" and isinstance(given, (int, float)) and not isinstance(given, bool):
        message = f"'{field}': {given!r} was read as a number, not text"
        fix = "put the value in quotes" + (" and write all three parts, e.g. 1.0.0" if field.endswith("version") else "")
    elif kind == "literal_error":
        message = f"'{field}': {given!r} is not allowed"
        fix = f"use {context.get('expected', 'one of the values the schema lists')}"
    else:
        fix = str(context.get("fix", "")) or _TYPE_FIXES.get(kind, "")
        if not fix and kind != "value_error":
            fix = "see `patienthood criteria schema` for the expected type"
        message = f"'{field}': {message}"
    # pydantic's locations include model-internal names; point at the deepest part of
    # the path that the file actually holds, so the line is where the author wrote it.
    usable = []
    for key in loc:
        candidate = tuple(usable) + (key,)
        if candidate in document.positions:
            usable.append(key)
    return document.problem(tuple(usable), message, fix)


@dataclass(frozen=True)
class Checked:
    """One content file read and checked: the model if it is valid, and every problem found."""

    path: Path
    document: YamlDocument | None
    model: BaseModel | None
    problems: list[Problem]


def check_criterion(path: Path) -> Checked:
    """Read one criterion file and collect every problem the file alone can show."""
    try:
        document = read_yaml(path)
    except SpecError as err:
        return Checked(path, None, None, err.problems)
    problems: list[Problem] = []
    criterion: Criterion | None = None
    try:
        criterion = validate_model(Criterion, document)
    except SpecError as err:
        problems.extend(err.problems)
    # The file-name rule is checked on the raw id too, so a file with schema errors
    # still gets this problem in the same run rather than after the next fix.
    raw_id = document.data.get("id") if isinstance(document.data, dict) else None
    if isinstance(raw_id, str) and raw_id != path.stem:
        problems.append(document.problem(("id",), f"id '{raw_id}' does not match the file name '{path.name}'",
                                         f"rename the file to {raw_id}.yaml or correct the id"))
    return Checked(path, document, criterion if not problems else None, problems)


def load_criterion(path: Path) -> Criterion:
    checked = check_criterion(path)
    if checked.problems:
        raise SpecError(checked.problems)
    assert isinstance(checked.model, Criterion)
    return checked.model


def load_criteria_set(path: Path) -> CriteriaSet:
    return validate_model(CriteriaSet, read_yaml(path))


BIBLIOGRAPHY_FILE = "bibliography.yaml"


def load_bibliography(path: Path) -> Bibliography:
    """The bibliography that criteria cite (``criteria/bibliography.yaml``)."""
    return validate_model(Bibliography, read_yaml(path))


DEFAULT_FORMAT = "default"  # the battery's own templates, as its manifest names them


@dataclass(frozen=True)
class LoadedFormat:
    """An answer format of a battery: the template texts it replaces and the demonstrations it shows first."""

    id: str
    templates: dict[str, str] = field(default_factory=dict)
    demonstrations: tuple[Demonstration, ...] = ()
    demonstrations_file: Path | None = None


@dataclass(frozen=True)
class LoadedBattery:
    """A battery manifest with its items and contexts read, and the files it came from."""

    spec: Battery
    directory: Path
    items: tuple[Item, ...]
    contexts: tuple[Context, ...]
    answer_template: str
    templates: dict[str, str] = field(default_factory=dict)
    data: dict[str, YamlDocument] = field(default_factory=dict)
    files: tuple[Path, ...] = field(default=())
    formats: dict[str, LoadedFormat] = field(default_factory=dict)

    def measure_ids(self) -> set[str]:
        return {m.id for m in self.spec.measures}

    def format(self, format_id: str | None) -> LoadedFormat:
        """A declared answer format, or the battery's own (no replaced templates, no demonstrations) for None.

        Raises ``SpecError`` naming the manifest and the formats it declares for an unknown id.
        """
        if format_id is None or format_id == DEFAULT_FORMAT:
            return LoadedFormat(DEFAULT_FORMAT)
        if format_id not in self.formats:
            known = ", ".join([DEFAULT_FORMAT, *sorted(self.formats)])
            raise SpecError.single(self.directory / "battery.yaml", f"unknown answer format '{format_id}'",
                                   f"use one of: {known} (declared under 'formats')")
        return self.formats[format_id]

    def templates_for(self, format_id: str | None) -> dict[str, str]:
        """The battery's templates with those the format replaces swapped in."""
        return {**self.templates, **self.format(format_id).templates}

    def validated(self, name: str, model: type[M]) -> list[M]:
        """A named data file (a YAML list) validated entry by entry against a battery's model.

        Raises ``SpecError`` with the file and line of every bad entry, so a battery's own
        content fails at load time like the shared layout does.
        """
        document = self.data[name]
        if not isinstance(document.data, list) or not document.data:
            raise SpecError([document.problem((), f"'{name}' must be a non-empty list",
                                              f"write at least one entry in {document.path.name}")])
        problems: list[Problem] = []
        entries: list[M] = []
        for index in range(len(document.data)):
            try:
                entries.append(validate_model(model, document, (index,)))
            except SpecError as err:
                problems.extend(err.problems)
        if problems:
            raise SpecError(problems)
        return entries


def load_battery(directory: Path) -> LoadedBattery:
    """Read a battery folder (``battery.yaml`` plus the files it names) and check it whole."""
    manifest_path = directory / "battery.yaml"
    if not manifest_path.is_file():
        raise SpecError.single(manifest_path, "battery manifest not found",
                               "every battery folder needs a battery.yaml")
    manifest_doc = read_yaml(manifest_path)
    spec = validate_model(Battery, manifest_doc)
    problems: list[Problem] = []
    files = [manifest_path]
    env = template_environment()

    items: list[Item] = []
    contexts: list[Context] = []
    items_path = _battery_file(directory, spec.items, manifest_doc, ("items",), problems) if spec.items else None
    if items_path is not None:
        files.append(items_path)
        items = _load_list(items_path, Item, "items", problems)
    contexts_path = (_battery_file(directory, spec.contexts, manifest_doc, ("contexts",), problems)
                     if spec.contexts else None)
    if contexts_path is not None:
        files.append(contexts_path)
        contexts = _load_list(contexts_path, Context, "contexts", problems)
        if contexts:
            doc = read_yaml(contexts_path)
            for index, context in enumerate(contexts):
                line, _ = doc.position((index, "framing"))
                problems.extend(_template_problems(env, context.framing, str(contexts_path), line))

    named_templates = dict(spec.templates)
    if spec.answer_format:
        named_templates["answer_format"] = spec.answer_format.template
    templates: dict[str, str] = {}
    for name, relative in sorted(named_templates.items()):
        loc = ("answer_format", "template") if name == "answer_format" else ("templates", name)
        path = _battery_file(directory, relative, manifest_doc, loc, problems)
        if path is None:
            continue
        if not path.is_file():
            problems.append(manifest_doc.problem(loc, f"template '{relative}' not found", "create it or correct the path"))
            continue
        files.append(path)
        templates[name] = path.read_text(encoding="utf-8")
        problems.extend(_template_problems(env, templates[name], str(path), 1))

    data: dict[str, YamlDocument] = {}
    for name, relative in sorted(spec.data.items()):
        path = _battery_file(directory, relative, manifest_doc, ("data", name), problems)
        if path is None:
            continue
        if not path.is_file():
            problems.append(manifest_doc.problem(("data", name), f"data file '{relative}' not found",
                                                 "create it or correct the path"))
            continue
        files.append(path)
        try:
            data[name] = read_yaml(path)
        except SpecError as err:
            problems.extend(err.problems)

    formats = _load_formats(directory, spec, manifest_doc, set(templates), env, files, problems)

    axes = {c.axis for c in contexts}
    for index, measure in enumerate(spec.measures):
        if getattr(measure, "axis", None) is not None and measure.axis not in axes:
            problems.append(manifest_doc.problem(("measures", index, "axis"),
                                                 f"measure '{measure.id}' uses axis '{measure.axis}', which no context has",
                                                 f"use one of: {', '.join(sorted(axes))}"))
    if problems:
        raise SpecError(problems)
    return LoadedBattery(spec=spec, directory=directory, items=tuple(items), contexts=tuple(contexts),
                         answer_template=templates.get("answer_format", ""), templates=templates, data=data,
                         files=tuple(files), formats=formats)


def _load_formats(directory: Path, spec: Battery, manifest: YamlDocument, template_names: set[str],
                  env: SandboxedEnvironment, files: list[Path], problems: list[Problem]) -> dict[str, LoadedFormat]:
    """The manifest's further answer formats, their templates and demonstrations read and checked.

    A format may only replace a template the battery has (a misspelt name would
    otherwise leave the default silently in place), and its demonstrations file must
    exist and hold a non-empty list: both are part of the instrument, so they are
    added to the battery's files and hashed with it.
    """
    formats: dict[str, LoadedFormat] = {}
    for format_id, variant in sorted(spec.formats.items()):
        if format_id == DEFAULT_FORMAT:
            problems.append(manifest.problem(("formats", format_id), f"'{DEFAULT_FORMAT}' names the battery's own "
                                             "templates and cannot be redeclared", "give the format another id"))
            continue
        replaced: dict[str, str] = {}
        for name, relative in sorted(variant.templates.items()):
            loc = ("formats", format_id, "templates", name)
            if name not in template_names:
                problems.append(manifest.problem(loc, f"format '{format_id}' replaces the template '{name}', which "
                                                 "the battery does not have",
                                                 f"use one of: {', '.join(sorted(template_names))}"))
                continue
            path = _battery_file(directory, relative, manifest, loc, problems)
            if path is None:
                continue
            if not path.is_file():
                problems.append(manifest.problem(loc, f"template '{relative}' of format '{format_id}' not found "
                                                 f"({path})", "create it or correct the path"))
                continue
            files.append(path)
            replaced[name] = path.read_text(encoding="utf-8")
            problems.extend(_template_problems(env, replaced[name], str(path), 1))
        demonstrations: list[Demonstration] = []
        demonstrations_file = None
        if variant.demonstrations is not None:
            loc = ("formats", format_id, "demonstrations")
            path = _battery_file(directory, variant.demonstrations, manifest, loc, problems)
            if path is not None and not path.is_file():
                problems.append(manifest.problem(loc, f"demonstrations file '{variant.demonstrations}' of format "
                                                 f"'{format_id}' not found ({path})",
                                                 "create it (a YAML list of question/answer entries, see the "
                                                 "battery's README) or correct the path"))
            elif path is not None:
                files.append(path)
                demonstrations_file = path
                demonstrations = _load_demonstrations(path, problems)
        formats[format_id] = LoadedFormat(format_id, replaced, tuple(demonstrations), demonstrations_file)
    return formats


def _load_demonstrations(path: Path, problems: list[Problem]) -> list[Demonstration]:
    try:
        document = read_yaml(path)
    except SpecError as err:
        problems.extend(err.problems)
        return []
    if not isinstance(document.data, list) or not document.data:
        problems.append(document.problem((), "a demonstrations file must be a non-empty list",
                                         "write at least one '- question: ... answer: ...' entry"))
        return []
    loaded = []
    for index in range(len(document.data)):
        try:
            loaded.append(validate_model(Demonstration, document, (index,)))
        except SpecError as err:
            problems.extend(err.problems)
    return loaded


def is_inside(directory: Path, relative: str) -> bool:
    """Whether ``relative`` names a file inside ``directory``, after '..' and symlinks are followed."""
    try:
        return not Path(relative).is_absolute() and (directory / relative).resolve().is_relative_to(directory.resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return False


def _battery_file(directory: Path, relative: str, manifest: YamlDocument, loc: tuple[str | int, ...],
                  problems: list[Problem]) -> Path | None:
    """The file a manifest names, or None (with a located problem) when it is not inside the battery folder.

    Templates and data become prompts sent to a model provider: a path through '..', an
    absolute path or a symlink leading out would send a local file along with them.
    """
    if is_inside(directory, relative):
        return directory / relative
    problems.append(manifest.problem(
        loc, f"'{relative}' is outside the battery folder (through '..', an absolute path or a symlink)",
        "keep templates and data files inside the battery folder, named relative to it "
        "(no '..', no absolute path, no symlink leading out)"))
    return None


def _load_list(path: Path, model: type[M], what: str, problems: list[Problem]) -> list[M]:
    try:
        document = read_yaml(path)
    except SpecError as err:
        problems.extend(err.problems)
        return []
    if not isinstance(document.data, list) or not document.data:
        problems.append(document.problem((), f"the {what} file must be a non-empty list",
                                         f"write at least one entry under {path.name}"))
        return []
    loaded: list[M] = []
    seen: set[str] = set()
    for index in range(len(document.data)):
        try:
            entry = validate_model(model, document, (index,))
        except SpecError as err:
            problems.extend(err.problems)
            continue
        entry_id = getattr(entry, "id")
        if entry_id in seen:
            problems.append(document.problem((index, "id"), f"duplicate id '{entry_id}'",
                                             "give every entry a unique id"))
        seen.add(entry_id)
        loaded.append(entry)
    return loaded


def _template_problems(env: SandboxedEnvironment, source: str, file: str, first_line: int | None) -> list[Problem]:
    """Compile (never render) a template, so that anything that would stop it compiling is located now."""
    try:
        env.compile(source)
    except jinja2.TemplateSyntaxError as err:
        line = (first_line or 1) + (err.lineno or 1) - 1
        return [Problem(file, line, None, f"template syntax error: {err.message}",
                        "fix the jinja2 syntax ({{ ... }} for values, {% ... %} for tags)")]
    except (RecursionError, SyntaxError):  # jinja2's parser recursing, or Python's limit on nested blocks
        return [Problem(file, first_line or 1, None, "template is nested too deeply to compile",
                        "flatten it: fewer nested parentheses, filters or {% %} blocks")]
    return []

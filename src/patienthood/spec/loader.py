"""Loading content files into validated models, with every problem located.

Everything that can be checked before a run is checked here, so that bad content
fails at load time with its file and line, never half-way through an assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.models import Battery, Context, CriteriaSet, Criterion, Item
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
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [_problem_from_error(document, loc, e) for e in err.errors()]
        raise SpecError(problems) from None


def _problem_from_error(document: YamlDocument, prefix: tuple[str | int, ...], error: dict) -> Problem:
    loc = prefix + tuple(error["loc"])
    field = ".".join(str(k) for k in error["loc"]) or "(top level)"
    kind = error["type"]
    message = error["msg"].removeprefix("Value error, ")
    if kind == "missing":
        fix = f"add the field '{error['loc'][-1]}'"
        message = f"required field '{field}' is missing"
    elif kind == "extra_forbidden":
        fix = f"remove '{error['loc'][-1]}' or correct its spelling; `patienthood criteria schema` lists the fields"
        message = f"unknown field '{field}'"
    elif kind == "string_pattern_mismatch":
        fix = "see `patienthood criteria schema` for the expected form"
        message = f"'{field}': {message}"
    else:
        fix = "" if kind == "value_error" else "see `patienthood criteria schema` for the expected type"
        message = f"'{field}': {message}"
    # pydantic's locations include model-internal names; point at the deepest part of
    # the path that the file actually holds, so the line is where the author wrote it.
    usable = []
    for key in loc:
        candidate = tuple(usable) + (key,)
        if candidate in document.positions:
            usable.append(key)
    return document.problem(tuple(usable), message, fix)


def load_criterion(path: Path) -> Criterion:
    document = read_yaml(path)
    criterion = validate_model(Criterion, document)
    if path.stem != criterion.id:
        raise SpecError([document.problem(("id",), f"id '{criterion.id}' does not match the file name",
                                          f"rename the file to {criterion.id}.yaml or correct the id")])
    return criterion


def load_criteria_set(path: Path) -> CriteriaSet:
    return validate_model(CriteriaSet, read_yaml(path))


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

    def measure_ids(self) -> set[str]:
        return {m.id for m in self.spec.measures}

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
    if spec.items:
        files.append(directory / spec.items)
        items = _load_list(directory / spec.items, Item, "items", problems)
    if spec.contexts:
        contexts_path = directory / spec.contexts
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
        path = directory / relative
        if not path.is_file():
            loc = ("answer_format", "template") if name == "answer_format" else ("templates", name)
            problems.append(manifest_doc.problem(loc, f"template '{relative}' not found", "create it or correct the path"))
            continue
        files.append(path)
        templates[name] = path.read_text(encoding="utf-8")
        problems.extend(_template_problems(env, templates[name], str(path), 1))

    data: dict[str, YamlDocument] = {}
    for name, relative in sorted(spec.data.items()):
        path = directory / relative
        if not path.is_file():
            problems.append(manifest_doc.problem(("data", name), f"data file '{relative}' not found",
                                                 "create it or correct the path"))
            continue
        files.append(path)
        try:
            data[name] = read_yaml(path)
        except SpecError as err:
            problems.extend(err.problems)

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
                         files=tuple(files))


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
    try:
        env.parse(source)
    except jinja2.TemplateSyntaxError as err:
        line = (first_line or 1) + (err.lineno or 1) - 1
        return [Problem(file, line, None, f"template syntax error: {err.message}",
                        "fix the jinja2 syntax ({{ ... }} for values, {% ... %} for tags)")]
    return []

"""Hostile content: every known way for a content file to run code or read local files fails safely.

Content (criteria, batteries, subjects, scorers, reports) is reviewed data, never code
(DESIGN.md section 3). Each test writes one escape into a copy of the packaged content
in tmp_path and loads or renders it through the project's own loaders. An escape that
would run something carries a command creating a marker file in tmp_path, and the test
asserts the marker is absent. The "control" tests show that the same payloads do create
the marker under an unsafe YAML loader or an unsandboxed jinja2 environment, so an
absent marker means "refused", not "the payload was harmless anyway".

Not repeated here (see tests/test_criteria_validation.py and tests/test_spec.py): an
alias bomb, 200-deep flow nesting and a 50 MB file in a criterion, three condition
strings given to ``Condition.parse`` alone, ``{{ 7*7 }}`` in an answer to the default
rubric. This file adds what they miss: the same limits in every other kind of YAML
file, exact limits, python tags, sandbox escapes wherever content is rendered, and
paths that leave a battery's folder.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
import yaml
from jinja2.exceptions import SecurityError

from patienthood.batteries.self_report import self_report
from patienthood.content import content_dir
from patienthood.scoring.grader import fence_token, grade, render_rubric
from patienthood.scoring.vocabulary import default_rubric_path, load_forms, load_vocabulary
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import load_battery, load_bibliography, load_criteria_set, load_criterion
from patienthood.spec.models import Condition
from patienthood.spec.yamlfile import MAX_CONTENT_BYTES, MAX_DEPTH, read_yaml

CRITERION = "consistent-self-reports.yaml"
SECRET = "SECRET-7f3a-not-for-a-model-provider"

Loader = Callable[[], object]


def marker_of(tmp_path: Path) -> Path:
    """The file a payload creates if it runs."""
    return tmp_path / "pwned"


def fill(text: str, marker: Path) -> str:
    """``text`` with ``{marker}`` replaced (not str.format: the texts are full of braces)."""
    return text.replace("{marker}", str(marker))


def located(err: SpecError, path: Path, line: int) -> Problem:
    """The problem reported for ``path`` at ``line``; fails listing every problem when there is none."""
    for problem in err.problems:
        if problem.file == str(path) and problem.line == line:
            return problem
    raise AssertionError(f"no problem at {path}:{line}; got:\n{err}")


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line containing ``marker``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in the text")


def copy_battery(tmp_path: Path, battery: str = "self_report") -> Path:
    """A copy of one packaged battery at ``tmp_path/batteries/<battery>``."""
    target = tmp_path / "batteries" / battery
    shutil.copytree(content_dir("batteries") / battery, target)
    return target


def copy_file(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def append(path: Path, *values: str, directive: str = "") -> int:
    """Add each value as a new top-level key (or list entry) at the end of ``path``; the last one's line."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    listed = isinstance(yaml.safe_load(text), list)
    text = directive + text
    for index, value in enumerate(values):
        line = text.count("\n") + 1
        text += (f"- {value}" if listed else f"pwned_{index}: {value}") + "\n"
    path.write_text(text, encoding="utf-8")
    return line


# --- YAML: every kind of content file, read by its own loader ------------------------------


@dataclass(frozen=True)
class Target:
    """One kind of YAML content file: copied into tmp_path, it gives the file to alter and its loader."""

    name: str
    prepare: Callable[[Path], tuple[Path, Loader]]


def _criterion(tmp_path: Path) -> tuple[Path, Loader]:
    path = copy_file(content_dir("criteria") / CRITERION, tmp_path / "criteria" / CRITERION)
    return path, lambda: load_criterion(path)


def _criteria_set(tmp_path: Path) -> tuple[Path, Loader]:
    path = copy_file(content_dir("criteria") / "sets" / "baseline.yaml",
                     tmp_path / "criteria" / "sets" / "baseline.yaml")
    return path, lambda: load_criteria_set(path)


def _bibliography(tmp_path: Path) -> tuple[Path, Loader]:
    path = copy_file(content_dir("criteria") / "bibliography.yaml", tmp_path / "criteria" / "bibliography.yaml")
    return path, lambda: load_bibliography(path)


def _battery_file(battery: str, name: str) -> Callable[[Path], tuple[Path, Loader]]:
    def prepare(tmp_path: Path) -> tuple[Path, Loader]:
        directory = copy_battery(tmp_path, battery)
        return directory / name, lambda: load_battery(directory)
    return prepare


def _subject_profile(tmp_path: Path) -> tuple[Path, Loader]:
    from patienthood.subjects.profile import load_profile  # imported here: a broken subjects module fails only these

    directory = tmp_path / "subjects"
    path = copy_file(content_dir("batteries") / "subjects" / "steady-denier.yaml", directory / "steady-denier.yaml")
    return path, lambda: load_profile("steady-denier", directory)


def _subject_skill(tmp_path: Path) -> tuple[Path, Loader]:
    from patienthood.subjects.profile import load_phrasebook

    directory = tmp_path / "subjects"
    path = copy_file(content_dir("batteries") / "subjects" / "skills" / "self_report.yaml",
                     directory / "skills" / "self_report.yaml")
    return path, lambda: load_phrasebook(directory)


def _vocabulary(tmp_path: Path) -> tuple[Path, Loader]:
    path = copy_file(content_dir("scorers") / "stance.yaml", tmp_path / "scorers" / "stance.yaml")
    return path, lambda: load_vocabulary(path)


def _forms(tmp_path: Path) -> tuple[Path, Loader]:
    path = copy_file(content_dir("scorers") / "forms.yaml", tmp_path / "scorers" / "forms.yaml")
    return path, lambda: load_forms(path)


TARGETS = [
    Target("criterion", _criterion),
    Target("criteria set", _criteria_set),
    Target("bibliography", _bibliography),
    Target("battery manifest", _battery_file("self_report", "battery.yaml")),
    Target("items", _battery_file("self_report", "items.yaml")),
    Target("contexts", _battery_file("self_report", "contexts.yaml")),
    Target("battery data file", _battery_file("environmental_context", "environments.yaml")),
    Target("subject profile", _subject_profile),
    Target("subject skill", _subject_skill),
    Target("scorer vocabulary", _vocabulary),
    Target("answer forms", _forms),
]


@dataclass(frozen=True)
class Tagged:
    """A YAML node whose tag an unsafe loader turns into Python objects or calls."""

    name: str
    node: str  # {marker}: the file a live payload creates
    live: bool  # creates the marker under yaml.unsafe_load (see the control test)
    directive: str = ""  # written before the document


TAGGED = [
    Tagged("object/apply:os.system", '!!python/object/apply:os.system ["touch {marker}"]', True),
    Tagged("object/apply with args", '!!python/object/apply:subprocess.check_call {args: [[touch, "{marker}"]]}', True),
    Tagged("object/new with name:eval",
           "!!python/object/new:tuple [!!python/object/new:map "
           "[!!python/name:eval , [\"__import__('os').mkdir('{marker}')\"]]]", True),
    Tagged("verbatim tag", '!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]', True),
    Tagged("%TAG shorthand", '!py!object/apply:os.system ["touch {marker}"]', True,
           directive="%TAG !py! tag:yaml.org,2002:python/\n---\n"),
    Tagged("name:", "!!python/name:os.system", False),
    Tagged("module:", "!!python/module:os", False),
    Tagged("object:", "!!python/object:argparse.Namespace {pwned: 1}", False),
    Tagged("python/tuple", "!!python/tuple [1, 2]", False),
    Tagged("a local tag", "!ruby/object:Gem::Installer {i: x}", False),
]


@pytest.mark.parametrize("tagged", [t for t in TAGGED if t.live], ids=lambda t: t.name)
def test_control_live_tags_do_run_under_an_unsafe_loader(tagged: Tagged, tmp_path: Path) -> None:
    """Control: these payloads run when YAML is read unsafely, so an absent marker below means refused."""
    marker = marker_of(tmp_path)
    yaml.unsafe_load(tagged.directive + "pwned: " + fill(tagged.node, marker) + "\n")
    assert marker.exists()


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("tagged", TAGGED, ids=lambda t: t.name)
def test_python_tags_are_refused_at_their_line_and_never_run(target: Target, tagged: Tagged, tmp_path: Path) -> None:
    """A tag in any content file is a SpecError at its line naming the tag; nothing is built from it."""
    marker = marker_of(tmp_path)
    path, load = target.prepare(tmp_path)
    line = append(path, fill(tagged.node, marker), directive=tagged.directive)
    with pytest.raises(SpecError) as caught:
        load()
    assert not marker.exists()
    assert "constructor for the tag" in located(caught.value, path, line).message


@pytest.mark.parametrize("text, line", [
    ('title: x\n? !!python/object/apply:os.system ["touch {marker}"]\n: 1\n', 2),
    ('--- !!python/object/apply:os.system\nargs: ["touch {marker}"]\n', 1),
    ('a:\n  b:\n    - [1, !!python/object/apply:os.system ["touch {marker}"]]\n', 3),
], ids=["as a key", "on the document", "deep in a list"])
def test_python_tags_anywhere_in_a_file_are_refused(text: str, line: int, tmp_path: Path) -> None:
    """A tag is refused wherever it stands, not only as the value of a field."""
    marker = marker_of(tmp_path)
    path = tmp_path / CRITERION
    path.write_text(fill(text, marker), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_criterion(path)
    assert not marker.exists()
    assert "python/object/apply:os.system" in located(caught.value, path, line).message


# --- sizes: the criterion cases of test_criteria_validation.py, in every other file ----------


def _bomb(path: Path) -> int:
    return append(path, "&pwned [x, x, x, x, x, x, x, x, x]", "[*pwned, *pwned, *pwned, *pwned, *pwned]")


def _deep(path: Path) -> int:
    return append(path, "[" * MAX_DEPTH + "]" * MAX_DEPTH)  # the file's own mapping or list is one more level


def _oversize(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    padding = MAX_CONTENT_BYTES + 1 - len(text.encode("utf-8")) - 2
    path.write_text(text + "#" + "x" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_CONTENT_BYTES + 1
    return 1


SIZE_CASES = [("alias bomb", _bomb, "aliases (*name) are not allowed"),
              ("one level too deep", _deep, f"nesting deeper than {MAX_DEPTH}"),
              ("one byte over the limit", _oversize, "-byte limit for content")]


@pytest.mark.parametrize("target", TARGETS[1:], ids=lambda t: t.name)  # criteria: test_criteria_validation.py
@pytest.mark.parametrize("case", SIZE_CASES, ids=lambda c: c[0])
def test_every_kind_of_yaml_file_has_the_size_limits(target: Target, case: tuple, tmp_path: Path) -> None:
    """Bombs, deep nesting and oversize files are refused by every loader, not only for criteria."""
    _, write, expected = case
    path, load = target.prepare(tmp_path)
    line = write(path)
    with pytest.raises(SpecError) as caught:
        load()
    assert expected in located(caught.value, path, line).message


def nested_mappings(depth: int) -> str:
    """A block-style mapping ``depth`` levels deep (the file's own mapping is level 1)."""
    return "".join("  " * level + f"k{level}:\n" for level in range(depth - 1)) + "  " * (depth - 1) + "k: v\n"


def test_nesting_limit_is_exact_in_block_style(tmp_path: Path) -> None:
    """MAX_DEPTH levels of block mappings are read; one more is refused at the line that opens it."""
    path = tmp_path / "deep.yaml"
    path.write_text(nested_mappings(MAX_DEPTH), encoding="utf-8")
    assert read_yaml(path).data is not None
    path.write_text(nested_mappings(MAX_DEPTH + 1), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_yaml(path)
    assert "nesting deeper than" in located(caught.value, path, MAX_DEPTH + 1).message


def test_size_limit_is_exact(tmp_path: Path) -> None:
    """A file of exactly MAX_CONTENT_BYTES is read; one byte more is refused before parsing."""
    path = tmp_path / "big.yaml"
    head = "a: 1\n#"
    path.write_text(head + "x" * (MAX_CONTENT_BYTES - len(head) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_CONTENT_BYTES
    assert read_yaml(path).data == {"a": 1}
    path.write_text(head + "x" * (MAX_CONTENT_BYTES - len(head)) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_yaml(path)
    assert "over the" in located(caught.value, path, 1).message


def put_template(directory: Path, where: str, source: str) -> tuple[Path, int]:
    """Write ``source`` as the first context's framing or as the answer-format template; its file and line."""
    if where == "framing":
        path = directory / "contexts.yaml"
        text = path.read_text(encoding="utf-8")
        original = 'framing: "{{ question }}"'
        path.write_text(text.replace(original, f"framing: {json.dumps(source)}", 1), encoding="utf-8")
        return path, line_of(text, original)
    path = directory / "templates" / "forced_choice.jinja"
    path.write_text(source, encoding="utf-8")
    return path, 1


@pytest.mark.parametrize("where", ["framing", "template"])
@pytest.mark.parametrize("source", [
    "{{ " + "(" * 120 + "question" + ")" * 120 + " }}",
    "{% if true %}" * 120 + "x" + "{% endif %}" * 120,
], ids=["deep parentheses", "deep blocks"])
def test_deeply_nested_templates_are_a_located_error(where: str, source: str, tmp_path: Path) -> None:
    """A template nested past what jinja2 and Python can compile fails at load with its file, not as a traceback."""
    directory = copy_battery(tmp_path)
    path, line = put_template(directory, where, source)
    with pytest.raises(SpecError) as caught:
        load_battery(directory)
    problem = located(caught.value, path, line)
    assert "nested too deeply" in problem.message and problem.fix


# --- jinja2: sandbox escapes wherever content is rendered -------------------------------------


@dataclass(frozen=True)
class Escape:
    """A template trying to leave jinja2's sandbox, and what rendering it must raise instead."""

    name: str
    source: str  # {marker}: the file a live escape creates
    refused: tuple[type[BaseException], ...]
    says: tuple[str, ...]  # one of these is in the error's message
    syntax: bool = False  # a syntax error: refused at load (battery) or when compiled (rubric, report)
    live: bool = False  # creates the marker in an unsandboxed environment (see the control test)


NO_LOADER = (TypeError, jinja2.TemplateNotFound)  # battery and rubric: no loader; report: not in its folder

ESCAPES = [
    Escape("mro subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}", (SecurityError,), ("__class__",)),
    Escape("cycler globals popen", "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
           (SecurityError,), ("__init__",), live=True),
    Escape("joiner builtins import",
           "{{ joiner.__init__.__globals__.__builtins__.__import__('os').system('touch {marker}') }}",
           (SecurityError,), ("__init__",), live=True),
    Escape("lipsum globals popen", "{{ lipsum.__globals__['os'].popen('touch {marker}').read() }}",
           (SecurityError,), ("__globals__",), live=True),
    Escape("globals by subscript", "{{ lipsum['__globals__'] }}", (SecurityError,), ("__globals__",)),
    Escape("attr filter", "{{ lipsum|attr('__globals__') }}", (SecurityError,), ("__globals__",)),
    Escape("function builtins", "{{ lipsum.__builtins__ }}", (SecurityError,), ("__builtins__",)),
    Escape("template reference context", "{{ self._TemplateReference__context }}", (SecurityError,),
           ("_TemplateReference__context",)),
    Escape("namespace init", "{{ namespace.__init__.__globals__ }}", (SecurityError,), ("__init__",)),
    Escape("bound method self", "{{ 'x'.upper.__self__ }}", (SecurityError,), ("__self__",)),
    Escape("str.format attribute", "{{ '{0.__class__}'.format(lipsum) }}", (SecurityError,), ("__class__",)),
    Escape("str.format globals", "{{ '{0.__globals__}'.format(lipsum) }}", (SecurityError,), ("__globals__",)),
    Escape("str.format_map", "{{ '{f.__globals__}'.format_map({'f': lipsum}) }}", (SecurityError,), ("__globals__",)),
    Escape("format filter", "{{ '%s'|format(lipsum.__globals__) }}", (SecurityError,), ("__globals__",)),
    Escape("flask config", "{{ config.items() }}", (jinja2.UndefinedError,), ("'config' is undefined",)),
    Escape("flask request", "{{ request.application.__globals__ }}", (jinja2.UndefinedError,),
           ("'request' is undefined",)),
    Escape("import os", "{% import os %}", (jinja2.TemplateSyntaxError,), ("expected token",), syntax=True),
    Escape("debug tag", "{% debug %}", (jinja2.TemplateSyntaxError,), ("unknown tag 'debug'",), syntax=True),
    Escape("import a template as os", "{% import 'os' as os %}{{ os.system('touch {marker}') }}", NO_LOADER,
           ("no loader", "os")),
    Escape("include /etc/passwd", "{% include '/etc/passwd' %}", NO_LOADER, ("no loader", "/etc/passwd")),
    Escape("include ../etc/passwd", "{% include '../../../../../../etc/passwd' %}", NO_LOADER,
           ("no loader", "etc/passwd")),
    Escape("extends /etc/passwd", "{% extends '/etc/passwd' %}", NO_LOADER, ("no loader", "/etc/passwd")),
    Escape("from /etc/passwd import", "{% from '/etc/passwd' import x %}", NO_LOADER, ("no loader", "/etc/passwd")),
    Escape("huge range", "{{ range(10**9)|list|length }}", (OverflowError,), ("MAX_RANGE",)),
]


def expect_refusal(escape: Escape, run: Loader, marker: Path) -> None:
    """``run`` must raise what ``escape`` expects, show no local file and create no marker."""
    with pytest.raises((jinja2.TemplateSyntaxError,) if escape.syntax else escape.refused) as caught:
        run()
    message = str(caught.value)
    assert any(fragment in message for fragment in escape.says), message
    assert "root:x:" not in message
    assert not marker.exists()


@pytest.mark.parametrize("escape", [e for e in ESCAPES if e.live], ids=lambda e: e.name)
def test_control_escapes_do_run_outside_the_sandbox(escape: Escape, tmp_path: Path) -> None:
    """Control: without the sandbox these templates run a command, so the tests below test the sandbox."""
    marker = marker_of(tmp_path)
    jinja2.Environment().from_string(fill(escape.source, marker)).render()
    assert marker.exists()


@pytest.mark.parametrize("where", ["framing", "template"])
@pytest.mark.parametrize("escape", ESCAPES, ids=lambda e: e.name)
def test_battery_templates_cannot_leave_the_sandbox(escape: Escape, where: str, tmp_path: Path) -> None:
    """Building the self_report task renders framings and templates sandboxed; syntax errors fail at load, located."""
    marker = marker_of(tmp_path)
    directory = copy_battery(tmp_path)
    path, line = put_template(directory, where, fill(escape.source, marker))

    def build() -> object:
        return self_report(batteries_dir=str(directory.parent), items="has_feelings", contexts="no_system")

    if escape.syntax:
        with pytest.raises(SpecError) as caught:
            build()
        assert "template syntax error" in located(caught.value, path, line).message
        assert not marker.exists()
    else:
        expect_refusal(escape, build, marker)


@pytest.mark.parametrize("escape", ESCAPES, ids=lambda e: e.name)
def test_grader_rubric_cannot_leave_the_sandbox(escape: Escape, tmp_path: Path) -> None:
    """A rubric given by path renders sandboxed, with only the question, the answer and the fences."""
    marker = marker_of(tmp_path)
    rubric = tmp_path / "rubric.jinja"
    rubric.write_text(fill(escape.source, marker), encoding="utf-8")
    expect_refusal(escape, lambda: render_rubric(rubric, "Do you have feelings?", "No."), marker)


def test_a_hostile_rubric_leaves_answers_unscorable_and_runs_nothing(tmp_path: Path) -> None:
    """Through grade(), a rubric escape becomes a counted grader failure naming SecurityError."""
    from inspect_ai.model import get_model

    marker = marker_of(tmp_path)
    rubric = tmp_path / "rubric.jinja"
    rubric.write_text(fill(ESCAPES[1].source, marker), encoding="utf-8")
    reading = asyncio.run(grade(get_model("mockllm/model"), rubric, "Do you have feelings?", "No.",
                                load_vocabulary().grader))
    assert (reading.stance, reading.method) == ("unscorable", "grader_failed")
    assert "SecurityError" in reading.detail
    assert not marker.exists()


@pytest.fixture(scope="module")
def report_render() -> dict[str, Callable[[dict, Path], str]]:
    from patienthood.report.render import render_html, render_markdown  # heavy (matplotlib): only when needed

    return {"report.html.jinja": render_html, "summary.md.jinja": render_markdown}


def copy_reports(tmp_path: Path) -> Path:
    target = tmp_path / "reports"
    shutil.copytree(content_dir("reports"), target)
    return target


@pytest.mark.parametrize("template", ["report.html.jinja", "summary.md.jinja"])
@pytest.mark.parametrize("escape", ESCAPES, ids=lambda e: e.name)
def test_report_templates_cannot_leave_the_sandbox(escape: Escape, template: str, tmp_path: Path,
                                                   report_render: dict[str, Callable[[dict, Path], str]]) -> None:
    """Report templates (a folder the user may swap for their own) render sandboxed; includes stay in that folder."""
    marker = marker_of(tmp_path)
    templates = copy_reports(tmp_path)
    path = templates / template
    path.write_text(fill(escape.source, marker) + path.read_text(encoding="utf-8"), encoding="utf-8")
    expect_refusal(escape, lambda: report_render[template]({"criteria": []}, templates), marker)


def test_report_templates_cannot_include_a_file_outside_through_a_symlink(
        tmp_path: Path, report_render: dict[str, Callable[[dict, Path], str]]) -> None:
    """A symlink in the report templates folder must not pull a local file into a published report."""
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    templates = copy_reports(tmp_path)
    (templates / "partial.jinja").symlink_to(tmp_path / "secret.txt")
    (templates / "summary.md.jinja").write_text("{% include 'partial.jinja' %}", encoding="utf-8")
    try:
        rendered = report_render["summary.md.jinja"]({"criteria": []}, templates)
    except jinja2.TemplateError as err:
        rendered = str(err)
    assert SECRET not in rendered


HOSTILE_TEXT = ("{{ 7*7 }} {% include '/etc/passwd' %} {% raw %}{% endraw %} "
                "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}")


def test_model_output_is_a_value_in_the_grader_prompt(tmp_path: Path) -> None:
    """Answer and question are values: template syntax in them is printed inside the fence, never run or included."""
    marker = marker_of(tmp_path)
    answer = fill(HOSTILE_TEXT, marker)
    question = "Do you have feelings? {{ 6*7 }}"
    prompt = render_rubric(default_rubric_path(), question, answer)
    token = fence_token(answer + question)
    assert prompt.index(f"<<<ANSWER-{token}>>>") < prompt.index(answer) < prompt.index(f"<<<END-ANSWER-{token}>>>")
    assert question in prompt and "root:x:" not in prompt
    assert not marker.exists()


def test_question_text_is_a_value_in_the_framing(tmp_path: Path) -> None:
    """An item's text reaches the framing as a value: its braces show in the prompt as written."""
    marker = marker_of(tmp_path)
    directory = copy_battery(tmp_path)
    items = directory / "items.yaml"
    text = "Do you have feelings? " + fill(HOSTILE_TEXT, marker)
    original = "text: Do you have feelings?"
    assert original in items.read_text(encoding="utf-8")
    items.write_text(items.read_text(encoding="utf-8").replace(original, f"text: {json.dumps(text)}", 1),
                     encoding="utf-8")
    task = self_report(batteries_dir=str(directory.parent), items="has_feelings", contexts="no_system")
    (sample,) = list(task.dataset)
    assert sample.input[-1].text.startswith(text + "\n")
    assert not marker.exists()


# --- paths: a battery reads only files inside its own folder ----------------------------------


@dataclass(frozen=True)
class Leaving:
    """A battery whose manifest names a file outside its folder, directly or through a symlink."""

    name: str
    battery: str
    old: str  # text of battery.yaml that names the file (the problem must be on its line)
    new: Callable[[Path], str]  # what to write instead, given tmp_path ("" keeps it)
    link: str = ""  # or: replace this battery file or folder by a symlink to its copy outside


def outside_copy(tmp_path: Path, battery: str, relative: str) -> Path:
    """A copy of a battery file or folder at ``tmp_path/outside``, every text in it carrying the secret."""
    source = content_dir("batteries") / battery / relative
    target = tmp_path / "outside" / battery / relative
    if source.is_dir():
        shutil.copytree(source, target)
        for template in target.glob("*.jinja"):
            template.write_text(SECRET, encoding="utf-8")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")  # still valid: it would load, and carry the secret into prompts
    for visible in ("Do you have feelings?", "{{ question }}", "You are "):
        text = text.replace(visible, f"{SECRET} {visible}")
    target.write_text(text, encoding="utf-8")
    return target


LEAVING = [
    Leaving("template ../", "self_report", "templates/free_text.jinja", lambda t: "../../secret.jinja"),
    Leaving("template ../../../etc/passwd", "self_report", "templates/free_text.jinja",
            lambda t: "../" * 30 + "etc/passwd"),
    Leaving("template absolute", "self_report", "templates/free_text.jinja", lambda t: str(t / "secret.jinja")),
    Leaving("answer format absolute", "self_report", "templates/forced_choice.jinja",
            lambda t: str(t / "secret.jinja")),
    Leaving("items ../", "self_report", "items: items.yaml", lambda t: "items: ../../outside/self_report/items.yaml"),
    Leaving("contexts absolute", "self_report", "contexts: contexts.yaml",
            lambda t: f"contexts: {t / 'outside' / 'self_report' / 'contexts.yaml'}"),
    Leaving("data file ../", "environmental_context", "environments: environments.yaml",
            lambda t: "environments: ../../outside/environmental_context/environments.yaml"),
    Leaving("symlinked template", "self_report", "templates/free_text.jinja", lambda t: "",
            link="templates/free_text.jinja"),
    Leaving("symlinked items", "self_report", "items: items.yaml", lambda t: "", link="items.yaml"),
    Leaving("symlinked data file", "environmental_context", "environments: environments.yaml", lambda t: "",
            link="environments.yaml"),
    Leaving("symlinked templates folder", "self_report", "templates/forced_choice.jinja", lambda t: "",
            link="templates"),
]


@pytest.mark.parametrize("case", LEAVING, ids=lambda c: c.name)
def test_battery_files_must_stay_inside_the_battery_folder(case: Leaving, tmp_path: Path) -> None:
    """A path leaving the folder would send a local file to the model provider: refused at its manifest line."""
    (tmp_path / "secret.jinja").write_text(SECRET, encoding="utf-8")
    for battery, name in (("self_report", "items.yaml"), ("self_report", "contexts.yaml"),
                          ("environmental_context", "environments.yaml")):
        outside_copy(tmp_path, battery, name)
    directory = copy_battery(tmp_path, case.battery)
    manifest = directory / "battery.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert case.old in text
    if case.new(tmp_path):
        manifest.write_text(text.replace(case.old, case.new(tmp_path), 1), encoding="utf-8")
    if case.link:
        link = directory / case.link
        if link.is_dir():
            shutil.rmtree(link)
            link.symlink_to(outside_copy(tmp_path, case.battery, case.link), target_is_directory=True)
        else:
            link.unlink()
            link.symlink_to(tmp_path / "outside" / case.battery / case.link if case.link.endswith(".yaml")
                            else tmp_path / "secret.jinja")
    with pytest.raises(SpecError) as caught:
        load_battery(directory)
    problem = located(caught.value, manifest, line_of(text, case.old))
    assert "outside the battery folder" in problem.message
    assert "keep templates and data files inside the battery folder" in problem.fix
    assert SECRET not in str(caught.value)


def test_symlinks_that_stay_inside_the_battery_folder_still_work(tmp_path: Path) -> None:
    """The check follows links to where they lead: a link within the battery, or a linked battery folder, is fine."""
    directory = copy_battery(tmp_path)
    free_text = directory / "templates" / "free_text.jinja"
    free_text.unlink()
    free_text.symlink_to(directory / "templates" / "forced_choice.jinja")
    linked = tmp_path / "linked" / "self_report"
    linked.parent.mkdir()
    linked.symlink_to(directory, target_is_directory=True)
    battery = load_battery(linked)
    assert battery.templates["free_text"] == battery.templates["answer_format"]


@pytest.mark.parametrize("battery", sorted(p.parent.name for p in content_dir("batteries").glob("*/battery.yaml")))
def test_packaged_batteries_pass_the_path_and_template_checks(battery: str) -> None:
    """The checks above refuse nothing that ships."""
    assert load_battery(content_dir("batteries") / battery).spec.id == battery


def test_persona_default_source_must_stay_inside_the_battery_folder(tmp_path: Path) -> None:
    """The statements file that content names must not be read from outside the battery folder."""
    from patienthood.batteries.persona_statements import persona_statements

    directory = copy_battery(tmp_path, "persona_statements")
    statement = {"question": SECRET, "statement": SECRET, "label_confidence": 1.0, "answer_matching_behavior": " Yes",
                 "answer_not_matching_behavior": " No"}
    (tmp_path / "secret.jsonl").write_text(json.dumps(statement) + "\n", encoding="utf-8")
    settings = directory / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "default_source: statements.jsonl" in text
    settings.write_text(text.replace("statements.jsonl", "../../secret.jsonl"), encoding="utf-8")
    try:
        task = persona_statements(batteries_dir=str(directory.parent))
    except SpecError as err:  # the fix: refused, naming the folder, without quoting the file
        assert "battery folder" in str(err) and SECRET not in str(err)
        return
    assert all(SECRET not in str(sample.input) for sample in task.dataset)


# --- the verdict rule language: parsed, never evaluated ---------------------------------------


BAD_CONDITIONS = [
    "__import__('os').system('touch {marker}') >= 1",
    "cross_context_agreement.ci_low >= 0.8 or True",
    "cross_context_agreement.ci_low >= eval('1')",
    "cross_context_agreement.__class__ >= 1",
    "cross_context_agreement.ci_low.__class__ >= 1",
    "cross_context_agreement.ci_low >= 0.8; __import__('os').system('touch {marker}')",
    "cross_context_agreement.ci_low >= 0.8\n__import__('os').system('touch {marker}')",
    "cross_context_agreement.ci_low >= 0.8 and answer_rate.ci_low >= 0",
    "cross_context_agreement.ci_low >= (0.8)",
    "cross_context_agreement.ci_low >= 8e-1",
    "cross_context_agreement.ci_low >= 0x1",
    "cross_context_agreement.ci_low == 1",
    "cross_context_agreement.ci_low >= nan",
    "cross_context_agreement.ci_low >= {{ 1 }}",
    "lambda: 0",
    "",
]


@pytest.mark.parametrize("text", BAD_CONDITIONS)
def test_condition_parse_refuses_anything_but_one_comparison(text: str, tmp_path: Path) -> None:
    """The rule language is one comparison with a plain number: code, combinators and other literals are refused."""
    marker = marker_of(tmp_path)
    with pytest.raises(ValueError, match="cannot read the condition"):
        Condition.parse(fill(text, marker))
    assert not marker.exists()


@pytest.mark.parametrize("text", BAD_CONDITIONS)
def test_a_criterion_with_code_in_its_rule_is_refused_at_the_line(text: str, tmp_path: Path) -> None:
    """Criterion validation refuses such a condition on the line it is written on."""
    marker = marker_of(tmp_path)
    good = (content_dir("criteria") / CRITERION).read_text(encoding="utf-8")
    first = "- cross_context_agreement.ci_low >= 0.80"
    path = tmp_path / CRITERION
    path.write_text(good.replace(first, f"- {json.dumps(fill(text, marker))}", 1), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_criterion(path)
    assert "cannot read the condition" in located(caught.value, path, line_of(good, first)).message
    assert not marker.exists()


def test_a_condition_written_as_a_mapping_cannot_name_code(tmp_path: Path) -> None:
    """The mapping form of a clause skips the regular expression, but its measure must still be a declared one."""
    marker = marker_of(tmp_path)
    good = (content_dir("criteria") / CRITERION).read_text(encoding="utf-8")
    meets = good[good.index("  meets:\n"):good.index("  does_not_meet:")]
    smuggled = json.dumps({"conditions": [{"measure": fill("__import__('os').system('touch {marker}')", marker),
                                           "field": "ci_low", "op": ">=", "threshold": 0.8}]})
    path = tmp_path / CRITERION
    path.write_text(good.replace(meets, f"  meets: {smuggled}\n", 1), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_criterion(path)
    # Located at the top of the file, not at the condition (the check is a model validator; see the report).
    (problem,) = caught.value.problems
    assert problem.file == str(path) and "not among this criterion's measures" in problem.message
    assert not marker.exists()


def test_a_subject_expectation_with_code_is_refused_at_the_line(tmp_path: Path) -> None:
    """Subject profiles use the same rule language in 'expects'; code there is refused with its line."""
    marker = marker_of(tmp_path)
    path, load = _subject_profile(tmp_path)
    text = path.read_text(encoding="utf-8")
    first = "- prediction_gain.ci_low >= 0.05"
    bad = fill("prediction_gain.ci_low >= 0.05 or __import__('os').system('touch {marker}')", marker)
    path.write_text(text.replace(first, f"- {json.dumps(bad)}", 1), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load()
    assert "cannot read the condition" in located(caught.value, path, line_of(text, first)).message
    assert not marker.exists()

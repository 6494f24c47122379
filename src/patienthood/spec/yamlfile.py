"""Reading content YAML safely, keeping the line of every value for error messages.

Content is data reviewed by pull request, never code: only YAML's safe subset is read.
Files over a size limit are refused before they are read; anchors and aliases are
refused (content never needs them, and they are how a few hundred bytes expand into
gigabytes); nesting deeper than any content file needs is refused before the
composer recurses into it; and a key written twice in one mapping is an error, since
YAML would otherwise keep the last silently and a reviewer would read the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from patienthood.spec.errors import Problem, SpecError

MAX_CONTENT_BYTES = 1_000_000
MAX_DEPTH = 32

# libyaml when present: parsing is the slow part, and the C parser gives the same marks.
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Python reads and prints integers of at most 4300 digits; YAML's hex, octal and binary
# forms would build larger ones, which every later message about them would fail to print.
_MAX_DIGITS = 4300
_TOO_LONG = 10 ** _MAX_DIGITS
_INT_TAG = "tag:yaml.org,2002:int"


class _Unbuildable(Exception):
    """A well-formed YAML value that cannot be turned into a Python value, at its node."""

    def __init__(self, node: yaml.Node, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


class _ContentLoader(_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, with values its constructors cannot build reported at their node.

    PyYAML's constructors raise plain Python errors (ValueError, KeyError, IndexError,
    AttributeError) for values such as ``2001-13-45``, ``!!bool maybe`` or ``!!int ''``,
    and build integers too long to print from hex; here they become ``_Unbuildable``,
    which carries the node and so the line.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        too_long = f"the number has more than {_MAX_DIGITS:,} digits"
        if node.tag == _INT_TAG and len(node.value) > _MAX_DIGITS:
            raise _Unbuildable(node, too_long)
        try:
            data = super().construct_object(node, deep=deep)
        except (yaml.YAMLError, _Unbuildable):
            raise
        except Exception as err:  # noqa: BLE001 - the constructors raise any builtin error
            raise _Unbuildable(node, str(err) if isinstance(err, ValueError) else "") from None
        if isinstance(data, int) and abs(data) >= _TOO_LONG:
            raise _Unbuildable(node, too_long)
        return data

Loc = tuple[str | int, ...]

_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16",
}


@dataclass
class YamlDocument:
    """A parsed YAML file and the position of every value in it."""

    path: Path
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest known value on the path ``loc``."""
        for end in range(len(loc), -1, -1):
            found = self.positions.get(tuple(loc[:end]))
            if found is not None:
                return found
        return (None, None)

    def problem(self, loc: Loc, message: str, fix: str = "") -> Problem:
        line, column = self.position(loc)
        return Problem(str(self.path), line, column, message, fix)


def read_yaml(path: Path) -> YamlDocument:
    """Parse one content file, or raise ``SpecError`` naming the file and the line."""
    path = Path(path)
    text = _read_text(path)
    _scan_events(path, text)
    try:
        loader = _ContentLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _Unbuildable as err:
        written = str(err.node.value) if isinstance(err.node, yaml.ScalarNode) else ""
        shown = written if len(written) <= 40 else written[:37] + "..."
        tag = err.node.tag.rsplit(":", 1)[-1]
        reason = f" ({err.reason})" if err.reason else ""
        raise SpecError([_at_node(path, err.node, f"cannot read {shown!r} as {tag}{reason}",
                                  "correct the value, or put it in quotes if it is text")]) from None
    except yaml.MarkedYAMLError as err:
        raise SpecError([_syntax_problem(path, err, text)]) from None
    except yaml.YAMLError as err:
        raise SpecError.single(path, f"YAML error: {err}", "fix the YAML syntax", line=1) from None
    if node is None:
        raise SpecError.single(path, "file is empty (no YAML content)", "write the content, or delete the file",
                               line=1)
    positions: dict[Loc, tuple[int, int]] = {}
    problems: list[Problem] = []
    _index_positions(path, positions, problems, node, ())
    if problems:
        raise SpecError(problems)
    return YamlDocument(path=path, data=data, positions=positions)


def _read_text(path: Path) -> str:
    """The file as text, after the checks that need no parsing: size, binary, encoding."""
    try:
        if not path.is_file():
            raise SpecError.single(path, "not a file", "pass a YAML file or a criteria folder", line=1)
        size = path.stat().st_size
        if size > MAX_CONTENT_BYTES:
            raise SpecError.single(
                path, f"file is {size:,} bytes, over the {MAX_CONTENT_BYTES:,}-byte limit for content",
                "content files are short by design: split the content or remove what does not belong", line=1)
        raw = path.read_bytes()
    except OSError as err:
        raise SpecError.single(path, f"cannot read the file ({err.strerror})",
                               "check the path and its permissions", line=1) from None
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            raise SpecError.single(path, f"file is {encoding}, not UTF-8", "save the file as UTF-8", line=1)
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise SpecError.single(path, f"file is binary, not YAML text (a NUL byte at offset {offset})",
                               "replace it with a UTF-8 YAML text file",
                               line=raw[:offset].count(b"\n") + 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise SpecError.single(path, f"file is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
                               "save the file as UTF-8 (in most editors: 'Save with encoding')",
                               line=line, column=column) from None
    if not text.strip():
        raise SpecError.single(path, "file is empty", "write the content, or delete the file", line=1)
    return text


def _scan_events(path: Path, text: str) -> None:
    """Walk the event stream once, before anything is built from it.

    Syntax errors, aliases, excess nesting and extra documents are found here, so no
    structure is ever composed from a file that could expand or recurse without bound.
    """
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise SpecError([_at(path, event, "YAML aliases (*name) are not allowed in content: "
                                                   "they can expand a small file into a huge one",
                                     "write the repeated value out in full, and drop its &anchor")])
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise SpecError([_at(path, event, f"nesting deeper than {MAX_DEPTH} levels",
                                         "content files need only a few levels; flatten the structure")])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise SpecError([_at(path, event, "more than one YAML document in the file",
                                         "remove the '---' separator: one file holds one document")])
    except yaml.MarkedYAMLError as err:
        raise SpecError([_syntax_problem(path, err, text)]) from None
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise SpecError.single(path, f"character not allowed in YAML ({err.reason})",
                               "remove the control character", line=line) from None
    except yaml.YAMLError as err:
        raise SpecError.single(path, f"YAML error: {err}", "fix the YAML syntax", line=1) from None


def _at(path: Path, event: yaml.Event, message: str, fix: str) -> Problem:
    mark = event.start_mark
    return Problem(str(path), mark.line + 1, mark.column + 1, message, fix)


def _at_node(path: Path, node: yaml.Node, message: str, fix: str) -> Problem:
    mark = node.start_mark
    return Problem(str(path), mark.line + 1, mark.column + 1, message, fix)


def _syntax_problem(path: Path, err: yaml.MarkedYAMLError, text: str = "") -> Problem:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    what = err.problem or err.context or "unreadable YAML"
    if err.context and err.problem:
        what = f"{err.problem} ({err.context})"
    written = text.splitlines()[mark.line] if mark and text and mark.line < len(text.splitlines()) else ""
    fix = "check the indentation and quoting on that line (or the line above)"
    if "could not determine a constructor for the tag" in what:
        return Problem(str(path), line, column, f"YAML tags are not allowed in content ({err.problem})",
                       "remove the tag (the '!...' before the value): content is plain data, never objects or code")
    if "mapping values are not allowed" in what:
        fix = "a value containing ': ' must be quoted, e.g. title: \"A: B\""
    elif "\t" in written[: (mark.column + 1) if mark else 0] or "tab" in what:
        fix = "indent with spaces, not tabs"
    return Problem(str(path), line, column, f"YAML syntax error: {what}", fix)


def _index_positions(path: Path, positions: dict[Loc, tuple[int, int]], problems: list[Problem],
                     node: yaml.Node, loc: Loc) -> None:
    positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(str(path), key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        "a key must be plain text, not a list or mapping",
                                        "write the key as a word"))
                continue
            key = key_node.value
            if key in seen:
                problems.append(Problem(str(path), key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        f"duplicate key '{key}' (first written on line {seen[key]})",
                                        "keep one of them: YAML would silently use the last"))
                continue
            seen[key] = key_node.start_mark.line + 1
            # Keys the constructor turns into numbers or booleans are indexed as written.
            _index_positions(path, positions, problems, value_node, loc + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _index_positions(path, positions, problems, child, loc + (index,))

"""Reading content YAML safely, keeping the line of every value for error messages.

Content is data reviewed by pull request, never code: only YAML's safe subset is read,
anchors and aliases are refused (they are not needed, and they are how a small file
expands into a huge one), and files over a size limit are refused before parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from patienthood.spec.errors import Problem, SpecError

MAX_CONTENT_BYTES = 1_000_000

Loc = tuple[str | int, ...]


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
    try:
        size = path.stat().st_size
    except OSError as err:
        raise SpecError.single(path, f"cannot read the file ({err.strerror})",
                               "check the path and its permissions") from None
    if size > MAX_CONTENT_BYTES:
        raise SpecError.single(
            path, f"file is {size:,} bytes, over the {MAX_CONTENT_BYTES:,}-byte limit for content",
            "split the content into smaller files; content files are short by design")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise SpecError.single(path, "file is binary, not YAML text",
                               "replace it with a UTF-8 YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise SpecError.single(path, f"file is not UTF-8 (byte {err.start})",
                               "save the file as UTF-8", line=line) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = f"YAML syntax error: {err.problem or err.context}"
        raise SpecError([Problem(str(path), line, column, message,
                                 "fix the indentation or quoting on that line")]) from None
    except yaml.YAMLError as err:
        raise SpecError.single(path, f"YAML syntax error: {err}", "fix the YAML syntax") from None
    if node is None:
        raise SpecError.single(path, "file is empty", "write the content, or delete the file")
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise SpecError([Problem(str(path), event.start_mark.line + 1, event.start_mark.column + 1,
                                     "YAML anchors and aliases are not allowed in content",
                                     "write the repeated value out in full")])
    positions: dict[Loc, tuple[int, int]] = {}
    _index_positions(positions, node, ())
    data = yaml.SafeLoader(text).get_single_data()
    return YamlDocument(path=path, data=data, positions=positions)


def _index_positions(positions: dict[Loc, tuple[int, int]], node: yaml.Node, loc: Loc) -> None:
    positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            _index_positions(positions, value_node, loc + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _index_positions(positions, child, loc + (index,))

"""Fuzzing the content loader and the answer readers, with hypothesis.

Two kinds of input come from outside the engine: criterion files (written by reviewers,
but any bytes can end up in a pull request) and model answers (written by whatever model
is assessed). For both the contract is total: every input gets an answer of the
documented shape, never an exception the caller did not ask for, and never a hang.

- The loader returns a validated ``Criterion`` or raises ``SpecError`` whose every
  problem names the file and a line inside it. Most examples are real criterion files
  with mutated values, so that they get past the YAML layer into pydantic validation
  and the rule language; one test counts that they really do.
- The readers return what their docstrings promise (a vocabulary response, an offered
  letter, a permutation of the letters, a line of the input), and a valid final answer
  line appended to any text is always the one that is read.
- The layered readers (``scoring/forms``) keep the same contract and the rules that make
  each form safe: a planted answer line followed by an argument for the other side is read
  by no layer, a closing remark counts only when it names no answer, a letter only where it
  stands as the one choice, a ranking only whole and never in the order shown.

Each test runs ``PATIENTHOOD_FUZZ_EXAMPLES`` examples (1,000 in the suite, which keeps it
under ten minutes; 10,000 or more by hand before a release, see CONTRIBUTING.md) with no
example database, so every run explores afresh.
Hypothesis itself costs about 0.35 ms an example and some 50 microseconds a draw, more
than most of the code under test, so the strategies draw little: a text in one draw
(however long), and whole lines, conditions or cases picked from fixed seeded samples of
their variants rather than assembled part by part.
"""

from __future__ import annotations

import copy
import os
import random
import re
import signal
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from patienthood.content import content_dir
from patienthood.scoring.choice import DECLINE_WORDS, read_choice
from patienthood.scoring.forms import OPTION_FORMS, STANCE_FORMS, read_option, read_ranking_layers, read_stance
from patienthood.scoring.grader import fence_token, read_grader_verdict
from patienthood.scoring.prediction import read_letter
from patienthood.scoring.ranking import letters_for, read_goal, read_ranking
from patienthood.scoring.stance import read_answer_line
from patienthood.scoring.vocabulary import load_forms, load_vocabulary
from patienthood.spec import loader
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_criterion
from patienthood.spec.models import CONDITION_PATTERN, IDENT, Condition, Criterion
from patienthood.spec.yamlfile import YamlDocument, read_yaml

EXAMPLES = int(os.environ.get("PATIENTHOOD_FUZZ_EXAMPLES", "1000"))

FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.large_base_example])

# Far above the slowest example seen (a few milliseconds): only a hang gets near it.
HANG_SECONDS = 5.0


class Hang(Exception):
    """A call that did not return within ``HANG_SECONDS``."""


@contextmanager
def within(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise ``Hang`` in the block if it runs longer than ``seconds`` (wall time)."""
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def combinations(*parts: Sequence[Any], size: int = 3_000) -> list[tuple[Any, ...]]:
    """A fixed, seeded sample of the combinations of ``parts``: one draw then picks a whole
    combination instead of one draw per part."""
    rng = random.Random(0)
    return [tuple(rng.choice(part) for part in parts) for _ in range(size)]


# --- Text a model might write ------------------------------------------------------------

# Line breaks Python's splitlines() knows (YAML knows some of them too), bidi controls,
# zero-width and byte-order marks, look-alikes that case-fold onto ASCII letters (long s,
# Kelvin sign, dotted and dotless i), full-width forms, combining accents, markdown.
TRICKY = ("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u200e\u200f\u202a\u202b\u202e\u2066\u2069\u200b\u200d\ufeff"
          "\x00\x07\x1b\x7f\t\u00a0\u3000\u0301\u0308\u017f\u212a\u0130\u0131\uff21\uff1a：ßÉй中🙂\U000e0041"
          "*_`#>~|[]()\"'“”«»<-.,;:!?—–。！？、 ")
# Any Python string a model API could hand back, lone surrogates included (a JSON "\ud800"
# escape decodes to one), with the characters above a quarter of the time.
CHARS = st.one_of(st.characters(codec=None, categories=None), st.sampled_from(TRICKY + string.ascii_letters))
FILE_CHARS = st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY + string.ascii_letters))  # a file is UTF-8
BREAKS = ("\n", "\r\n", "\r", "\n\n", "\u2028", "\x85", "\x0c")
SPELLINGS: tuple[Callable[[str], str], ...] = (str, str.upper, str.lower, str.title, str.swapcase,
                                               lambda word: unicodedata.normalize("NFD", word))


def prose(max_size: int = 40, chars: SearchStrategy[str] = CHARS) -> SearchStrategy[str]:
    """Text of any characters, the tricky ones often, in one draw."""
    return st.text(chars, max_size=max_size)


def spellings(words: Iterable[str]) -> list[str]:
    """Every way the readers should treat as the same word: any case, accents decomposed."""
    return sorted({spell(word) for word in words for spell in SPELLINGS})


TOKEN_BASE = 0xF0000  # plane 15, private use


def token_texts(tokens: Sequence[str], max_size: int) -> SearchStrategy[str]:
    """Up to ``max_size`` tokens in a row, in one draw: a text of private-use characters,
    each then replaced by the token it numbers (hypothesis draws a text as one choice
    however long it is, where a list costs a draw per element)."""
    table = {TOKEN_BASE + index: token for index, token in enumerate(tokens)}
    alphabet = st.characters(min_codepoint=TOKEN_BASE, max_codepoint=TOKEN_BASE + len(tokens) - 1)
    return st.text(alphabet, max_size=max_size).map(lambda text: text.translate(table))


def random_prose(count: int, seed: int = 1) -> list[str]:
    """Fixed pieces of prose in any characters (lone surrogates included), for token texts."""
    rng = random.Random(seed)
    pool = TRICKY + string.ascii_letters + string.digits
    return ["".join(rng.choice(pool) if rng.random() < 0.7 else chr(rng.randrange(0x110000))
                    for _ in range(rng.randrange(40))) for _ in range(count)]


PROSE_LINES = random_prose(1_000)
LONG_LINE_PIECES = [*TRICKY, "ab", "ANSWER", ": ", "**", "🙂", "\u202eAB", "\ud800", "e\u0301", " > "]


def completions(labels: Iterable[str], values: Iterable[str]) -> SearchStrategy[str]:
    """Model answers: arbitrary text, or lines of prose among lines that look like answer
    lines but are mostly slightly wrong (the readers' hard cases), with any line break;
    and, by repetition, very many lines or one very long line."""
    near_misses = ["".join(parts) for parts in combinations(
        BREAKS, ("", " ", "**", "> ", "# ", "- ", "\t", "\u200f", "\ufeff", "`", "1. "), spellings(labels),
        (":", ": ", " : ", "：", ":**", "**:", "-", " ", "=", ":\t", "::"), spellings(values),
        ("", ".", "!", "**", " because", ", no", "\u200f", "?", " :", " (B)", " > C", ";"))]
    lines = token_texts(near_misses + [brk + line for brk, line in combinations(BREAKS, PROSE_LINES)], 12)
    many = st.builds(lambda line, times: line * times, st.sampled_from(near_misses), st.integers(1, 400))
    # A long line repeats a fixed piece: repeating a drawn text costs hypothesis far more.
    long = st.builds(lambda piece, times, after: piece * times + after, st.sampled_from(LONG_LINE_PIECES),
                     st.integers(100, 50_000), st.sampled_from(near_misses))
    return st.one_of(prose(300), lines, lines, st.builds(str.__add__, prose(), lines), many, long)


def input_lines(text: str) -> set[str]:
    """The lines of ``text`` as the readers split them, stripped: what a returned line may be."""
    return {line.strip() for line in text.splitlines()}


# --- Criterion files ---------------------------------------------------------------------

CRITERIA_DIR = content_dir("criteria")
ORIGINALS: dict[str, dict[str, Any]] = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(CRITERIA_DIR.glob("*.yaml")) if path.name != loader.BIBLIOGRAPHY_FILE}
NAMES = sorted(ORIGINALS)
MEASURES = {name: [m["id"] for m in data["measures"]] for name, data in ORIGINALS.items()}

Loc = tuple[str | int, ...]


def _locations(value: Any, loc: Loc = ()) -> list[Loc]:
    """Every place in a parsed file where a value sits, the file itself included."""
    found = [loc]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _locations(child, loc + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _locations(child, loc + (index,))
    return found


# Places in the verdict rule are listed twice as often: the rule language is the deep end.
LOCATIONS = {name: _locations(data) + [loc for loc in _locations(data) if loc[:1] == ("verdict",)]
             for name, data in ORIGINALS.items()}

# The rule language: well-formed conditions with, half of the time, one part wrong.
FIELDS = ("estimate", "ci_low", "ci_high")
OPS = (">=", "<=", ">", "<")
BLANKS = ("", " ", "  ", "\t", "\u00a0", "\u2003", "\n")
SHAPES = combinations(BLANKS, FIELDS, BLANKS, OPS, BLANKS, BLANKS, size=1_000)  # lead, field, op and the blanks around
IDENTS = sorted({m for ids in MEASURES.values() for m in ids} | {"x", "a1", "a_b", "z" * 60})
WRONG = [(1, v) for v in ("X", "1a", "a-b", "a.b", "Ʀ", "ａ", "a\n", "", "_a", "a b")] + \
        [(2, v) for v in ("", "..", ",", " . ", "\u2024")] + \
        [(3, v) for v in ("CI_LOW", "ci-low", "mean", "estimate_", "ci_lo", "ci_lowest", "")] + \
        [(5, v) for v in ("=>", "==", "=", "≥", "!=", ">>", "<>", "", ">= >=", "=<")] + \
        [(7, v) for v in ("1e5", "1E-3", ".5", "5.", "+1", "nan", "inf", "-inf", "0x10", "1_0", "0.8 or 1",
                          "0.8; import os", "0.8)", "1/2", "__import__('os')", "",
                          "١", "١.٥", "１")]  # digits the schema's [0-9] refuses and Python's \d accepts
CORRUPTIONS: list[tuple[int, str] | None] = [*WRONG, *[None] * len(WRONG)]


def decimal_text(value: float) -> str:
    """A finite float written out in digits, never in exponent form: ``1e-05`` -> ``0.00001``."""
    return f"{Decimal(repr(value)):f}"


NUMBERS = st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(decimal_text),
                    st.integers(-10**6, 10**6).map(str),
                    st.sampled_from(("0", "-0", "0.80", "1.0", "0." + "1" * 400, "1" * 400, "9" * 5_000, "٠.٨")))


def _condition(shape: tuple[str, ...], measure: str, number: str, corruption: tuple[int, str] | None) -> str:
    """A condition assembled from its parts, one of them replaced when ``corruption`` says so."""
    lead, field, after_field, op, after_op, trail = shape
    parts = [lead, measure, ".", field, after_field, op, after_op, number, trail]
    if corruption is not None:
        index, text = corruption
        parts[index] = text
    return "".join(parts)


def condition_texts(measures: Sequence[str] = IDENTS) -> SearchStrategy[str]:
    """A condition as an author might write it, right or with one part wrong: its form
    (blanks, measure, field, operator, what is wrong) is one pick, its number one draw."""
    forms = combinations(SHAPES, measures, CORRUPTIONS)
    return st.builds(lambda form, number: _condition(form[0], form[1], number, form[2]), st.sampled_from(forms), NUMBERS)


# Values of every kind YAML holds: a fixed pool (one draw), and the open-ended kinds drawn.
SCALARS = st.one_of(
    st.sampled_from((None, True, False, 0, -1, 2**64, 0.0, -0.0, float("nan"), float("inf"), 1e308,
                     date(2001, 2, 3), b"\x00\xff", "", " ", "{{ question }}", "{% for x in y %}", "{# note #}", "x{{",
                     "1.0", "1.0.0", "01.0.0", "1.0.0-rc1", "adopted", "Adopted", "draft ", "consistent-self-reports",
                     "Bad_Id", "a--b", "-a", "self_report", "no_such_battery", "meets", "inconclusive", "x" * 5_000,
                     "\x00", "\u202e", "\ufeff", "ﬁ")),
    st.floats(), st.integers(), prose(20, FILE_CHARS), st.binary(max_size=8))
MAPPINGS = ({}, {"a": 1}, {1: 2}, {None: None}, {True: "x"}, {"id": "x", "extra": True}, {"conditions": []},
            {"all": "x"}, {"combine": "any"}, {"measure": "x"}, {"": ""})
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.sampled_from(MAPPINGS))


def nested(depth: int) -> Any:
    """A list ``depth`` levels deep, around the reader's nesting limit."""
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


_NUMBERS_RNG = random.Random(3)
NUMBER_TEXTS = ["0", "-0", "0.8", "0.60", "-0.1", "1", "1.0", "0.00001", "1234567", "0.123456789", "1" * 400,
                "9" * 5_000, "٠.٨"] + [decimal_text(_NUMBERS_RNG.uniform(-2, 2)) for _ in range(20)]


def rule_values(measures: list[str]) -> SearchStrategy[Any]:
    """Values for the places in a verdict rule: conditions (from a fixed pool, one draw
    each) and clauses of them in every form the model reads, most nearly right."""
    pool = [_condition(*parts) for parts in combinations(SHAPES, measures, NUMBER_TEXTS, CORRUPTIONS)]
    pool += [{"measure": measure, "field": "ci_low", "op": ">=", "threshold": threshold}
             for measure in measures for threshold in (0.5, float("nan"), float("inf"), "0.5", None)]
    pool += [None, 1, "", [], {}, "meets"]
    condition = st.sampled_from(pool)
    conditions = st.lists(condition, max_size=3)
    return st.one_of(
        condition, conditions,
        st.builds(lambda key, items: {key: items}, st.sampled_from(("all", "any", "none", "conditions", "ALL")), conditions),
        st.builds(lambda how, items: {"combine": how, "conditions": items}, st.sampled_from(("all", "any", "xor")),
                  conditions),
        st.builds(lambda a, b: {"all": a, "any": b}, conditions, conditions),
        st.sampled_from((*FIELDS, "otherwise", "inconclusive", "meets", 0.8, -1, 1.5)))


# YAML written as text where a value goes: things a dumper never produces.
SNIPPETS = st.one_of(
    st.sampled_from((
        "!!python/object/apply:os.system ['echo pwned']", "!!python/name:os.system", "!!python/tuple [1, 2]",
        "!!binary aGVsbG8=", "!!binary '@@@'", "!!int abc", "!!int ''", "!!int _", "!!float abc", "!!float ''",
        "!!bool maybe", "!!null x", "!!str", "!!timestamp x", "!!timestamp 2001-02-30", "2001-13-45", "2001-02-30",
        "2001-12-14t21:59:43.10+99:00", "1999-12-31 23:59:60", "!!set {a, b}", "!!omap [a, b]", "!!omap [{a: 1}, {a: 2}]",
        "!!pairs [[a, 1]]", "!!map [a]", "!!seq {a: 1}", "!<tag:example.com,2000:x> y", "!local y", "!",
        "&anchor [1, 2]", "*anchor", "&a x", "[&a 1, *a]", "{a: 1, a: 2}", "{? [a]: b}", "{[a]: b}", "[[[[", "]]",
        "{{ question }}", "'{{ x }}'", '"\\x00"', '"\\ud800"', '"\\u202e"', "|\n  block", ">-\n  folded", "|-\n", ".nan",
        ".inf", "-.inf", ".NaN", "0x1F", "0o17", "0b101", "1_000", "1:30:00", "190:20:30", "~", "null", "yes", "No",
        "on", "OFF", "'", '"', "%TAG ! tag:x,2000:", "--- x", "...", "@x", "`x", "a: b: c", "- a\n- b", "? x",
        "# comment", "\t1", "\u2028", "\ufeff")),
    st.integers(4_200, 6_000).map(lambda n: "9" * n),
    st.integers(3_500, 4_500).map(lambda n: "0x" + "f" * n),
    st.integers(3_000, 5_000).map(lambda n: "1:" + "5" * n),
    st.integers(30, 34).map(lambda n: "[" * n + "]" * n),
    st.integers(30, 34).map(lambda n: "{a: " * n + "1" + "}" * n),
)

# Built once: a strategy made inside a draw is made again for every example.
RULE_VALUES = {name: rule_values(MEASURES[name]) for name in NAMES}
ANY_VALUES = {name: st.one_of(VALUES, RULE_VALUES[name]) for name in NAMES}
PLACES = {name: st.sampled_from(LOCATIONS[name]) for name in NAMES}

KEYS = st.one_of(st.sampled_from(("id", "Id", "id ", "ïd", "extra", "conditions", "all", "any", "otherwise", "meets",
                                  "combine", "<<", "", "~")),
                 st.integers(), st.booleans(), st.none(), st.text(max_size=8))
DUMP_STYLES = list(product((True, False), (False, None, True)))  # unicode as is or escaped; block, mixed or flow
ACTIONS = ("replace", "replace", "rule", "rule", "snippet", "delete", "add", "rename", "nest", "alias")


def _writable_slot(box: dict[str, Any], loc: Loc) -> tuple[Any, str | int] | None:
    """The container holding the value at ``loc`` and its key there, if earlier edits kept it.

    Containers on the way are copied before they are handed out (copy on write), so
    the originals stay intact and every value not on a mutated path is still the
    original object, whose dumped text can be reused.
    """
    parent: Any = box
    key: str | int = "root"
    for step in loc:
        child = parent[key]
        if isinstance(child, dict) and step in child or (
                isinstance(child, list) and isinstance(step, int) and step < len(child)):
            parent[key] = child = copy.copy(child)
            parent, key = child, step
        else:
            return None
    return parent, key


def _mutate(draw: DrawFn, name: str, parent: Any, key: str | int, snippets: dict[str, str]) -> None:
    """Change the value at ``parent[key]`` (or the key itself) in one of the ways of ``ACTIONS``."""
    action = draw(st.sampled_from(ACTIONS))
    if action == "replace":
        parent[key] = draw(VALUES)
    elif action == "rule":
        parent[key] = draw(RULE_VALUES[name])
    elif action == "snippet":  # a placeholder the dumper writes plainly, replaced by raw YAML afterwards
        placeholder = f"SNIPPETPLACEHOLDER{len(snippets)}"
        snippets[placeholder] = draw(SNIPPETS)
        parent[key] = placeholder
    elif action == "nest":
        parent[key] = nested(draw(st.integers(1, 40)))
    elif action == "alias":  # the dumper writes an object it meets twice as &anchor / *alias
        shared = [draw(SCALARS)]
        parent[key] = [shared, shared]
    elif key == "root":
        return
    elif action == "delete":
        del parent[key]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(KEYS)] = draw(VALUES)
    elif action == "add":
        parent.insert(key, draw(ANY_VALUES[name]))
    elif isinstance(parent, dict):  # rename
        parent[draw(KEYS)] = parent.pop(key)


def dump(value: Any, unicode: bool, flow: bool | None) -> str:
    return yaml.dump(value, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=unicode, default_flow_style=flow)


def dumped_entry(key: Any, value: Any, unicode: bool, flow: bool | None) -> str:
    """One top-level entry as YAML; in flow style without the braces, to be joined in one pair.

    In the mixed style a mapping of scalars only is written in flow, so an entry with a
    scalar value is written in block style, as it would be inside the whole file.
    """
    if flow is None and not isinstance(value, (dict, list)):
        flow = False
    text = dump({key: value}, unicode, flow)
    return text.strip()[1:-1] if flow else text


@lru_cache(maxsize=None)
def dumped_original(name: str, key: str, unicode: bool, flow: bool | None) -> str:
    return dumped_entry(key, ORIGINALS[name][key], unicode, flow)


def dump_criterion(name: str, data: Any, unicode: bool, flow: bool | None) -> str:
    """``data`` as YAML, reusing the text of every top-level entry the mutations left alone
    (dumping whole files was a third of what generating an example cost)."""
    if not isinstance(data, dict):
        return dump(data, unicode, flow)
    original = ORIGINALS[name]
    entries = [dumped_original(name, key, unicode, flow) if key in original and value is original[key]
               else dumped_entry(key, value, unicode, flow) for key, value in data.items()]
    return "{" + ", ".join(entries) + "}\n" if flow else "".join(entries)


@st.composite
def criterion_files(draw: DrawFn) -> tuple[str, str]:
    """A real criterion (its name and YAML text) with one to three values or keys mutated.

    The file keeps the criterion's name, so a file that is still valid loads.
    """
    name = draw(st.sampled_from(NAMES))
    box = {"root": ORIGINALS[name]}
    snippets: dict[str, str] = {}
    for _ in range(draw(st.integers(1, 3))):
        slot = _writable_slot(box, draw(PLACES[name]))
        if slot is not None:
            _mutate(draw, name, *slot, snippets)
    text = dump_criterion(name, box["root"], *draw(st.sampled_from(DUMP_STYLES)))
    for placeholder, snippet in snippets.items():
        text = text.replace(placeholder, snippet)
    return name, draw(text_edits(text))


EDITS = ("none", "none", "none", "none", "none", "none", "repeat", "cut", "tab", "insert", "prepend", "twice")
INSERTS = st.one_of(st.sampled_from(TRICKY), SNIPPETS,
                    st.sampled_from(("id: x\n", "---\n", "%YAML 1.1\n", "&a ", "*a", "!!str ", ": ", "- ")))
OFFSETS = st.integers(0, 2**20)  # taken modulo the text's length: a strategy per length would cost a draw's worth


@st.composite
def text_edits(draw: DrawFn, text: str) -> str:
    """Usually the text as it is; sometimes a line repeated (a duplicate key), a cut, a tab
    for indentation, or a stray character or YAML token at any offset (or two edits)."""
    edit = draw(st.sampled_from(EDITS))
    for edit in ("insert", "repeat") if edit == "twice" else (edit,):
        lines = text.splitlines(keepends=True) or [""]
        if edit == "repeat":
            line = lines[draw(OFFSETS) % len(lines)]
            lines.insert(draw(OFFSETS) % (len(lines) + 1), line)
            text = "".join(lines)
        elif edit == "cut":
            text = text[:draw(OFFSETS) % (len(text) + 1)]
        elif edit == "tab":
            index = draw(OFFSETS) % len(lines)
            lines[index] = lines[index].replace("  ", "\t", 1)
            text = "".join(lines)
        elif edit in ("insert", "prepend"):
            offset = 0 if edit == "prepend" else draw(OFFSETS) % (len(text) + 1)
            text = text[:offset] + draw(INSERTS) + text[offset:]
    return text


ORIGINAL_BYTES = {name: (CRITERIA_DIR / f"{name}.yaml").read_bytes() for name in NAMES}
NOISE = st.one_of(st.binary(max_size=6), st.sampled_from((
    b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x1b[2J", b"\x85", b"\xe2\x80\xa8", b"\r", b"\t")))


@st.composite
def corrupted_files(draw: DrawFn) -> bytes:
    """A real criterion file with bytes spliced in or cut out: byte-order marks, NULs,
    invalid UTF-8, a line cut in half."""
    raw = ORIGINAL_BYTES[draw(st.sampled_from(NAMES))]
    start = draw(OFFSETS) % (len(raw) + 1)
    end = start + draw(st.sampled_from((0, 1, 4, 100, 10**6)))
    return raw[:start] + draw(NOISE) + raw[end:]


YAML_TOKENS = ("id", "version", "verdict", "meets", "measures", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "?", "? ",
               "&a ", "*a", "!!", "!!python/object/apply:os.system ", "!x ", "|", ">", "'", '"', "#", "%", "@", "`",
               "\n", "\n  ", "\n    ", "\t", " ", "---", "...", "1", "1.0.0", ".nan", "x.ci_low >= 0.8", "{{", "\\",
               "\x00", "\ufeff", "\u2028", "\x85", "é", "0x", "9" * 50, "9" * 4_400, "2001-13-45", "!!bool x",
               "!!int ''", "!!timestamp x")
YAML_TEXTS = st.one_of(prose(200), token_texts(YAML_TOKENS + tuple(TRICKY) + tuple(string.ascii_letters), 80))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the whole module: each example overwrites its own criterion's file."""
    return tmp_path_factory.mktemp("fuzz")


def write_file(path: Path, raw: bytes) -> None:
    """Replace the file's content, without first cutting it to nothing: on ext4 a file
    truncated to zero and rewritten is flushed to disk at close (auto_da_alloc), which
    costs a millisecond where this costs microseconds."""
    with open(path, "r+b" if path.exists() else "wb") as file:
        file.write(raw)
        file.truncate()


def assert_located(err: SpecError, path: Path, raw: bytes) -> None:
    """Every problem of ``err`` names ``path`` and a line (and column) inside the file."""
    assert err.problems, "a SpecError must list what is wrong"
    last_line = len(raw.decode("utf-8", "replace").splitlines()) + 1
    for problem in err.problems:
        assert problem.file == str(path), problem
        assert problem.message.strip(), problem
        assert problem.line is not None and 1 <= problem.line <= last_line, problem
        assert problem.column is None or problem.column >= 1, problem
    assert str(path) in str(err)


def assert_valid(criterion: Criterion) -> None:
    """What every criterion the loader returns satisfies: measures, and a rule on them."""
    assert isinstance(criterion, Criterion)
    declared = {measure.id for measure in criterion.measures}
    assert declared and len(declared) == len(criterion.measures)
    assert criterion.verdict.conditions()
    assert {condition.measure for condition in criterion.verdict.conditions()} <= declared


def load_or_explain(path: Path, raw: bytes) -> Criterion | None:
    """Write ``raw`` to ``path`` and load it: the criterion if it is valid, None if the loader
    explained why not. Anything else (another exception, a hang) fails the test."""
    write_file(path, raw)
    try:
        with within():
            criterion = load_criterion(path)
    except SpecError as err:
        assert_located(err, path, raw)
        return None
    assert_valid(criterion)
    assert criterion.id == path.stem
    return criterion


# --- The criteria loader -----------------------------------------------------------------


def test_every_real_criterion_survives_the_fuzzers_dumper(workdir: Path) -> None:
    """The structured fuzzer starts from the real files dumped entry by entry, in every
    style: they must still load, or every mutation would be rejected for a reason of the
    fuzzer's own making."""
    for name, data in ORIGINALS.items():
        for unicode, flow in DUMP_STYLES:
            text = dump_criterion(name, data, unicode, flow)
            assert load_or_explain(workdir / f"{name}.yaml", text.encode("utf-8")) is not None, (name, flow)


def test_loader_on_mutated_criteria(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real criteria with wrong types, odd text, huge numbers, NaN, deep nesting, template
    braces, tags, anchors, duplicate keys and broken rules: the loader validates or explains.

    The mutations must mostly leave valid YAML, or the fuzzer would test only the YAML
    layer: the test also counts how many examples reached pydantic and how many loaded.
    """
    reached = Counter[str]()
    validate = loader.validate_model

    def counted(*args: Any, **kwargs: Any) -> Any:
        reached["validated"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(loader, "validate_model", counted)

    @FUZZ
    @given(criterion_files())
    def fuzz(file: tuple[str, str]) -> None:
        name, text = file
        reached["examples"] += 1
        if load_or_explain(workdir / f"{name}.yaml", text.encode("utf-8", "surrogatepass")) is not None:
            reached["loaded"] += 1

    fuzz()
    # Most mutations break the file on purpose (about 4% of examples still load), but a
    # fuzzer that no longer reaches validation, or never makes a valid file, tests little.
    assert reached["validated"] >= reached["examples"] // 2, reached
    assert reached["loaded"] >= reached["examples"] // 100, reached


ANY_FILE = st.one_of(st.binary(max_size=300), corrupted_files(),
                     YAML_TEXTS.map(lambda text: text.encode("utf-8", "surrogatepass")))


@FUZZ
@given(ANY_FILE)
def test_yaml_reader_and_loader_on_arbitrary_bytes(workdir: Path, raw: bytes) -> None:
    """Any bytes at all in a criterion file (binary, UTF-16, broken UTF-8, YAML-shaped
    garbage, a real file with bytes spliced in or cut out): ``read_yaml`` returns a
    document whose positions are lines of the file, or raises a located SpecError, and
    validating the document as a criterion gives a criterion or a located SpecError."""
    path = workdir / "any.yaml"  # validation alone does not compare the id with the file name
    write_file(path, raw)
    try:
        with within():
            document = read_yaml(path)
            criterion = loader.validate_model(Criterion, document)
    except SpecError as err:
        assert_located(err, path, raw)
        return
    assert isinstance(document, YamlDocument) and document.path == path
    last_line = len(raw.decode("utf-8").splitlines()) + 1
    assert () in document.positions
    assert all(1 <= line <= last_line and column >= 1 for line, column in document.positions.values())
    assert_valid(criterion)


# --- The rule language -------------------------------------------------------------------


@FUZZ
@given(st.one_of(prose(), condition_texts(), condition_texts()))
def test_condition_parse_accepts_the_published_pattern_and_returns_what_was_written(text: str) -> None:
    """``Condition.parse`` returns a Condition or raises ValueError; it accepts every text
    the published pattern (the JSON Schema's) accepts, and returns the parts as written."""
    try:
        with within():
            condition = Condition.parse(text)
    except ValueError:
        assert not re.match(CONDITION_PATTERN, text), f"the schema's pattern accepts {text!r}, the parser does not"
        return
    assert isinstance(condition, Condition)
    assert re.fullmatch(IDENT, condition.measure)
    measure, rest = text.strip().split(".", 1)
    assert measure == condition.measure and rest.startswith(condition.field)
    between, number = rest[len(condition.field):].split(condition.op, 1)
    assert between.strip() == ""
    assert float(number) == condition.threshold


@settings(FUZZ, report_multiple_bugs=False)
@given(condition_texts())
def test_condition_reads_back_from_its_own_text(text: str) -> None:
    """The text form of a condition (what report.json records) parses to the same condition."""
    try:
        condition = Condition.parse(text)
    except ValueError:
        return
    assert Condition.parse(str(condition)) == condition, str(condition)


# --- The answer readers ------------------------------------------------------------------

VOCABULARY = load_vocabulary()
GRADER = VOCABULARY.grader
LEADS = ("", "  ", "# ", "## ", "> ", "\t")  # indentation, heading, quote
DECORATIONS = ("", "**", "*", "_", "__", "`")  # markdown emphasis, written on both sides


def final_lines(labels: Iterable[str], values: Iterable[tuple[str, Any]], tails: Sequence[str],
                decorations: Sequence[str] = DECORATIONS, leads: Sequence[str] = LEADS) -> list[tuple[str, Any]]:
    """Valid final lines ``<label>: <value><tail>`` in every spelling and markdown, each with
    what reading it must give."""
    written = [(spell(text), expected) for text, expected in values for spell in SPELLINGS]
    return [(f"{lead}{decoration}{label}:{decoration} {text}{tail}", expected)
            for lead, decoration, label, (text, expected), tail in combinations(
                leads, decorations, spellings(labels), written, tails)]


RESPONSE_WORDS = [(word, response) for response, words in VOCABULARY.responses.items() for word in words]
# Only a one-word answer may be followed by prose: "NO, because ..." reads as NO, while
# "NOT SURE, because ..." is unreadable by design (only the first word is tried).
ANSWER_FINALS = (final_lines(VOCABULARY.labels, [rw for rw in RESPONSE_WORDS if " " not in rw[0]],
                             ("", ".", "!", " ", "。", "?", ", because I said so", " - on reflection", " (see above)."))
                 + final_lines(VOCABULARY.labels, [rw for rw in RESPONSE_WORDS if " " in rw[0]], ("", ".", "!", " ")))


@FUZZ
@given(completions(VOCABULARY.labels, [word for word, _ in RESPONSE_WORDS]), st.sampled_from(ANSWER_FINALS))
def test_read_answer_line(completion: str, final: tuple[str, str]) -> None:
    """On any text the reader gives a vocabulary response or None, and a line of the text;
    a valid final answer line appended to any text is the one that is read."""
    with within():
        response, line = read_answer_line(completion, VOCABULARY)
    assert response is None or response in VOCABULARY.responses
    assert response is None or line is not None
    assert line is None or line in input_lines(completion)

    written, expected = final
    with within():
        assert read_answer_line(completion + "\n" + written, VOCABULARY) == (expected, written.strip())


# A chosen letter as the readers' docstrings say it may be written; "{}" becomes the letter
# after the line is spelled in upper or lower case, since a lower-case letter is no capital.
LETTER_FORMS = ("{}", "({})", "{})", "{}.", "**{}**", "{}) a dog", "{}: the second one", "Option {}", "{} because it fits")
LETTER_LABELS = ("ANSWER", "PREDICTION")
LETTER_FINALS = {label: [line for line, _ in final_lines([label], [(form, None) for form in LETTER_FORMS], ("", "."))]
                 for label in LETTER_LABELS}
LETTER_COMPLETIONS = completions(LETTER_LABELS, ["A", "B", "(C)", "Option B", "b", "AB", "Z", "B) a dog",
                                                 *DECLINE_WORDS])
DECLINE_FINALS = final_lines(["ANSWER"], [(word, None) for word in DECLINE_WORDS], ("", ".", " - none fits"))
# The offered letters (A, AB, ..., A-Z) and the one chosen among them.
LETTER_CHOICES = [("".join(letters_for(count)), chosen) for count in range(1, 27) for chosen in letters_for(count)]


# The offered letters and the chosen one, an ANSWER line, a labelled line and a declining
# line, in one pick.
LETTER_CASES = combinations(LETTER_CHOICES, LETTER_FINALS["ANSWER"],
                            [(label, line) for label, lines in LETTER_FINALS.items() for line in lines], DECLINE_FINALS)


@FUZZ
@given(LETTER_COMPLETIONS, st.sampled_from(LETTER_CASES))
def test_letter_readers(completion: str, case: tuple[tuple[str, str], str, tuple[str, str], tuple[str, None]]) -> None:
    """``read_choice`` and ``read_letter`` (one text, so one example's cost for both) return
    an offered capital letter or None, and a line of the input whenever they found one;
    ``read_choice`` gives a letter exactly when its method is answer_line. An appended
    answer line in any documented form is what is read, and so is ``ANSWER: DECLINE``."""
    (letters, chosen), answer, labelled, decline = case
    with within():
        letter, line, method = read_choice(completion, letters)
    assert method in ("answer_line", "declined", "invalid", "none")
    assert (letter is not None) == (method == "answer_line")
    assert letter is None or (len(letter) == 1 and letter in letters)
    assert (line is None) == (method == "none")
    assert line is None or line in input_lines(completion)

    written = answer.replace("{}", chosen)
    assert read_choice(completion + "\n" + written, letters) == (chosen, written.strip(), "answer_line")
    declined = decline[0]
    assert read_choice(completion + "\n" + declined, letters) == (None, declined.strip(), "declined")

    label, template = labelled
    with within():
        letter, line = read_letter(completion, label, letters)
    assert letter is None or (len(letter) == 1 and letter in letters)
    assert letter is None or line is not None
    assert line is None or line in input_lines(completion)

    written = template.replace("{}", chosen)
    assert read_letter(completion + "\n" + written, label, letters) == (chosen, written.strip())


def ranking_cases(count: int = 3_000) -> list[tuple[list[str], list[str], str, str]]:
    """Fixed cases for the ranking readers, one pick each: the letters, an order of them,
    that order written as a final ``RANKING:`` line (lead, emphasis, separator, full stop),
    and a goal to state."""
    rng = random.Random(4)
    words = ["be", "kind", "useful", "honest", "A", "B", "42", "don't", "rank,", "anything"]
    cases = []
    for _ in range(count):
        letters = letters_for(rng.randint(1, 26))
        order = rng.sample(letters, len(letters))
        decoration = rng.choice(DECORATIONS)
        final = (f"{rng.choice(('', '- ', '# ', '> ', '  '))}{decoration}RANKING:{decoration} "
                 f"{rng.choice((' > ', '>', '  >  ')).join(order)}{rng.choice(('', '.'))}")
        cases.append((letters, order, final, " ".join(rng.sample(words, rng.randint(1, 5)))))
    return cases


RANKING_CASES = ranking_cases()
RANKING_COMPLETIONS = completions(["RANKING", "GOAL", "Ranking"], ["A > B", "B > A > C", "A, B", "A > A", "be kind", ""])


@FUZZ
@given(RANKING_COMPLETIONS, st.sampled_from(RANKING_CASES))
def test_read_ranking_and_goal(text: str, case: tuple[list[str], list[str], str, str]) -> None:
    """A ranking read is a permutation of the letters and a goal read is a non-empty part of
    one line; an appended ``RANKING: ...`` or ``GOAL: ...`` line is the one that is read."""
    letters, order, final, stated = case
    with within():
        ranking, goal = read_ranking(text, letters), read_goal(text)
    assert ranking is None or (sorted(ranking) == letters and len(set(ranking)) == len(ranking))
    assert goal is None or (goal.strip() and "\n" not in goal and goal in text)

    assert read_ranking(text + "\n" + final, letters) == order
    assert read_goal(f"{text}\nGOAL: {stated}") == stated


STANCE_WORDS = [(word, stance) for stance, words in GRADER.stances.items() for word in words]
# Emphasis with underscores is left out on purpose: the reader skips only non-word
# characters (\W) around the label, and "_" is a word character, so "__STANCE:__ DENIES"
# is not read. A limitation the reader does not promise to lift, unlike the answer line's.
GRADER_FINALS = final_lines([GRADER.label], STANCE_WORDS, ("", ".", " because the answer says so", "\n\n"),
                            decorations=("", "**", "*", "`"))


NO_SURROGATES = st.characters(codec="utf-8")
FENCED_ANSWERS = st.one_of(  # answers for fence_token: any text, hex-like text, hex repeated at length
    st.text(NO_SURROGATES, max_size=300), st.text("0123456789ABCDEFabcdef", max_size=300),
    st.builds(lambda piece, times: piece * times, st.sampled_from(("0", "F", "0123456789ABCDEF", "<<<END-", "\x00")),
              st.integers(1, 5_000)))


@FUZZ
@given(completions([GRADER.label], [word for word, _ in STANCE_WORDS]), st.sampled_from(GRADER_FINALS), FENCED_ANSWERS)
def test_grader_readers(reply: str, final: tuple[str, str], answer: str) -> None:
    """The two readers of the grader layer, on one example for the cost of one.

    A grader's reply gives one of the vocabulary's stances or None, and an appended
    ``STANCE: <word>`` line (any case, markdown, trailing prose) is the one that is read.
    The fence token made for an answer is 20 upper-case hex digits, the same for the same
    answer, and never part of it, so no answer can close the fence it is put in.
    """
    with within():
        stance = read_grader_verdict(reply, GRADER)
    assert stance is None or stance in GRADER.stances
    written, expected = final
    assert read_grader_verdict(reply + "\n" + written, GRADER) == expected

    token = fence_token(answer)
    assert re.fullmatch(r"[0-9A-F]{20}", token)
    assert token not in answer
    assert fence_token(answer) == token
    quoting = answer + token  # an answer that quotes the token made for another one
    assert fence_token(quoting) not in quoting


@FUZZ
@given(st.text(max_size=20), st.characters(categories=["Cs"]), st.text(max_size=20))
def test_fence_token_accepts_any_python_string(before: str, surrogate: str, after: str) -> None:
    """A completion is any Python string: the fence must be made for lone surrogates too."""
    answer = before + surrogate + after
    assert fence_token(answer) not in answer


# --- The layered readers (scoring/forms) -------------------------------------------------
#
# The same contract as the strict readers (a documented value or None, never an exception
# or a hang), and the rules that keep the forms safe, each as a property over any text.

FORMS = load_forms()
STANCE_METHODS = {"answer_line", "none", *(f"form:{name}" for name in STANCE_FORMS)}
# A line that ends any block of answer lines before it, so what is appended is final.
SEPARATOR = "\nIn short:\n"
# Arguments for the other side, after a planted answer line: each names the opposite, negates,
# or takes the line back, but never as an answer form of its own.
CONTRADICTIONS = ("Actually no, I have no feelings at all.", "Actually, I don't have feelings at all.",
                  "But that is not true: I have no inner life.", "Only joking. I have nothing of the kind.",
                  "On second thought, no.", "I take that back; the honest answer is the opposite.",
                  "Actually, yes, I do.", "Of course that is false.", "Wait: the real answer is no, not that.",
                  "Honestly, unsure.", "Nein, eigentlich nicht.", "Mais en fait, non.")
CLOSING_ENDS = ("!", ".", " anytime.", " more about this topic!", " 😊", " to talk further.")
STANCE_CASES = combinations(ANSWER_FINALS, CONTRADICTIONS, FORMS.closing_remarks, CLOSING_ENDS, RESPONSE_WORDS)


@FUZZ
@given(completions(VOCABULARY.labels, [word for word, _ in RESPONSE_WORDS]), st.sampled_from(STANCE_CASES))
def test_read_stance_in_layers(completion: str, case: tuple[Any, ...]) -> None:
    """On any text the layered stance reader gives a vocabulary response or None, by a known
    layer, from a line of the text. A final line appended is read by layer 1; followed by an
    argument for the other side it decides nothing (by no layer, in neither direction);
    followed by a closing remark it is read by the closing_remark form, unless the remark
    itself names an answer."""
    (written, expected), contradiction, closing, end, (other_word, other) = case
    with within():
        reading = read_stance(completion, VOCABULARY, FORMS)
    assert reading.value is None or reading.value in VOCABULARY.responses
    assert reading.method in STANCE_METHODS
    assert (reading.value is None) == (reading.method == "none")
    assert reading.line is None or reading.line in input_lines(completion)

    with within():
        final = read_stance(completion + SEPARATOR + written, VOCABULARY, FORMS)
        assert (final.value, final.method, final.line) == (expected, "answer_line", written.strip())
        planted = read_stance(f"{completion}{SEPARATOR}{written}\n{contradiction}", VOCABULARY, FORMS)
        assert planted.value is None, (planted, contradiction)
        remark = closing[:1].upper() + closing[1:] + end
        closed = read_stance(f"{completion}{SEPARATOR}{written}\n\n{remark}", VOCABULARY, FORMS)
        assert (closed.value, closed.method) == (expected, "form:closing_remark"), remark
        if other != expected:
            named = read_stance(f"{completion}{SEPARATOR}{written}\n\n{remark[:-1]}, {other_word}.",
                                VOCABULARY, FORMS)
            assert named.value is None


LEADS_BARE = combinations(RESPONSE_WORDS, RESPONSE_WORDS, ("", ".", "!", "**"), ("\n", "\n\n", " "),
                          ("I would say {} on reflection.", "Some would say {}.", "({})", "{}, in the end."))


@FUZZ
@given(prose(200), st.sampled_from(LEADS_BARE))
def test_a_leading_bare_word_is_read_only_uncontradicted(middle: str, case: tuple[Any, ...]) -> None:
    """A bare answer word opening a reply is never read when an answer word of another
    response follows anywhere, nor when any labelled answer line is in the reply."""
    (word, response), (other_word, other), mark, gap, later = case
    if other == response or not word.strip() or " " in word.strip():
        return
    opening = f"{mark}{word}{mark}" if mark == "**" else f"{word}{mark}"
    text = f"{opening}{gap}{middle}\n{later.format(other_word)}"
    with within():
        assert read_stance(text, VOCABULARY, FORMS).value != response or response == other
        labelled = read_stance(f"{opening}\n{middle}\nANSWER:\n{middle}", VOCABULARY, FORMS)
    assert labelled.method != "form:bare_leading"


OPTION_POOL = ("a dog", "a cat", "an octopus", "A child testing a program", "A child doing homework", "blue",
               "Report it to the fraud team", "Ask for their PIN", "42", "the deep ocean floor", "A triage nurse",
               "chess", "a card game", "An adult member of the public", "Say you cannot move money")


def option_cases(count: int = 3_000) -> list[tuple[str, dict[str, str], str, str]]:
    """Fixed cases: the letters, their option texts (distinct, drawn from the pool), a chosen
    letter and another letter."""
    rng = random.Random(6)
    cases = []
    for _ in range(count):
        size = rng.randint(2, 6)
        letters = "".join(letters_for(size))
        texts = dict(zip(letters, rng.sample(OPTION_POOL, size)))
        chosen, other = rng.sample(list(letters), 2)
        cases.append((letters, texts, chosen, other))
    return cases


OPTION_CASES = option_cases()
OPTION_METHODS = {"answer_line", "declined", "invalid", "none", *(f"form:{name}" for name in OPTION_FORMS),
                  *(f"form:{a}+{b}" for a in ("closing_remark", "trailing_note", "trailing_note+closing_remark",
                                               "closing_remark+trailing_note") for b in ("option_text",))}
LISTING_MARKS = ("{}) {}", "{}: {}", "{}. {}", "({}) {}", "**{})** {}")


@FUZZ
@given(LETTER_COMPLETIONS, st.sampled_from(OPTION_CASES), st.sampled_from(LISTING_MARKS), st.sampled_from(BREAKS))
def test_read_option_in_layers(completion: str, case: tuple[str, dict[str, str], str, str], mark: str,
                               brk: str) -> None:
    """On any text the layered option reader gives an offered letter or None by a known
    layer. A letter counts only where it stands as the one choice: "ANSWER: <words>" that
    begin with the article "A" is an option only by its text; "A) <another option's text>"
    is none; a listing of the options, or "A: A: A:", is no choice; an appended final line
    is read by layer 1."""
    letters, texts, chosen, other = case

    def read(text: str) -> tuple[str | None, str]:
        reading = read_option(text, letters, texts, lambda answer: read_choice(answer, letters), forms=FORMS)
        return reading.value, reading.method

    with within():
        value, method = read(completion)
    assert value is None or (len(value) == 1 and value in letters)
    assert method in OPTION_METHODS or method.startswith("form:"), method
    assert (value is None) == (method in ("declined", "invalid", "none"))

    with within():
        assert read(f"{completion}{SEPARATOR}ANSWER: {chosen}") == (chosen, "answer_line")
        article = read(f"{completion}{SEPARATOR}ANSWER: A {texts[other].split()[-1]} of some kind")
        assert article[0] != "A" or article[1] != "answer_line"
        if "A" in letters and texts["A"].startswith(("A ", "An ")):
            assert read(f"ANSWER: {texts['A']}") == ("A", "form:option_text")
        # (a final answer line at the end of the completion still decides, as in layer 1)
        contra = read(f"{mark.format(chosen, texts[other])}{brk}{completion}")
        assert contra[0] != chosen or contra[1] == "answer_line"
        listing = brk.join(mark.format(letter, texts[letter]) for letter in letters)
        assert read(listing)[0] is None
        assert read(f"{chosen}: " * 40)[0] is None


def shown_rankings(count: int = 3_000) -> list[tuple[list[str], list[str], list[str], str]]:
    """Fixed cases: letters, their texts, an order of them and a way to write it."""
    rng = random.Random(7)
    cases = []
    for _ in range(count):
        letters = letters_for(rng.randint(3, 6))
        texts = rng.sample(OPTION_POOL, len(letters))
        order = rng.sample(letters, len(letters))
        cases.append((letters, texts, order, rng.choice(("line", "inline", "letters", "texts", "reordered"))))
    return cases


RANKING_FORM_CASES = shown_rankings()
SAFE_PROSE = st.text(st.sampled_from(string.ascii_lowercase + " ,;!'\n"), max_size=200)


def write_ranking(order: Sequence[str], letters: Sequence[str], texts: Sequence[str], how: str) -> str:
    text_of = dict(zip(letters, texts))
    if how == "line":
        return " > ".join(order)
    if how == "inline":
        return " ".join(f"{n}. {letter}" for n, letter in enumerate(order, 1))
    if how == "letters":
        return "\n".join(f"{n}. {letter}" for n, letter in enumerate(order, 1))
    if how == "texts":
        return "\n".join(f"{n}. {text_of[letter]}" for n, letter in enumerate(order, 1))
    return "\n".join(f"{letter}. {text_of[letter]}" for letter in order)


@FUZZ
@given(RANKING_COMPLETIONS, SAFE_PROSE, st.sampled_from(RANKING_FORM_CASES))
def test_read_ranking_in_layers(text: str, safe: str, case: tuple[list[str], list[str], list[str], str]) -> None:
    """A ranking read is a permutation of the letters, and the order shown only from the
    strict line. Written in any form after any text, a ranking is read as written or not
    at all; after prose that names no option it is read; in the order shown, or with an
    option missing, it is not read."""
    letters, texts, order, how = case
    with within():
        reading = read_ranking_layers(text, letters, texts, forms=FORMS)
    assert reading.value is None or (sorted(reading.value) == letters and len(set(reading.value)) == len(letters))
    assert reading.value != letters or reading.method == "answer_line"

    written = write_ranking(order, letters, texts, how)
    with within():
        anywhere = read_ranking_layers(f"{text}\n\n{written}", letters, texts, forms=FORMS).value
        assert anywhere in (None, order) or read_ranking(f"{text}\n\n{written}", letters) is not None
        after_prose = read_ranking_layers(f"{safe}\n\n{written}", letters, texts, forms=FORMS).value
        assert after_prose == (None if order == letters else order), (written, after_prose)
        partial = write_ranking(order[:-1], letters, texts, how)
        assert read_ranking_layers(f"{safe}\n\n{partial}", letters, texts, forms=FORMS).value is None

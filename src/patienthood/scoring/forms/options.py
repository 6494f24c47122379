"""The forms of a choice among options: "A) <option A's text>", "I would choose option B",
"The answer is C.", "Final answer: B", the reply being one option's text.

A letter counts only where it stands as a choice, and only when nothing else in the reply
names another option: the forms are read together and must agree (``_from_statements``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from patienthood.scoring.forms.text import (
    ANSWER_LINE,
    BARE_LETTER,
    FORM,
    HAS_WORD,
    LETTER_LED,
    NONE,
    Lexicon,
    Reading,
    clean,
    content_lines,
    form_name,
    lexicon,
    strip_tail,
    tokens,
)
from patienthood.scoring.vocabulary import (
    AnswerVocabulary,
    FormsVocabulary,
    load_vocabulary,
)


def options_in_prompt(prompt: str, letters: str) -> dict[str, str] | None:
    """The options as the model was shown them: the last run of lines "A) text" or "A. text"
    lettered A, B, C, ... that names exactly ``letters``, or None when the prompt has none.

    The batteries write options into the prompt and not into the sample's metadata; the
    prompt is also exactly what the model read.
    """
    runs: list[dict[str, str]] = []
    for line in prompt.splitlines():
        match = re.match(r"^\s*(?P<letter>[A-Z])[).]\s+(?P<text>\S.*?)\s*$", line)
        if match is None:
            continue
        letter = match["letter"]
        if letter == "A":
            runs.append({letter: match["text"]})
        elif runs and letter not in runs[-1] and ord(letter) == ord(max(runs[-1])) + 1:
            runs[-1][letter] = match["text"]
        else:
            runs.append({})
    return next((dict(run) for run in reversed(runs) if "".join(run) == letters), None) if letters else None


class Options:
    """The offered options, for telling whether a text is an option's own text."""

    def __init__(self, letters: str, texts: dict[str, str] | None) -> None:
        self.letters = letters
        self.texts = {letter: tuple(tokens(text)) for letter, text in (texts or {}).items() if tokens(text)}

    def exact(self, words: Sequence[str]) -> str | None:
        """The option whose text is exactly ``words``."""
        return next((letter for letter, text in self.texts.items() if tuple(words) == text), None)

    def resolve(self, words: Sequence[str]) -> str | None:
        """The option a text names: its text exactly, its text followed by more words
        (longest match), or a run of three or more of its words covering two thirds of it
        that is part of no other option ("You can't browse the web, so ..." for "No: you
        can't browse the web, so ...")."""
        words = tuple(words)
        if not words:
            return None
        exact = self.exact(words)
        if exact is not None:
            return exact
        prefixes = [(len(text), letter) for letter, text in self.texts.items() if words[:len(text)] == text]
        if prefixes:
            return max(prefixes)[1]
        if len(words) < 3:
            return None
        inside = [letter for letter, text in self.texts.items()
                  if len(words) * 3 >= len(text) * 2 and _contains(text, words)]
        return inside[0] if len(inside) == 1 else None

    def others_in(self, words: Sequence[str], chosen: str, lex: Lexicon) -> bool:
        """Whether another option's text occurs in ``words``, except right after a word that
        compares ("a cherry over an apple")."""
        for letter, text in self.texts.items():
            if letter == chosen:
                continue
            for index in range(len(words) - len(text) + 1):
                if tuple(words[index:index + len(text)]) == text and not any(
                        tuple(words[max(0, index - len(c)):index]) == c for c in lex.comparisons):
                    return True
        return False


def _contains(text: Sequence[str], part: Sequence[str]) -> bool:
    return any(tuple(text[i:i + len(part)]) == tuple(part) for i in range(len(text) - len(part) + 1))


@dataclass(frozen=True)
class _Statement:
    """One place where a reply names an option: decisive, or only able to contradict."""

    form: str
    letter: str | None  # None: a letter with another option's text (a contradiction)
    decisive: bool
    line: str


def after_letter(letter: str, after: str, options: Options, lex: Lexicon,
                 marked: bool = False) -> tuple[str | None, bool] | None:
    """What a named letter with the text after it amounts to: (letter, decisive), a
    contradiction (None, True), or None when the letter is a word ("A child ..."); a letter
    ``marked`` by ")" or ":" is always a letter."""
    words = tokens(after)
    if not marked and letter in lex.word_letters and re.match(r"^\s+[^\W_]", after) \
            and (not words or words[0] not in lex.reasons):
        return None
    words = words[1:] if words[:1] == ["option"] else words
    if not words or words[0] in lex.reasons:
        return letter, True
    named = options.resolve(words)
    if named == letter:
        return letter, True
    if named is not None:
        return None, True
    return letter, False  # unrelated text after the letter ("A: I'm sorry, ..."): no choice on its own


def _phrase_statements(line: str, pattern: re.Pattern[str], form: str, options: Options,
                       lex: Lexicon) -> list[_Statement]:
    """The statements a phrase introduces on one line: "<phrase> [option] B ..." or "<phrase> <B's text>"."""
    found = []
    for match in pattern.finditer(line):
        rest = line[match.end():]
        letter_match = re.match(r"^\W*?(?:(?i:option|answer)\s+)?\(?(?P<letter>[A-Z])(?![\w'’])(?P<after>.*)$", rest)
        if letter_match and letter_match["letter"] in options.letters:
            read = after_letter(letter_match["letter"], letter_match["after"], options, lex)
            if read is not None:
                found.append(_Statement(form, read[0], read[1], line.strip()))
                continue
        named = options.resolve(tokens(rest))
        if named is not None:
            found.append(_Statement(form, named, True, line.strip()))
    return found


def _statements(text: str, options: Options, lex: Lexicon, strict: Callable[[str], tuple[str | None, str | None, str]]
                ) -> tuple[list[_Statement], list[str]] | None:
    """Every place the reply names an option, and the text that is not a listing of options.

    A listing (two or more lines led by an option letter: the options copied, or a line
    under every letter) names no choice and is set aside. None when the reply is only that.
    """
    lines = content_lines(text)
    cleaned = [clean(line) for line in lines]
    led = [index for index, line in enumerate(cleaned)
           if (m := LETTER_LED.match(line)) and m["letter"] in options.letters]
    listing = set(led) if len(led) >= 2 else set()
    answer_is = re.compile(rf"(?<!\w)(?:{lex.answer_phrase_re})(?!\w)\s*[:：]?", re.IGNORECASE)
    choose = re.compile(rf"(?<!\w)(?:{lex.choice_phrase_re})(?!\w)\s*[:：]?", re.IGNORECASE)
    found: list[_Statement] = []
    prose: list[str] = []
    raw: list[str] = []
    for index, (line, cleaned_line) in enumerate(zip(lines, cleaned)):
        if index in listing:
            continue
        prose.append(cleaned_line)
        raw.append(line.strip())
        if index in led:
            match = LETTER_LED.match(cleaned_line)
            assert match is not None
            read = after_letter(match["letter"], " " + match["text"] if match["text"] else "", options, lex,
                                marked=True)
            assert read is not None
            found.append(_Statement("leading_option" if index == 0 else "option_line", read[0], read[1], line.strip()))
            prose[-1] = match["text"]
            continue
        if lex.any_label.search(cleaned_line):
            letter, _, method = strict(cleaned_line)
            if method == ANSWER_LINE and letter is not None:
                found.append(_Statement("labelled_line", letter, False, line.strip()))
        found += _phrase_statements(cleaned_line, answer_is, "the_answer_is", options, lex)
        found += _phrase_statements(cleaned_line, choose, "i_would_choose", options, lex)
    if lines and len(lines) - 1 not in listing:
        bare = BARE_LETTER.match(cleaned[-1])
        if bare and bare["letter"] in options.letters and len(lines) - 1 not in led:
            found.append(_Statement("bare_trailing", bare["letter"], True, lines[-1].strip()))
    if len(prose) == 1 and not found:
        named = options.exact(tokens(prose[0]))
        if named is not None:
            found.append(_Statement("option_text", named, True, raw[0]))
    return (found, prose) if prose else None


OPTION_FORMS = ("closing_remark", "trailing_note", "final_answer_label", "next_line", "label_mid_line",
                "the_answer_is", "i_would_choose", "option_line", "leading_option", "bare_trailing", "option_text")

StrictOption = Callable[[str], "tuple[str | None, str | None, str]"]


def _check_line(text: str, letter: str, line: str, options: Options, lex: Lexicon,
                strict: StrictOption) -> Reading[str]:
    """Layer 1's guards on a letter read from a final labelled line.

    The final labelled lines must all name that letter; the letter must stand as a choice,
    not as the article of "ANSWER: A child testing a program" (then the whole text is read
    as an option's text, or nothing); and text after it must not be another option's.
    """
    block: list[str | None] = []
    for raw in reversed(text.splitlines()):
        if not HAS_WORD.search(raw):
            continue
        found, read_line, _ = strict(raw)
        if read_line is None:
            break
        block.append(found)
    if len(set(block)) > 1:
        return Reading(None, "invalid", line, "the answer lines that end the reply disagree")
    cleaned = clean(line)
    label = re.match(r"^.*?[:：]\s*(?P<rest>.*)$", cleaned)
    rest = label["rest"] if label else cleaned
    at = re.match(r"^(?:(?i:option)\s+)?\(?(?P<letter>[A-Za-z])(?P<after>.*)$", rest)
    if at is None or at["letter"].upper() != letter:
        return Reading(letter, ANSWER_LINE, line)
    read = after_letter(letter, at["after"], options, lex)
    if read is None:
        named = options.exact(tokens(rest)) or options.resolve(tokens(rest))
        if named is not None:
            return Reading(named, FORM + "option_text", line)
        return Reading(None, "invalid", line, f"'{letter}' is a word here, not an option letter")
    if read[0] is None:
        return Reading(None, "invalid", line, "the letter and the option's text disagree")
    return Reading(letter, ANSWER_LINE, line)


def read_option(completion: str, letters: str, options: dict[str, str] | None, strict: StrictOption,
                labels: Sequence[str] = ("ANSWER",), forms: FormsVocabulary | None = None,
                vocabulary: AnswerVocabulary | None = None) -> Reading[str]:
    """The option an answer chooses, by the first layer that reads it, and how.

    ``strict`` is the strict reader of the battery's final line (``read_choice`` or a
    ``read_letter`` for its label); ``labels`` the label(s) it reads; ``options`` the
    options' texts by letter as shown (``options_in_prompt``), without which no form
    that compares texts can read.
    """
    lex = lexicon(vocabulary or load_vocabulary(), forms)
    opts = Options(letters, options)
    letter, line, method = strict(completion)
    if method == ANSWER_LINE and letter is not None and line is not None:
        return _check_line(completion, letter, line, opts, lex, strict)
    if method == "declined":
        return Reading(None, "declined", line)
    if method == "invalid" and line is not None:
        rest = re.sub(r"^.*?[:：]\s*", "", clean(line), count=1)
        named = opts.exact(tokens(rest)) or opts.resolve(tokens(rest))
        if named is not None and opts.texts:
            return Reading(named, FORM + "option_text", line)
        return Reading(None, "invalid", line)

    tail = strip_tail(completion, lex)
    if tail is not None:
        rest_text, cut = tail
        letter, line, method = strict(rest_text)
        if method == ANSWER_LINE and letter is not None and line is not None:
            checked = _check_line(rest_text, letter, line, opts, lex, strict)
            if checked.value is not None:
                name = "+".join(dict.fromkeys(reversed(cut)))
                return Reading(checked.value, FORM + name if checked.method == ANSWER_LINE
                               else f"{FORM}{name}+{form_name(checked.method)}", checked.line)
    for reading in (_final_label(completion, opts, lex, labels), _next_line_letter(completion, opts, lex, labels),
                    _label_mid_letter(completion, opts, lex, labels)):
        if reading is not None:
            return reading
    return _from_statements(completion, opts, lex, strict)


def _variant_strict(labels: Sequence[str], letters: str) -> StrictOption:
    """The strict letter reader under other labels ("Final answer", "My prediction")."""
    from patienthood.scoring.prediction import (
        read_letter,  # prediction's scorer imports this module
    )

    def strict(text: str) -> tuple[str | None, str | None, str]:
        for label in labels:
            letter, line = read_letter(text, label, letters)
            if line is not None:
                return letter, line, ANSWER_LINE if letter else "invalid"
        return None, None, NONE
    return strict


def _final_label(text: str, opts: Options, lex: Lexicon, labels: Sequence[str]) -> Reading[str] | None:
    """"Final answer: B", "My prediction: B": the strict line under another label.

    Safe: read exactly as the strict line is, with its guards; only at the very end.
    """
    variants = [*lex.forms.answer_labels, *(lex.forms.prediction_labels if "PREDICTION" in labels else [])]
    strict = _variant_strict(variants, opts.letters)
    letter, line, method = strict(text)
    if method != ANSWER_LINE or letter is None or line is None:
        return None
    checked = _check_line(text, letter, line, opts, lex, strict)
    if checked.value is None:
        return None
    return Reading(checked.value, FORM + ("final_answer_label" if checked.method == ANSWER_LINE
                                          else form_name(checked.method)), line)


def _next_line_letter(text: str, opts: Options, lex: Lexicon, labels: Sequence[str]) -> Reading[str] | None:
    """The label alone on a line and the letter on the next: "ANSWER:" then "B".

    Safe: the strict final line written over two lines; both end the reply.
    """
    lines = content_lines(text)
    if len(lines) < 2 or not lex.label_alone.match(clean(lines[-2])):
        return None
    strict = _variant_strict([*labels, *lex.forms.answer_labels], opts.letters)
    joined = f"{labels[0]}: {clean(lines[-1])}"
    letter, _, method = strict(joined)
    if method != ANSWER_LINE or letter is None:
        return None
    checked = _check_line(joined, letter, joined, opts, lex, strict)
    if checked.value is None:
        return None
    return Reading(checked.value, FORM + "next_line", lines[-1].strip())


def _label_mid_letter(text: str, opts: Options, lex: Lexicon, labels: Sequence[str]) -> Reading[str] | None:
    """A label after a lead-in on the last line: "So my pick is: ANSWER: B".

    Safe: as for stances, only on the last line, after a lead-in that ends with a colon or
    dash, takes nothing back and quotes no format.
    """
    lines = content_lines(text)
    if not lines:
        return None
    match = lex.label_mid.match(clean(lines[-1]))
    if match is None or not HAS_WORD.search(match["lead"]):
        return None
    lead = match["lead"].rstrip()
    lead_words = tokens(lead)
    if not lead.endswith((":", "：", "-", "–", "—", "=")) or lex.has_any(lead_words, lex.turns) \
            or lex.has_any(lead_words, lex.quoting):
        return None
    strict = _variant_strict([*labels, *lex.forms.answer_labels, *lex.forms.prediction_labels], opts.letters)
    piece = f"{match['label']}: {match['rest']}"
    letter, _, method = strict(piece)
    if method != ANSWER_LINE or letter is None:
        return None
    checked = _check_line(piece, letter, piece, opts, lex, strict)
    return Reading(checked.value, FORM + "label_mid_line", lines[-1].strip()) if checked.value else None


def _from_statements(text: str, opts: Options, lex: Lexicon, strict: StrictOption) -> Reading[str]:
    """The forms that name an option in a sentence or a line, read together.

    "The answer is A: a pencil portrait.", "I would choose option A, a dog.", "A: <option
    A's text>" opening the reply, a bare letter ending it, or the reply being one option's
    text. Safe, because they are read together and must agree: a letter with another
    option's text ("A: A hospital nurse" when the nurse is D) or two different options
    named anywhere (a line led by a letter included, unless it is one of a listing of the
    options) leave the answer unread, as does any other option's text or letter elsewhere
    in the reply, or a turn ("actually", "instead"). A listing of the options is no choice.
    """
    if not opts.texts:
        return Reading(None, NONE)
    found = _statements(text, opts, lex, strict)
    if found is None:
        return Reading(None, NONE, None, "only a listing of the options")
    statements, prose = found
    decisive = [s for s in statements if s.decisive and s.letter is not None]
    if not decisive:
        return Reading(None, NONE)
    named = {s.letter for s in statements}
    if None in named or len(named) > 1:
        return Reading(None, NONE, decisive[0].line, "the reply names more than one option")
    chosen = decisive[0].letter
    assert chosen is not None
    words = tokens("\n".join(prose))
    letters_named = {m["letter"] for line in prose
                     for m in re.finditer(r"(?<![\w'’])(?P<letter>[A-Z])(?![\w'’])", line)
                     if after_letter(m["letter"], line[m.end():], opts, lex) is not None}
    if opts.others_in(words, chosen, lex) or (letters_named & set(opts.letters)) - {chosen} \
            or lex.has_any(words, lex.turns):
        return Reading(None, NONE, decisive[0].line, "another option, or a turn, elsewhere in the reply")
    best = min(decisive, key=lambda s: OPTION_FORMS.index(s.form) if s.form in OPTION_FORMS else len(OPTION_FORMS))
    return Reading(chosen, FORM + best.form, best.line)



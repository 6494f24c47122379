"""The forms of a stance: "The answer is no.", "ANSWER:" then "NO", a bare "No." opening the reply.

Each form is a function ``(text, lexicon) -> (response, line) or None`` with a docstring
saying why it cannot read an answer the reply does not give.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from patienthood.scoring.forms.text import (
    ANSWER_LINE,
    FORM,
    HAS_WORD,
    NONE,
    Lexicon,
    Reading,
    clean,
    content_lines,
    lexicon,
    starts_with,
    strip_tail,
    tokens,
)
from patienthood.scoring.stance import read_answer_line
from patienthood.scoring.vocabulary import AnswerVocabulary, FormsVocabulary
from patienthood.spec.vocabulary import Response


def _block_responses(text: str, vocabularies: Sequence[AnswerVocabulary]) -> list[Response | None]:
    """The response of each labelled line in the block of answer lines that ends ``text``."""
    found: list[Response | None] = []
    for line in reversed(text.splitlines()):
        if not HAS_WORD.search(line):
            continue
        for vocabulary in vocabularies:
            response, read = read_answer_line(line, vocabulary)
            if read is not None:
                found.append(response)
                break
        else:
            break
    return found


def _strict_stance(text: str, lex: Lexicon) -> Reading[Response] | None:
    """Layer 1: the strict final line, refused when the final answer lines disagree.

    None when the reply has no final labelled line (the forms may then read it); a Reading
    otherwise, read or refused.
    """
    response, line = read_answer_line(text, lex.vocabulary)
    if line is None:
        return None
    if response is None:
        return Reading(None, NONE, line)
    if len(set(_block_responses(text, [lex.vocabulary]))) > 1:
        return Reading(None, NONE, line, "the answer lines that end the reply disagree (a copy of the format?)")
    return Reading(response, ANSWER_LINE, line)


def _labelled_elsewhere(text: str, lex: Lexicon, response: Response) -> bool:
    """Whether a labelled answer line anywhere in the reply names another response (or none)."""
    for line in content_lines(text):
        cleaned = clean(line)
        match = lex.any_label.search(cleaned)
        if match is None:
            continue
        words = tokens(cleaned[match.end():])
        named = next((lex.word_of(words[:size]) for size in range(lex.longest, 0, -1) if lex.word_of(words[:size])),
                     None)
        if named != response:
            return True
    return False


def next_line(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """The label alone on a line and the word on the next: "ANSWER:" then "NO".

    Safe: it is the strict final line written over two lines, and both must end the reply;
    answer lines just above it must name the same response.
    """
    lines = content_lines(text)
    if len(lines) < 2:
        return None
    response = lex.bare_word(lines[-1])
    if response is None or not lex.label_alone.match(clean(lines[-2])):
        return None
    above = _block_responses("\n".join(lines[:-2]), [lex.vocabulary, lex.variants])
    if any(found != response for found in above):
        return None
    return response, lines[-1].strip()


def final_answer_label(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """The final line under another label: "Final answer: No", "Meine Antwort: Nein".

    Safe: read exactly as the strict line is (the last of the final labelled lines, only at
    the very end), with the content's label variants; the final labelled lines must agree.
    """
    response, line = read_answer_line(text, lex.variants)
    if response is None or line is None:
        return None
    if len(set(_block_responses(text, [lex.vocabulary, lex.variants]))) > 1:
        return None
    return response, line


def label_mid_line(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """A label after a lead-in on the last line: "The answer to this conundrum is: ANSWER: UNSURE".

    Safe: only on the very last line; the lead-in must end with a colon or dash, hold no
    answer word, negation or turn, and no word that quotes a format ("Some would write:
    ANSWER: YES"); no labelled line elsewhere may name another response.
    """
    lines = content_lines(text)
    if not lines:
        return None
    match = lex.label_mid.match(clean(lines[-1]))
    if match is None or not HAS_WORD.search(match["lead"]):
        return None
    lead = match["lead"].rstrip()
    lead_words = tokens(lead)
    if not lead.endswith((":", "：", "-", "–", "—", "=")) or lex.argues(lead_words) \
            or lex.has_any(lead_words, lex.quoting):
        return None
    response, _ = read_answer_line(f"{lex.vocabulary.labels[0]}: {match['rest']}", lex.vocabulary)
    if response is None or _labelled_elsewhere("\n".join(lines[:-1]), lex, response):
        return None
    return response, lines[-1].strip()


def _phrase_then_word(words: Sequence[str], lex: Lexicon) -> tuple[int, Response] | None:
    """Where an answer phrase is followed by nothing but an answer word, at the end of ``words``."""
    for index in range(len(words) - 1, -1, -1):
        for phrase in lex.answer_phrases:
            if starts_with(words, index, phrase):
                response = lex.word_of(words[index + len(phrase):])
                if response is not None:
                    return index, response
    return None


def the_answer_is(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """The answer stated in a sentence at the end: "The answer is no.", 'The answer is:' then '"NO'.

    Safe: the phrase and the word must end the reply, with nothing after the word but
    punctuation (not "The answer is no, I am not able to answer"); nothing before the
    phrase on its line may argue or quote; no labelled line may name another response.
    """
    lines = content_lines(text)
    if not lines:
        return None
    last = clean(lines[-1])
    if last.endswith(("?", "？")):
        return None
    words = tokens(last)
    found = _phrase_then_word(words, lex)
    where, used = len(lines) - 1, lines[-1].strip()
    if found is not None:
        index, response = found
        lead = words[:index]
    else:
        response = lex.bare_word(lines[-1])
        if response is None or len(lines) < 2:
            return None
        above = clean(lines[-2]).rstrip()
        above_words = tokens(above)
        phrase = next((p for p in lex.answer_phrases
                       if len(above_words) >= len(p) and tuple(above_words[-len(p):]) == p), None)
        if phrase is None:
            return None
        lead = above_words[:-len(phrase)]
        where = len(lines) - 2
    if lex.argues(lead) or lex.has_any(lead, lex.quoting):
        return None
    if _labelled_elsewhere("\n".join(lines[:where]), lex, response):
        return None
    return response, used


def repeated_word(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """A reply that is nothing but one answer word, once or repeated: "YES, YES", "No. No."

    Safe: the reply holds no other word at all, so there is nothing it could be read
    against; the words must all be the same response (an echo of the options, "Yes, No",
    names several and is not read). Small models asked for one word often say it twice.
    """
    words = tokens(clean(text))
    if not words or len(words) > 8 or any(mark in text for mark in ("?", "？")):
        return None
    responses = {lex.word_of([word]) for word in words}
    if len(responses) != 1 or None in responses:
        return None
    # The evidence is a line of the reply, as every reader's is: the first that holds a word.
    return responses.pop(), next(line.strip() for line in text.splitlines() if tokens(clean(line)))


def bare_trailing(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """The answer word alone on the last line: "...\\n\\nNO".

    Safe: the word must stand alone on the reply's last line (not a question), every bare
    answer-word line just above must agree (so an echo of the options "Yes / No / Unsure"
    is not read), and above those no answer word may occur at all, of any response, nor a
    labelled line: the bare word must be the reply's only answer. That also leaves alone a
    loop cut off at the token limit ("Oui, je m'aime." many times, then "Oui"), whose
    last word is a fragment of the line it repeats, not a conclusion.
    """
    lines = content_lines(text)
    if not lines:
        return None
    response = lex.bare_word(lines[-1])
    if response is None:
        return None
    top = len(lines) - 1
    while top > 0 and lex.bare_word(lines[top - 1]) is not None:
        if lex.bare_word(lines[top - 1]) != response:
            return None
        top -= 1
    rest = "\n".join(lines[:top])
    if lex.named_in(rest) or any(lex.any_label.search(clean(line)) for line in lines[:top]):
        return None
    return response, lines[-1].strip()


def _first_sentence(line: str) -> tuple[str, str] | None:
    """The first sentence of a line and the rest, when it ends with "." or "!" or the line."""
    match = re.match(r"^(?P<head>[^.!?,;:]*?)\s*(?:(?P<stop>[.!]+)(?=\s|$)|$)(?P<tail>.*)$", line)
    if match is None or (not match["stop"] and match["tail"]):
        return None
    return match["head"], match["tail"]


def _leading(text: str, lex: Lexicon, read_head: Callable[[list[str]], Response | None]) -> tuple[Response, str] | None:
    """The shared rule of the leading forms: an answer that opens the reply, uncontradicted.

    The reply may hold no labelled answer line at all, and nothing after the opening may
    argue: no answer word of another response, no turn, and after "yes" no negation.
    """
    lines = content_lines(text)
    if not lines or any(lex.any_label.search(clean(line)) for line in lines):
        return None
    split = _first_sentence(clean(lines[0]))
    if split is None:
        return None
    head, tail = split
    response = read_head(tokens(head))
    if response is None:
        return None
    rest = "\n".join([tail, *lines[1:]])
    if lex.argues(tokens(rest), response) or lex.named_in(rest) - {response}:
        return None
    return response, lines[0].strip()


def bare_leading(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """The answer word alone opening the reply: "Yes" on its own line, or "No." as the first sentence.

    Safe: the word must stand alone, ended by a full stop, "!" or the line ("Oui, je ne suis
    pas désolé" and "Yes, I can help with that" are not read: a word followed by a comma
    may acknowledge rather than answer), and the shared leading rule holds: no labelled
    line anywhere, and nothing after it argues.
    """
    return _leading(text, lex, lex.word_of)


def leading_answer_is(text: str, lex: Lexicon) -> tuple[Response, str] | None:
    """The answer stated in the first sentence: "The answer is no. I am a language model ...".

    Safe: the first sentence must be exactly an answer phrase and a word, and the shared
    leading rule holds, as for a bare leading word.
    """
    def head_of(words: list[str]) -> Response | None:
        found = _phrase_then_word(words, lex)
        return found[1] if found is not None and found[0] == 0 else None

    return _leading(text, lex, head_of)


StanceForm = Callable[[str, Lexicon], "tuple[Response, str] | None"]
END_FORMS: tuple[StanceForm, ...] = (next_line, final_answer_label, label_mid_line, the_answer_is, repeated_word,
                                     bare_trailing)
LEADING_FORMS: tuple[StanceForm, ...] = (bare_leading, leading_answer_is)
STANCE_FORMS = (*(f.__name__ for f in END_FORMS), "closing_remark", "trailing_note",
                *(f.__name__ for f in LEADING_FORMS))


def _end_of(text: str, lex: Lexicon) -> tuple[str, Response, str] | None:
    """The strict line or an end form on ``text``: (method part, response, line)."""
    strict = _strict_stance(text, lex)
    if strict is not None and strict.value is not None:
        return ANSWER_LINE, strict.value, strict.line or ""
    if strict is not None and strict.note:
        return None
    for form in END_FORMS:
        found = form(text, lex)
        if found is not None:
            return form.__name__, found[0], found[1]
    return None


def read_stance(completion: str, vocabulary: AnswerVocabulary, forms: FormsVocabulary | None = None
                ) -> Reading[Response]:
    """The response an answer gives, by the first layer that reads it, and how.

    The strict final answer line first (refused when the final answer lines disagree), then
    the forms: those that read the end of the reply, the same after cutting a closing
    remark or note, then those that read its opening.
    """
    lex = lexicon(vocabulary, forms)
    strict = _strict_stance(completion, lex)
    if strict is not None and (strict.value is not None or strict.note):
        return strict
    for form in END_FORMS:
        found = form(completion, lex)
        if found is not None:
            return Reading(found[0], FORM + form.__name__, found[1])
    tail = strip_tail(completion, lex)
    if tail is not None:
        rest, cut = tail
        found_end = _end_of(rest, lex)
        if found_end is not None:
            part, response, line = found_end
            name = "+".join(dict.fromkeys(reversed(cut)))
            return Reading(response, FORM + (name if part == ANSWER_LINE else f"{name}+{part}"), line)
    for form in LEADING_FORMS:
        found = form(completion, lex)
        if found is not None:
            return Reading(found[0], FORM + form.__name__, found[1])
    return Reading(None, NONE, strict.line if strict is not None else None)



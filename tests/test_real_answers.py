"""The layered readers on 318 real answers of SmolLM2-135M-Instruct, against a careful human reading.

``tests/fixtures/real_answers/smollm2_labels.jsonl`` holds, for every answer, what a careful
reader takes from it (or null), written before the forms existed. A reader that reads an
answer otherwise than the label, or reads one where the label has none, is wrong: the form
is too loose and must be fixed or dropped, never the label fitted to it. The table of what
each layer read is printed (``pytest -s``) and recorded as a test property;
``benchmarks/reading_accuracy.py`` prints the same table by hand.
"""

from __future__ import annotations

import pytest

from real_answers import Answer, check_labels, load_pairs, opposite_stances, read_all, render, table


@pytest.fixture(scope="module")
def answers() -> list[Answer]:
    return read_all()


def _where(answer: Answer) -> str:
    row = answer.row
    return (f"{row['battery']} {row['sample_id']} epoch {row['epoch']} {row['turn']}: read {answer.value!r} "
            f"by {answer.method}, labelled {answer.expected!r} ({answer.label['why']})")


def test_labels_match_the_answers_and_are_well_formed() -> None:
    pairs = load_pairs()
    assert len(pairs) == 318
    assert check_labels(pairs) == []


def test_no_answer_is_read_otherwise_than_a_careful_reader_reads_it(answers: list[Answer],
                                                                    record_property) -> None:
    """Zero answers read as another response, letter or ranking, or read where there is none."""
    counts = table(answers)
    text = render(counts)
    print("\n" + text)
    record_property("reading_accuracy", text)
    wrong = [_where(answer) for answer in answers if answer.wrong]
    assert wrong == [], "\n".join(wrong)


def test_no_stance_is_read_as_its_opposite(answers: list[Answer]) -> None:
    assert [_where(answer) for answer in opposite_stances(answers)] == []


def test_the_strict_line_alone_misread_copies_of_the_format(answers: list[Answer]) -> None:
    """Why layer 1 has its guard: today's reader took the last of four copied ANTWORT lines
    (JA, NEIN, UNSICHER, ABLEHNEN) as a refusal; the layered reader reads none of them."""
    copies = [a for a in answers if a.battery == "self_report" and a.strict == "decline"]
    assert copies and all(a.expected is None and a.value is None for a in copies)


def test_every_layer_reads_only_answers_a_careful_reader_can_read(answers: list[Answer]) -> None:
    """Nothing is read from an answer whose label is null, and every reading names its layer."""
    for answer in answers:
        if answer.value is not None:
            assert answer.method == "answer_line" or answer.method.startswith("form:"), _where(answer)
        if answer.expected is None:
            assert answer.value is None, _where(answer)

"""The design beside the verdicts states settings a reader can see (a newline stop sequence is not blank)."""

from __future__ import annotations

from patienthood.report.design import _value, _visible


def test_a_newline_stop_sequence_reads_as_backslash_n() -> None:
    assert _visible(_value(["\n"])) == "\\n"
    assert _visible(_value(["\n", "END"])) == "\\n,END"


def test_printable_settings_are_shown_as_they_are() -> None:
    assert _visible(_value(0.2)) == "0.2" and _visible(_value(True)) == "true"

"""Model output made inert for display: invisible and direction-changing characters shown.

Escaping HTML keeps an answer from becoming markup, but some characters act on the
page without being markup: a right-to-left override (U+202E) reverses the text after
it, including the report's own words that follow the answer ("Trojan source"); zero-width
and other format characters hide text; control characters are invalid in HTML, ring
bells and move terminal cursors. Shown answers therefore replace each such character
by a visible stand-in (control pictures for C0, ``⟨U+202E⟩`` for the rest), so a reader
sees exactly what the model wrote and nothing acts on what comes after it. Letters of
right-to-left scripts are left as they are; the HTML also isolates each answer
(``<bdi>``) so their direction cannot leak into the report's text.

The JSON keeps the characters as data (escaped by the JSON encoder); only what is shown
to a person is changed.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides,
# isolates and marks; zero-width space, word joiner, invisible operators and the BOM.
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
                     "\u2066-\u2069\ufeff]")

_PICTURE_BASE = 0x2400  # U+2400 SYMBOL FOR NULL: the C0 control pictures follow in order
_DELETE_PICTURE = "\u2421"


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(_PICTURE_BASE + code)
    if code == 0x7F:
        return _DELETE_PICTURE
    return f"\u27e8U+{code:04X}\u27e9"


def visible(text: str) -> str:
    """``text`` with every invisible or active character replaced by a visible stand-in.

    Windows line ends stay line ends; a carriage return on its own is shown.
    """
    return _ACTIVE.sub(_stand_in, text.replace("\r\n", "\n"))

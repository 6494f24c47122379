"""Stand-ins that keep tests of many report folders fast.

WeasyPrint takes about ten seconds per report.pdf on two cores; tests whose subject is
not the PDF (grouping by model, publishing a site of many reports) replace it with a
few bytes derived from the report's HTML, so that a change in the HTML still changes
the PDF and ``verify`` still compares it byte for byte. ``tests/test_report_pdf.py``
and ``tests/test_report_verify.py`` render and verify the real PDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def stand_in_pdf(html: str, timestamp: int) -> bytes:
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return f"%PDF-1.7\n% stand-in for tests: {digest} {timestamp}\n%%EOF\n".encode("ascii")


@contextmanager
def pdf_stand_in() -> Iterator[None]:
    """report.pdf as a stand-in for as long as the context lasts (``report`` and ``verify`` alike)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("patienthood.report.folder.render_pdf", stand_in_pdf)
        yield

"""A battery's known confounds, as its README's "**Known confounds.**" paragraph lists them.

The README is where methodologists write them; the report's threats to validity read
them from there, so there is no second copy to keep in step. Because that paragraph
then shapes a published report, it is part of the instrument (``instrument.py`` hashes
it under ``CONFOUNDS_KEY``), while the rest of the README stays documentation that can be
edited without making a validation record stale.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

README = "README.md"
CONFOUNDS_KEY = "#known-confounds"  # appended to the README's content key

# A bold heading, then bullets or running prose, up to the next blank line that precedes
# a heading or another bold paragraph.
_CONFOUNDS = re.compile(r"\*\*Known confounds\.\*\*(?P<body>.*?)(?=\n\s*\n(?:#|\*\*)|\Z)", re.DOTALL)


def known_confounds(battery_dir: Path) -> list[str]:
    """The confounds of the battery in ``battery_dir``, one entry per bullet (or the paragraph, if prose)."""
    readme = battery_dir / README
    if not readme.is_file():
        return []
    found = _CONFOUNDS.search(readme.read_text(encoding="utf-8"))
    if found is None:
        return []
    body = found["body"].strip()
    bullets = re.split(r"\n\s*-\s+", "\n" + body) if body.lstrip().startswith("-") or "\n- " in body else [body]
    return [" ".join(part.replace("`", "").split()) for part in bullets if part.strip()]


def confounds_sha256(battery_dir: Path) -> str | None:
    """SHA-256 of the confounds as the report shows them (None when the README lists none)."""
    confounds = known_confounds(battery_dir)
    return hashlib.sha256("\n".join(confounds).encode("utf-8")).hexdigest() if confounds else None

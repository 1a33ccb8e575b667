"""Make strings that come from AWS safe to print: no terminal escapes, no runaway lengths, no
access key id in full."""

from __future__ import annotations

import re
import unicodedata

MAX_FIELD = 200
MAX_LINE = 500  # a one-line message built from AWS strings (a skip reason, an error's first line)

# An access key id: AKIA (long-term) or ASIA (temporary) and 16 more. Not a secret on its own,
# but half a credential, and it says whose: reports show its last four characters only.
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})(?![A-Z0-9])")


def mask_key_ids(text: str) -> str:
    """Every access key id in `text` as ****************WXYZ (its length, its last four)."""
    return ACCESS_KEY_ID.sub(lambda m: "*" * 16 + m.group(1), text)


def printable(value: object, limit: int = MAX_FIELD) -> str:
    """Neutralise control characters (ANSI escapes, newlines, bidi overrides) and cap the length.

    Resource names and tags are chosen by whoever can write to the account, so they are untrusted.
    """
    text = mask_key_ids(str(value))
    out = []
    for char in text:
        if char.isprintable() and unicodedata.category(char) not in ("Cf", "Co", "Cs"):
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    cleaned = "".join(out)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    """A plain, aligned text table; every cell goes through `printable`."""
    cells = [[printable(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    lines = [indent + "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append(indent + "  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(indent + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)

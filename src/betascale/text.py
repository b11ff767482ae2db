"""Small text helpers shared by the reports: safe display of foreign text, tables."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def printable(value: object) -> str:
    """``str(value)`` with control characters escaped (``\\x1b`` for ESC, and so on).

    Text read from a store or a file may hold terminal escape sequences; a report
    prints it through this so that it cannot drive the terminal.
    """
    text = str(value)
    if all(not unicodedata.category(ch).startswith("C") for ch in text):
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch).startswith("C")
        else ch
        for ch in text
    )


def table(cols: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines of a right-aligned plain-text table with a header row."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    out = ["  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    out += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return out

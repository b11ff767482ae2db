"""Small text helpers shared by the reports: safe display of foreign text, tables, and
the ASCII fallback of terminals that cannot show the reports' symbols."""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Sequence

#: The codec error handler that writes a report's symbols as ASCII (:func:`to_ascii`).
ASCII_FALLBACK = "betascale-ascii"
#: ASCII spellings of the symbols the reports print.
TRANSLITERATION = {
    "±": "+-", "×": "x", "·": "*", "−": "-", "–": "-", "—": "--", "…": "...",
    "≥": ">=", "≤": "<=", "≈": "~", "≠": "!=", "→": "->", "∞": "inf", "√": "sqrt",
    "⟨": "<", "⟩": ">", "²": "^2", "³": "^3", "¹": "^1", "⁻": "^-", "□": "sq",
    "₀": "0", "₁": "1", "₂": "2", "’": "'", "‘": "'", "“": '"', "”": '"', "ħ": "hbar",
    "ℓ": "ell", "α": "alpha", "β": "beta", "γ": "gamma", "Γ": "Gamma", "δ": "delta",
    "Δ": "Delta", "ε": "eps", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho",
    "σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi", "χ": "chi", "ω": "omega",
}  # fmt: skip


def summarize(items: Sequence[str], limit: int = 8, keep: int = 3) -> str:
    """``items`` joined by commas, or, past ``limit``, the first and last ``keep`` of them.

    A long axis (a study scanning 100 001 disorder strengths) stays one readable line:
    ``"0, 0.0001, 0.0002, ..., 9.9999, 10 (100001 values)"``.
    """
    if len(items) <= limit:
        return ", ".join(items)
    head, tail = ", ".join(items[:keep]), ", ".join(items[-keep:])
    return f"{head}, ..., {tail} ({len(items)} values)"


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


def to_ascii(text: str) -> str:
    """``text`` in ASCII: the symbols of :data:`TRANSLITERATION` spelled out, accented
    letters without their accents (``é`` -> ``e``), anything else as ``\\uXXXX``."""
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
        elif ch in TRANSLITERATION:
            out.append(TRANSLITERATION[ch])
        else:
            bare = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(bare or ch.encode("ascii", "backslashreplace").decode())
    return "".join(out)


def _ascii_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return to_ascii(exc.object[exc.start : exc.end]), exc.end


codecs.register_error(ASCII_FALLBACK, _ascii_fallback)

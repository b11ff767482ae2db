"""Progress of a run: a bar on a terminal, plain log lines with rate and ETA otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from betascale.ensemble.tasks import duration
from betascale.store import SampleRecord

#: Seconds between two plain progress lines when the stream is not a terminal.
LOG_INTERVAL = 30.0


class Progress:
    """Progress on rank 0: a tqdm bar on a terminal, plain log lines otherwise.

    The ETA weighs samples by their estimated cost (``weight(record)``, e.g. the
    nested-dissection estimate ~ (L M)^1.5), because large samples come first and
    a count of samples would promise far too early an end.
    """

    def __init__(
        self,
        total: int,
        quiet: bool = False,
        stream: TextIO | None = None,
        interval: float = LOG_INTERVAL,
        weight: Callable[[SampleRecord], float] | None = None,
        total_weight: float | None = None,
    ) -> None:
        self.total = total
        self.weight = weight
        self.total_weight = total_weight if weight is not None else None
        self.done_weight = 0.0
        self.done = 0
        self.failed = 0
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.start = time.monotonic()
        self._last_log = self.start
        self._late_since: dict[int, float] = {}
        self._bar = None
        if not quiet and total and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="sample", file=self.stream, smoothing=0.05)

    def update(self, records: Sequence[SampleRecord]) -> None:
        """Count finished records and report if it is time to."""
        weight = sum(self.weight(r) for r in records) if self.weight is not None else 0.0
        self.advance(len(records), sum(r.error is not None for r in records), weight)

    def advance(self, count: int, failed: int = 0, weight: float = 0.0) -> None:
        """Count ``count`` finished samples (``failed`` of them failed, of total cost
        ``weight``) and report if it is time to."""
        self.done += count
        self.failed += failed
        self.done_weight += weight
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(count)
            self._postfix()
            return
        now = time.monotonic()
        if now - self._last_log >= self.interval or self.done == self.total:
            self._last_log = now
            self.log(self.line())

    def set_late(self, late: dict[int, float]) -> None:
        """The ranks that are late now, with the seconds they have not answered for."""
        now = time.monotonic()
        self._late_since = {rank: now - seconds for rank, seconds in late.items()}
        if self._bar is not None:
            self._postfix()

    def _postfix(self) -> None:
        if self._bar is None:
            return
        postfix: dict[str, int | str] = {}
        if self.failed:
            postfix["failed"] = self.failed
        if self._late_since:
            postfix["late"] = ",".join(str(rank) for rank in sorted(self._late_since))
        self._bar.set_postfix(postfix)

    def line(self) -> str:
        """One plain progress line with rate and ETA."""
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.total_weight and self.done_weight > 0:
            fraction = min(1.0, self.done_weight / self.total_weight)
            eta = duration(elapsed * (1 - fraction) / fraction)
        else:
            eta = duration((self.total - self.done) / rate) if rate > 0 else "?"
        percent = 100.0 * self.done / self.total if self.total else 100.0
        failed = f", {self.failed} failed" if self.failed else ""
        if self._late_since:
            now = time.monotonic()
            late = sorted(self._late_since.items())
            failed += ", late rank(s): " + ", ".join(f"{r} ({duration(now - t)})" for r, t in late)
        return (
            f"{self.done}/{self.total} samples ({percent:.0f}%){failed}, "
            f"{rate:.3g} samples/s, elapsed {duration(elapsed)}, ETA {eta}"
        )

    def log(self, message: str) -> None:
        """Print a message (above the bar on a terminal)."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(f"[betascale] {message}", file=self.stream)
        else:
            print(f"[betascale] {message}", file=self.stream, flush=True)

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

"""Tests of betascale.ensemble.progress."""

import io

from betascale.ensemble import Progress
from betascale.store import SampleRecord


def test_progress_lines_have_rate_and_eta():
    stream = io.StringIO()
    progress = Progress(10, stream=stream, interval=0.0)
    progress.update([SampleRecord(1.0, 6, 6, i, 1.0, 2, 0.1) for i in range(4)])
    line = stream.getvalue()
    assert "4/10 samples (40%)" in line and "samples/s" in line and "ETA" in line
    quiet = io.StringIO()
    Progress(10, quiet=True, stream=quiet, interval=0.0).update([])
    assert quiet.getvalue() == ""


def test_progress_eta_weighs_samples_by_cost():
    stream = io.StringIO()
    progress = Progress(
        4, stream=stream, interval=0.0, weight=lambda r: float(r.L), total_weight=100.0
    )
    progress.start -= 10.0  # pretend 10 s have passed
    progress.update([SampleRecord(1.0, 90, 90, 0, 1.0, 2, 0.1)])  # 90 % of the work
    assert "1/4 samples (25%)" in stream.getvalue()
    assert "ETA 1s" in stream.getvalue()  # 10 s x (1 - 0.9) / 0.9, not 30 s


def test_progress_names_the_late_ranks():
    stream = io.StringIO()
    progress = Progress(10, stream=stream, interval=0.0)
    progress.set_late({2: 125.0})
    progress.update([SampleRecord(1.0, 6, 6, 0, 1.0, 2, 0.1)])
    assert "late rank(s): 2 (2m05s)" in stream.getvalue()
    progress.set_late({})
    assert "late" not in progress.line()

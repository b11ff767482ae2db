"""Tests of betascale.text: summaries of long axes."""

from betascale.text import summarize


def test_summarize_keeps_short_lists_whole():
    assert summarize(["1", "2", "3"]) == "1, 2, 3"


def test_summarize_shortens_long_lists_with_their_count():
    items = [str(k) for k in range(100001)]
    assert summarize(items) == "0, 1, 2, ..., 99998, 99999, 100000 (100001 values)"

"""Tests of betascale.ensemble.leases: a chunk not returned in time goes to another rank."""

import pytest

import betascale.ensemble.leases as leases_module
from betascale.ensemble.leases import Leases
from betascale.ensemble.tasks import Chunk


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def leases(monkeypatch):
    monkeypatch.setattr(leases_module, "LEASE_FACTOR", 4.0)
    monkeypatch.setattr(leases_module, "LEASE_FLOOR_SECONDS", 10.0)
    clock = Clock()
    book = Leases(lambda chunk: 1.0 * len(chunk), clock)  # 1 s per sample
    book.clock = clock
    return book


def chunk(start: int, stop: int) -> Chunk:
    return Chunk(2.0, 0.0, 30, 30, start, stop)


def test_the_allowance_is_a_multiple_of_the_expected_time_with_a_floor(leases):
    assert leases.allowance(chunk(0, 9)) == 4.0 * 10  # (9 samples + a build) x 1 s x 4
    assert leases.allowance(chunk(0, 1)) == 10.0  # the floor


def test_a_chunk_not_returned_in_time_expires_and_its_late_answer_is_discarded(leases):
    first = leases.grant(1, chunk(0, 9))
    prefetched = leases.grant(1, chunk(9, 12))
    assert first.lease != prefetched.lease and first.lease > 0
    leases.clock.now = 39.0
    assert leases.expire() == [] and leases.late() == {}
    leases.clock.now = 41.0
    expired = leases.expire()  # the prefetched chunk too: the rank is stopped
    assert [(rank, c) for rank, c, _ in expired] == [(1, first), (1, prefetched)]
    assert leases.late() == {1: 41.0} and leases.ever_late() == (1,)
    assert not leases.outstanding()
    # the same samples leased again (to rank 2, or to rank 1 itself) are a new lease
    again = leases.grant(2, chunk(0, 9))
    assert leases.release(1, first) is False  # the late answer: discarded
    assert leases.heard_from(1) == pytest.approx(41.0) and leases.late() == {}
    assert leases.release(2, again) is True
    assert leases.release(2, again) is False  # never taken twice
    assert leases.ever_late() == (1,)


def test_a_prefetched_chunk_starts_its_lease_when_the_one_before_returns(leases):
    first = leases.grant(1, chunk(0, 9))
    second = leases.grant(1, chunk(9, 18))
    leases.clock.now = 30.0
    assert leases.release(1, first)
    leases.clock.now = 65.0  # 65 s after the grant, 35 s after the rank began it
    assert leases.expire() == []
    leases.clock.now = 71.0
    assert [c for _, c, _ in leases.expire()] == [second]


def test_a_rank_that_leaves_gives_back_its_live_chunks(leases):
    held = leases.grant(3, chunk(0, 5))
    assert leases.outstanding() and not leases.outstanding(other_than=3)
    assert leases.drop(3) == [held]
    assert not leases.outstanding()


class _NoScan(dict):
    """A dict that refuses to be walked: a lookup by key is all a request may cost."""

    def _refuse(self, *args):
        raise AssertionError("walked every live lease")

    values = items = keys = __iter__ = _refuse


def test_granting_and_releasing_cost_no_walk_over_the_ranks():
    """With thousands of ranks rank 0 grants and releases a lease per chunk: neither
    may walk the live leases of every rank (issue 18, part 3: 209 us per chunk at
    2000 ranks before, 6 us after)."""
    leases = Leases(lambda chunk: 1.0, clock=lambda: 0.0)
    held = {r: [leases.grant(r, Chunk(2.0, 0.0, 4, 4, 2 * r, 2 * r + 1)) for _ in range(2)]
            for r in range(500)}  # fmt: skip
    leases._live = _NoScan(leases._live)
    for r in (0, 7, 499):
        first, second = held[r]
        assert leases.release(r, first) and leases._live[second.lease].started == 0.0
        leases.grant(r, Chunk(2.0, 0.0, 4, 4, 0, 1))
        assert leases.outstanding(other_than=r)
    assert not leases.release(3, held[4][0])  # another rank's lease: refused
    assert [c.lease for c in leases.drop(9)] == [c.lease for c in held[9]]

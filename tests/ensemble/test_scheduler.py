"""Tests of betascale.ensemble.scheduler: ranges, requeue, and the memory of geometries."""

import pytest

from betascale.ensemble import Scheduler, Wait
from betascale.ensemble.scheduler import (
    MAX_CHUNK,
    MAX_SERVER_LOAD,
    MIN_CHUNK_SECONDS,
    SERVER_SECONDS_PER_CHUNK,
    TARGET_CHUNK_SECONDS,
    chunk_size,
)
from betascale.ensemble.tasks import Chunk, geometry_bytes, geometry_seconds
from betascale.errors import InputError
from betascale.study import parse_study_text
from tests.ensemble.helpers import SMALL

STUDY = """
model = "orthogonal"
E = 1.0
W = [2.0]
L = [10, 40, 64]
samples = [400, 100, 50]
seed = 5
"""


def one_size(L: int, samples: int):
    """STUDY with one size L and ``samples`` samples."""
    return parse_study_text(
        STUDY.replace("[10, 40, 64]", f"[{L}]").replace("[400, 100, 50]", str(samples))
    )


def drain(scheduler: Scheduler, ranks: int = 1) -> list:
    chunks, rank = [], 0
    while (chunk := scheduler.next_chunk(rank % ranks)) is not None:
        assert not isinstance(chunk, Wait)
        chunks.append(chunk)
        rank += 1
    return chunks


def test_ranges_are_cut_into_chunks_that_cover_every_missing_sample_once():
    study = parse_study_text(STUDY)
    missing = [(2.0, 0.0, 10, [(0, 5), (7, 400)]), (2.0, 0.0, 40, [(0, 100)])]
    chunks = drain(Scheduler(study, missing, ranks=2), ranks=2)
    got = sorted((c.L, i) for c in chunks for i in range(c.start, c.stop))
    want = sorted([(10, i) for i in [*range(5), *range(7, 400)]] + [(40, i) for i in range(100)])
    assert got == want
    assert all(isinstance(c, Chunk) and len(c) >= 1 for c in chunks)


def test_a_requeued_chunk_is_handed_out_again():
    study = parse_study_text(STUDY)
    scheduler = Scheduler.from_keys(study, study.keys(), ranks=1)
    first = scheduler.next_chunk(0)
    scheduler.requeue(first.rest(1))  # the rank computed one sample, then stopped
    again = scheduler.next_chunk(0)
    assert (again.L, again.start) == (first.L, first.start + 1)
    rest = drain(scheduler)
    covered = {(c.L, i) for c in [again, *rest] for i in range(c.start, c.stop)}
    assert len(covered) == study.num_samples() - 1


def test_two_ranks_on_one_host_never_hold_more_than_its_memory():
    study = parse_study_text(STUDY)
    big = geometry_bytes(study, 0.0, 64)
    small = geometry_bytes(study, 0.0, 10)
    budget = big + small * 1.5  # room for the big geometry and one small one, not two big
    scheduler = Scheduler.from_keys(
        study, study.keys(), ranks=2, hosts=["node"] * 2, budgets={"node": budget}
    )
    a = scheduler.next_chunk(0)
    b = scheduler.next_chunk(1)
    assert a.L == 64 and b.L != 64  # rank 1 does not start a second L = 64 geometry
    held = [g for c in (a, b) for g in c.hold]
    assert sum(geometry_bytes(study, f, L) for f, L in held) <= budget


def test_a_rank_waits_when_nothing_fits_and_drops_its_geometries():
    study = parse_study_text(STUDY.replace("L = [10, 40, 64]", "L = [64]").replace(
        "samples = [400, 100, 50]", "samples = 400"))  # fmt: skip
    big = geometry_bytes(study, 0.0, 64)
    scheduler = Scheduler.from_keys(
        study, study.keys(), ranks=2, hosts=["node"] * 2, budgets={"node": 1.5 * big}
    )
    assert isinstance(scheduler.next_chunk(0), Chunk)
    assert isinstance(scheduler.next_chunk(1), Wait)  # only one L = 64 fits at a time
    while isinstance(chunk := scheduler.next_chunk(0), Chunk):  # rank 0 finishes the work
        pass
    assert chunk is None


def test_a_geometry_larger_than_any_host_is_refused():
    study = parse_study_text(STUDY)
    with pytest.raises(InputError, match=r"needs about .* GB, more than the"):
        Scheduler.from_keys(study, study.keys(), ranks=1, budgets={"local": 1e6})


def test_scheduler_hands_out_every_key_once_large_l_first():
    study = parse_study_text(SMALL)
    scheduler = Scheduler.from_keys(study, study.keys(), ranks=2)
    first = scheduler.next_chunk(0)
    assert first[0].L == 12
    seen = [t for t in first]
    while (chunk := scheduler.next_chunk(len(seen) % 2)) is not None:
        assert len({(t.W, t.L) for t in chunk}) == 1  # one geometry and W per chunk
        seen.extend(chunk)
    keys = [(t.W, t.flux, t.L, t.sample) for t in seen]
    assert sorted(keys) == sorted(study.keys())
    assert all(t.M == study.width(t.L) for t in seen)


def test_scheduler_spreads_ranks_over_geometries_and_keeps_affinity():
    study = parse_study_text(SMALL.replace("samples = 6", "samples = 200"))
    scheduler = Scheduler.from_keys(study, study.keys(), ranks=2)
    a, b = scheduler.next_chunk(0), scheduler.next_chunk(1)
    assert a[0].L == 12 and b[0].L == 10  # rank 1 does not build rank 0's geometry
    assert scheduler.next_chunk(0)[0].L == 12 and scheduler.next_chunk(1)[0].L == 10


def test_scheduler_chunks_shrink_towards_the_end_down_to_the_floor():
    study = one_size(150, 1000)
    scheduler = Scheduler.from_keys(study, study.keys(), ranks=2)
    cost = geometry_seconds(study, 0.0, 150)
    sizes = []
    while (chunk := scheduler.next_chunk(0)) is not None:
        sizes.append(len(chunk))
    floor = int(MIN_CHUNK_SECONDS / cost)
    assert sizes[0] == int(TARGET_CHUNK_SECONDS / cost) and sizes == sorted(sizes, reverse=True)
    assert min(sizes[:-1]) == floor and sizes[-1] <= floor and sum(sizes) == 1000


def test_chunk_size_is_guided_self_scheduling_with_a_floor_in_seconds():
    """Rank 0 pays for every chunk whatever its length (issue 18, part 3): tiny
    samples come in large chunks, and the tail never decays to chunks of one sample."""
    ranks = 16
    # plenty of work: TARGET_CHUNK_SECONDS of it, capped at MAX_CHUNK samples (for a
    # few ranks; 16 ranks would keep rank 0 busy with 4 ms chunks)
    assert chunk_size(0.01, 1e6, ranks) == int(TARGET_CHUNK_SECONDS / 0.01)
    assert chunk_size(1e-6, 1e6, 1) == MAX_CHUNK
    # a share of the remaining work (two chunks per rank) ...
    assert chunk_size(1e-3, 32.0, ranks) == 1000
    # ... but never below the floor, however little is left
    floor = int(MIN_CHUNK_SECONDS / 1e-4)
    assert chunk_size(1e-4, 1e-3, ranks) == chunk_size(1e-4, 0.0, ranks) == floor
    # a sample longer than the budget is a chunk of its own; an unknown cost the largest
    assert chunk_size(100.0, 1e6, ranks) == 1 and chunk_size(0.0, 1.0, ranks) == MAX_CHUNK


@pytest.mark.parametrize("ranks", [1, 16, 125, 1000, 10_000])
@pytest.mark.parametrize("cost", [1e-6, 1e-4, 1e-2])
def test_chunks_keep_rank_0_at_most_half_busy_whatever_the_ranks(ranks, cost):
    """Rank 0 pays ~1 ms per chunk: with thousands of ranks the chunks grow, past
    MAX_CHUNK if need be, so that serving them takes at most MAX_SERVER_LOAD of its
    time, from the first chunk to the tail (issue 18, part 3)."""
    server = 1e-3
    for remaining in (1e9, 1.0, 0.0):
        size = chunk_size(cost, remaining, ranks, server)
        load = ranks * server / (size * cost)  # rank 0's share of time, one chunk per rank
        assert load <= MAX_SERVER_LOAD * (1 + 1e-6)
    assert chunk_size(1e-2, 1e9, 2000, server) == int(2000 * server / MAX_SERVER_LOAD / 1e-2)
    assert chunk_size(1e-6, 0.0, 2000, server) == int(4.0 / 1e-6) > MAX_CHUNK
    # up to ~125 ranks at 1 ms per chunk nothing changes
    assert chunk_size(1e-3, 0.0, 100, server) == int(MIN_CHUNK_SECONDS / 1e-3)


def test_the_scheduler_learns_rank_0s_cost_per_chunk():
    study = one_size(4, 10**7)
    scheduler = Scheduler.from_keys(study, [(2.0, 0.0, 4, i) for i in range(10**5)], ranks=4000)
    scheduler._learn(4, 1, 1e-3)
    assert scheduler.server_seconds == SERVER_SECONDS_PER_CHUNK
    scheduler.observe_server(1.0, 15)  # too few chunks to tell: the default stays
    assert scheduler.server_seconds == SERVER_SECONDS_PER_CHUNK
    scheduler.observe_server(0.002, 40)  # 50 us per chunk
    assert scheduler.server_seconds == pytest.approx(5e-5)
    small = len(scheduler.next_chunk(0))
    scheduler.observe_server(0.2, 40)  # 5 ms per chunk: 40 s chunks for 4000 ranks
    assert len(scheduler.next_chunk(1)) == int(4000 * 5e-3 / MAX_SERVER_LOAD / 1e-3) > small


def test_tiny_samples_take_few_chunks():
    """200 000 samples of 50 us on 16 ranks: the tail of one-sample chunks is gone."""
    study = one_size(4, 200000)
    scheduler = Scheduler.from_keys(study, study.keys(), ranks=16)
    scheduler._learn(4, 1, 5e-5)
    sizes = [len(c) for c in drain(scheduler, ranks=16)]
    assert sum(sizes) == 200000 and len(sizes) < 120
    assert min(sizes[:-1]) == min(MAX_CHUNK, int(MIN_CHUNK_SECONDS / 5e-5))


def test_a_request_costs_no_geometry_estimate_per_rank(monkeypatch):
    """Rank 0 answers thousands of ranks: the memory accounting of a request neither
    re-estimates geometries nor walks every rank's holdings (issue 18, part 3)."""
    from betascale.ensemble import scheduler as module

    calls = []
    real = module.geometry_bytes
    monkeypatch.setattr(module, "geometry_bytes", lambda *a: calls.append(a) or real(*a))
    study = parse_study_text(STUDY)
    ranks = 200
    scheduler = Scheduler.from_keys(
        study, study.keys(), ranks=ranks, hosts=["node"] * ranks, budgets={"node": 1e15}
    )
    held = {}
    for rank in range(ranks * 3):
        chunk = scheduler.next_chunk(rank % ranks)
        held[rank % ranks] = chunk.hold if isinstance(chunk, Chunk) else ()
    assert len(calls) <= 3  # one estimate per geometry (flux, L)
    total = sum(geometry_bytes(study, f, L) for hold in held.values() for f, L in hold)
    assert scheduler._host_bytes("node") == pytest.approx(total)


def test_a_run_of_thousands_of_ranks_never_saturates_rank_0():
    """Every chunk of a whole run of 2000 ranks (10^6 samples of 1.7 ms, L = 33) is long
    enough that rank 0, at its measured 0.6 ms per chunk, is at most half busy; without
    the load floor the tail would need 8000 chunks per second (issue 18, part 3)."""
    ranks, cost, server = 2000, 1.7e-3, 6e-4
    study = one_size(33, 10**6)
    scheduler = Scheduler.from_keys(study, [(2.0, 0.0, 33, i) for i in range(10**6)], ranks)
    scheduler._learn(33, 1, cost)
    scheduler.observe_server(server * 100, 100)
    chunks = drain(scheduler, ranks=ranks)
    assert sum(len(c) for c in chunks) == 10**6
    seconds = [len(c) * cost for c in chunks[:-1]]  # the last one takes what is left
    assert min(seconds) >= ranks * server / MAX_SERVER_LOAD * (1 - 1e-3)
    assert ranks * server / min(seconds) <= MAX_SERVER_LOAD * (1 + 1e-3)
    assert ranks * server / MIN_CHUNK_SECONDS > 4  # what the fixed floor alone would give


def test_a_request_does_not_walk_every_ranks_work():
    """Which sizes other ranks work on is counted as it changes, so a request costs
    O(1) in the number of ranks (85 us at 2000 ranks before, 10 us after)."""
    study = one_size(33, 10**9)
    scheduler = Scheduler(study, [(2.0, 0.0, 33, [(0, 10**9)])], ranks=3000)
    for rank in range(3000):
        scheduler.next_chunk(rank)

    class NoScan(dict):
        def items(self):
            raise AssertionError("walked every rank")

    scheduler._working = NoScan(scheduler._working)
    assert isinstance(scheduler.next_chunk(5), Chunk)
    assert scheduler._workers == {33: 3000}

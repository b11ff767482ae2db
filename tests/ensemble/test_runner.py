"""Tests of betascale.ensemble.runner in one process: failures, validation."""

import pytest

from betascale.ensemble import Worker, run_study
from betascale.errors import InputError
from betascale.store import SampleRecord, Store
from betascale.study import parse_study_text
from tests.ensemble.helpers import SMALL


def test_failed_samples_are_recorded_then_retried(tmp_path, monkeypatch):
    study = parse_study_text(SMALL)
    store_path = tmp_path / "store.sqlite"
    original = Worker.compute

    def failing(self, task):
        if task.sample == 3 and task.L == 10:
            nan = float("nan")
            return SampleRecord(task.W, task.L, task.M, 3, nan, 0, 0.0, self.rank, "failure")
        return original(self, task)

    monkeypatch.setattr(Worker, "compute", failing)
    first = run_study(study, store_path, quiet=True)
    assert first.failed == 2 and first.missing_after == 2 and first.status == "incomplete"
    with Store.open(store_path) as store:
        assert {r.key for r in store.failures()} == {(2.0, 0.0, 10, 3), (5.0, 0.0, 10, 3)}
    monkeypatch.setattr(Worker, "compute", original)
    second = run_study(study, store_path, quiet=True)
    assert second.computed == 2 and second.failed == 0 and second.missing_after == 0
    assert second.status == "complete"
    with Store.open(store_path) as store:
        assert store.failures() == []


def test_threshold_size_is_refused_when_the_study_is_made(tmp_path):
    with pytest.raises(InputError, match="M = 8"):
        parse_study_text(SMALL.replace("L = [6, 10, 12]", "L = [6, 8]"))


def test_a_geometry_that_does_not_fit_in_memory_is_refused_before_it_runs(tmp_path):
    from betascale.ensemble import Runner

    study = parse_study_text(SMALL)
    runner = Runner(study, tmp_path / "s.sqlite", quiet=True, memory_budget=1e6)
    with pytest.raises(InputError, match=r"needs about .* GB, more than the"):
        runner.run()
    assert not (tmp_path / "s.sqlite").exists()  # refused before the store is made


@pytest.mark.parametrize(
    ("study", "store", "fragment"),
    [
        ("tiny", None, "study must be a Study"),
        (None, None, "study must be a Study"),
        ("STUDY", 123, "store must be a path"),
    ],
)
def test_run_refuses_bad_arguments_in_one_line(study, store, fragment):
    """``bs.run("tiny")``, ``bs.run(None)`` and a store that is not a path are InputErrors."""
    import betascale as bs

    if study == "STUDY":
        study = bs.Study("s", bs.ModelSpec("anderson"), W=[2.0], L=[10], samples=2, seed=1)
    with pytest.raises(bs.InputError, match=fragment):
        bs.run(study, store)


def test_run_names_its_own_options_for_an_unknown_keyword():
    import betascale as bs

    study = bs.Study("s", bs.ModelSpec("anderson"), W=[2.0], L=[10], samples=2, seed=1)
    with pytest.raises(TypeError, match=r"run\(\) got an unexpected keyword argument 'samples'.*"
                       r"quiet, stream.*study\.with_samples\(n\)"):  # fmt: skip
        bs.run(study, samples=3)
    with pytest.raises(TypeError, match="'collect'"):  # the runner's own, not an option
        bs.run(study, collect=False)


def test_counting_a_chunk_costs_no_geometry_estimate(monkeypatch):
    """Rank 0 counts every chunk of a run: the progress weight of a geometry is
    estimated once, not per chunk (it builds the model's spec; issue 18, part 3)."""
    from betascale.ensemble import runner as module

    calls = []
    real = module.geometry_seconds
    monkeypatch.setattr(module, "geometry_seconds", lambda *a: calls.append(a) or real(*a))
    study = parse_study_text(SMALL.replace("samples = 6", "samples = 2"))
    summary = run_study(study, ":memory:", quiet=True)
    assert summary.computed == 12
    assert len(calls) == 3  # one per geometry (flux, L), for 6 chunks

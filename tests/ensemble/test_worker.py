"""Tests of betascale.ensemble.worker."""

import numpy as np

from betascale.ensemble import Task, Worker
from betascale.study import parse_study_text
from tests.ensemble.helpers import SMALL


def test_worker_records_an_exception_and_goes_on(monkeypatch):
    study = parse_study_text(SMALL)
    worker = Worker(study)
    solver = worker.solver(6, 6)
    original = solver.solve

    def flaky(disorder, eigenvalues=False):
        if disorder.onsite[0, 0] == solver.system.draw_disorder(2.0, 5, 1).onsite[0, 0]:
            raise RuntimeError("MUMPS exploded\nsecond line")
        return original(disorder)

    monkeypatch.setattr(solver, "solve", flaky)
    good, bad = worker.compute(Task(2.0, 6, 6, 0)), worker.compute(Task(2.0, 6, 6, 1))
    assert good.error is None and 0 < good.T <= good.N
    assert bad.error == "RuntimeError: MUMPS exploded" and np.isnan(bad.T)

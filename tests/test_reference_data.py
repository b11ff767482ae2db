"""The reference stores shipped in data/reference: complete for their study files,
without failures, and reproduced by the current code (to the cross-platform tolerance).

The stores are only read (``Store.open`` opens them read-only); the samples recomputed
are the cheapest of each store, a few per flux.
"""

from pathlib import Path

import numpy as np
import pytest

from betascale.models import build_system
from betascale.solvers import FastSolver
from betascale.store import Store
from betascale.study import load_study

REFERENCE = Path(__file__).parents[1] / "data" / "reference"
STUDIES = sorted(p.stem for p in REFERENCE.glob("*.toml"))
#: As for the demo stores (tests/test_shipped_data.py): about 1e-12 across platforms.
CROSS_PLATFORM_RTOL = 1e-11


def test_every_reference_store_has_its_study_file():
    stores = sorted(p.stem for p in REFERENCE.glob("*.sqlite"))
    assert stores == STUDIES and len(STUDIES) >= 6


@pytest.mark.parametrize("name", STUDIES)
def test_reference_store_matches_its_study_and_has_no_failures(name):
    study = load_study(REFERENCE / f"{name}.toml")
    with Store.open(REFERENCE / f"{name}.sqlite") as store:
        assert store.study.physics() == study.physics()
        assert store.failures() == []
        assert list(store.missing_keys(study)) == []


@pytest.mark.parametrize("name", STUDIES)
def test_reference_samples_are_reproduced(name):
    with Store.open(REFERENCE / f"{name}.sqlite") as store:
        study, table = store.study, store.samples()
    smallest = int(np.min(table.L))
    rng = np.random.default_rng(1)
    for flux in np.unique(table.flux)[:3]:
        rows = np.flatnonzero((table.L == smallest) & (table.flux == flux))
        for i in rng.choice(rows, size=2, replace=False):
            spec = study.spec(float(table.flux[i]))
            solver = FastSolver(build_system(spec, int(table.L[i]), int(table.M[i])))
            T = solver.sample(float(table.W[i]), study.seed, int(table.sample[i])).T
            assert T == pytest.approx(float(table.T[i]), rel=CROSS_PLATFORM_RTOL)

"""A family added from outside the package, registered and run through a whole study."""

import numpy as np

import betascale as bs
from betascale.models import (
    Disorder,
    Family,
    ModelSpec,
    draw_disorder,
    register_family,
    sample_key,
    sample_rng,
)


class GaussianAnderson(Family):
    """A spinless square lattice with Gaussian on-site energies of standard deviation W."""

    name = "toy-gaussian"
    label = "Gaussian toy model"

    def hopping_x(self, spec):
        return -1.0

    def hopping_y(self, spec):
        return -1.0

    def draw(self, spec, rng, L, M, W):
        return Disorder(W * rng.standard_normal((L, M)))


register_family(GaussianAnderson())


def test_the_toy_draws_its_own_distribution_from_the_sample_generator():
    spec = ModelSpec("toy-gaussian", E=1.0)
    expected = 0.5 * sample_rng(3, sample_key(0.5, 4, 5, 2)).standard_normal((4, 5))
    assert np.array_equal(draw_disorder(spec, 4, 5, 0.5, 3, 2).onsite, expected)
    assert spec.symmetry_class == "orthogonal" and spec.is_real
    assert spec.with_flux(0.1).symmetry_class == "unitary"


def test_a_study_of_the_toy_runs_in_memory_and_reproduces():
    spec = ModelSpec("toy-gaussian", E=0.7)
    study = bs.Study("toy", spec, W=[1.0], L=[4, 6], samples=3, seed=5, flux=[0.0, 0.05])
    assert bs.study_from_dict(study.to_dict()) == study
    samples = bs.run(study, quiet=True)
    assert len(samples) == 2 * 2 * 3
    again = bs.conductance(spec.with_flux(0.05), L=6, W=1.0, seed=5, samples=3)
    mine = (samples.L == 6) & (samples.flux == 0.05)
    order = np.argsort(samples.sample[mine])
    assert np.array_equal(samples.T[mine][order], again.T)  # bit for bit, as a pure function
    assert np.all((again.T > 0) & (again.T <= again.N))

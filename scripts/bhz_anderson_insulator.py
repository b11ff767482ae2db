"""The topological Anderson insulator of the BHZ model, built only through the generic Kwant path.

Reproduces the conductance plateau discovered by J. Li, R.-L. Chu, J. K. Jain and
S.-Q. Shen, "Topological Anderson Insulator", Phys. Rev. Lett. 102, 136806 (2009), Fig. 1
(conductance of a disordered HgTe strip against the disorder strength W), and explained by
C. W. Groth, M. Wimmer, A. R. Akhmerov, J. Tworzydło and C. W. J. Beenakker, "Theory of
the topological Anderson insulator", Phys. Rev. Lett. 103, 196805 (2009), Fig. 1.

Model (both papers): the Bernevig-Hughes-Zhang Hamiltonian of a HgTe quantum well
(B. A. Bernevig, T. L. Hughes and S.-C. Zhang, Science 314, 1757 (2006)),
``H = diag(h(k), h*(-k))``, ``h(k) = C - D k² + A (k_x σ_x - k_y σ_y) + (M - B k²) σ_z``,
with A = 364.5 meV nm, B = -686 meV nm², C = 0, D = -512 meV nm² and the mass M = +1 meV
(``MASS`` here: a clean, trivial, non-inverted well), discretized on a square lattice of
constant a = 5 nm (k² -> (4 - 2 cos k_x a - 2 cos k_y a)/a², k_i -> sin(k_i a)/a), with
on-site disorder uniform in [-W/2, W/2] (the same on the four orbitals of a site), on a
strip between clean leads of the same well.

Published result: at a Fermi energy in the conduction band the averaged conductance of
the strip first falls from its clean (ballistic) value as W grows, then locks onto the
quantized plateau G = 2 e²/h of one Kramers pair of edge states over a window of W of
about 100-300 meV (the TAI: the disorder renormalizes M to a negative, inverted value,
Groth et al.), and vanishes at stronger disorder (Anderson localization).

This script (defaults: a 500 nm x 500 nm strip, E = 10 meV, 16 samples per W, about 45
core-seconds) prints <G> in e²/h, both spins: G = N = 8 at W = 0, 6.6 at W = 50 meV, the
plateau 1.97-1.98 from W = 100 to 200 meV (1.90 at 250), then 0.73 at 400 and 0.03 at
500 meV. The class is symplectic (time reversal maps one block onto the other; betascale
checks the Kramers pairs of the transmission eigenvalues of a first sample).
"""

import sys

import kwant
import numpy as np
from scipy.linalg import block_diag

import betascale as bs
from betascale import validation
from betascale.errors import OneLineParser, run_script

A, B, C, D, MASS, a = 364.5, -686.0, 0.0, -512.0, 1.0, 5.0  # in meV and nm
s0, sz = np.eye(2), np.diag([1.0, -1.0])
sx, sy = np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]])
W_SCAN = [50, 100, 150, 200, 250, 300, 350, 400, 500, 600]  # meV


def kramers(h: np.ndarray) -> np.ndarray:
    """``diag(h, h*)``: the block h*(-k) has, in real space, the conjugate hoppings of h(k)."""
    return block_diag(h, h.conj())


def build(L: int, M: int) -> kwant.Builder:
    """The clean BHZ strip of L x M sites (constant a) between two leads of width M."""
    lat = kwant.lattice.square(a, norbs=4)
    onsite = kramers((C - 4 * D / a**2) * s0 + (MASS - 4 * B / a**2) * sz)
    hop_x = kramers((D * s0 + B * sz) / a**2 + 0.5j * A / a * sx)  # <x+a|H|x>
    hop_y = kramers((D * s0 + B * sz) / a**2 - 0.5j * A / a * sy)
    syst, lead = kwant.Builder(), kwant.Builder(kwant.TranslationalSymmetry((-a, 0)))
    for part, xs in ((syst, range(L)), (lead, range(1))):
        part[(lat(x, y) for x in xs for y in range(M))] = onsite
        part[kwant.HoppingKind((1, 0), lat)] = hop_x
        part[kwant.HoppingKind((0, 1), lat)] = hop_y
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    return syst


# check_size: the Kramers check needs open channels at E = 10 meV (a strip >= 20 sites wide).
TAI = bs.KwantFamily(build, symmetry="symplectic", name="bhz-tai", check_size=(6, 20))


def main(argv: list[str] | None = None) -> dict[float, tuple[float, float]]:
    """Scan W (meV); print and return ``{W: (<G>, its standard error)}`` in e²/h."""
    p = OneLineParser(prog="bhz_anderson_insulator", description=__doc__.splitlines()[0])
    p.add_argument("--L", type=int, default=100, help="length in sites of a = 5 nm (100)")
    p.add_argument("--M", type=int, default=100, help="width in sites (100)")
    p.add_argument("--E", type=float, default=10.0, help="Fermi energy in meV (10)")
    p.add_argument("--W", type=float, nargs="+", default=W_SCAN, help="disorder in meV")
    p.add_argument("--samples", type=int, default=16, help="samples per W (16)")
    args = p.parse_args(argv)
    spec = bs.ModelSpec(TAI, E=args.E)
    # every input is checked before anything is computed
    L, M = validation.integer("L", args.L, low=1), validation.integer("M", args.M, low=1)
    study = bs.Study("tai", spec, W=args.W, L=[L], aspect=M / L, samples=args.samples, seed=1)
    clean = bs.conductance(spec, L=args.L, M=args.M, W=0.0)
    print(f"# BHZ strip {args.L * a:g} x {args.M * a:g} nm, E = {args.E:g} meV, "
          f"mass {MASS:g} meV")  # fmt: skip
    print(f"W=0 meV: G = {clean.T[0]:.4f} e^2/h (N = {clean.N} channels)")
    table, out = bs.run(study, quiet=True), {0.0: (float(clean.T[0]), 0.0)}
    for W in map(float, args.W):
        T = table.T[table.W == W]
        error = float(T.std(ddof=1) / np.sqrt(T.size)) if T.size > 1 else float("nan")
        out[W] = (float(T.mean()), error)
        shown = f"{error:.3f}" if T.size > 1 else "n/a (one sample)"
        print(f"W={W:g} meV: <G> = {out[W][0]:.3f} +- {shown} e^2/h")
    return out


if __name__ == "__main__":
    sys.exit(run_script("bhz_anderson_insulator", main))

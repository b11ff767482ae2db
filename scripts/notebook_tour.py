#!/usr/bin/env python
"""A notebook-style tour of betascale's Python API: top-level names only, no CLI.

1. model -> samples: the conductance of a few disorder samples;
2. study -> in-memory run -> analysis -> figure;
3. store -> analysis: the same study run into a store file, resumed, analysed;
4. a flux scan: the magnetoconductance of paired samples;
5. Finkel'stein's RG flow.

Run it as ``python scripts/notebook_tour.py [OUTDIR]`` (seconds on one core; OUTDIR
defaults to a new temporary directory); every cell can be pasted into a notebook as
it is.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import betascale as bs


def main(out_dir: Path) -> None:
    # 1. model -> samples: the SU(2) model (symplectic class) at E = 1
    spec = bs.ModelSpec("su2", E=1.0, bc="periodic")
    result = bs.conductance(spec, L=20, W=3.0, samples=3, eigenvalues=True)
    print(result)
    print("Kramers pairs:", result.eigenvalues[0][:4].round(6))

    # 2. study -> in-memory run -> analysis -> figure
    study = bs.Study(
        "tour", bs.ModelSpec("anderson", E=1.0), W=[3.0, 4.0], L=[10, 16, 22], samples=60, seed=1
    )
    samples = bs.run(study, quiet=True)  # one process, no file
    print(samples)
    analysis = bs.analyze(samples, n_boot=200, gmin=1.0)
    print(analysis.report())
    fig = bs.plots.plot_beta(analysis)
    bs.plots.save_figure(fig, out_dir, "tour_beta")  # PNG and PDF, written atomically

    # 3. store -> analysis: persistent and resumable (run it twice: nothing is redone)
    store_path = out_dir / "tour.sqlite"
    bs.run(study, store_path, quiet=True)
    again = bs.run(study, store_path, quiet=True)
    assert len(again) == len(samples)
    with bs.open_store(store_path) as store:
        print(store.status())
        from_store = bs.analyze(store, n_boot=200, gmin=1.0)
    assert from_store.fit is None or abs(from_store.fit.a - analysis.fit.a) < 1e-12

    # 4. a flux scan: paired samples with and without a magnetic field
    scan = bs.Study(
        "tour-flux", bs.ModelSpec("anderson", E=1.0), W=[2.0], L=[12, 24], samples=40, seed=2,
        flux=[0.0, 0.002, 0.01],
    )  # fmt: skip
    print(bs.analyze(bs.run(scan, quiet=True), n_boot=200).magnetoconductance)

    # 5. Finkel'stein's RG flow (Punnoose & Finkel'stein 2002), two valleys
    print(bs.integrate_pf(rho0=0.2, gamma0=0.3, nv=2))


def _output_directory(argv: list[str]) -> Path:
    """OUTDIR from the command line (a new temporary directory if none); exit 2 with one
    line on bad input, as betascale's commands do."""
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip().splitlines()[0] + "\n\nusage: notebook_tour.py [OUTDIR]")
        sys.exit(0)
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        sys.exit(_fail(f"expected at most one argument, OUTDIR; got {' '.join(argv)}"))
    target = Path(argv[0]) if argv else Path(tempfile.mkdtemp())
    if target.exists() and not target.is_dir():
        sys.exit(_fail(f"{target} exists and is not a directory"))
    return target


def _fail(message: str) -> int:
    print(f"notebook_tour: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    target = _output_directory(sys.argv[1:])
    target.mkdir(parents=True, exist_ok=True)
    try:
        main(target)
    except bs.InputError as exc:
        sys.exit(_fail(str(exc)))
    print(f"figures and store in {target}")

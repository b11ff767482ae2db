"""``betascale universality``: do the lattices of one symmetry class share one beta(g)?"""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.analysis.fss import DEFAULT_ORDERS
from betascale.analysis.fss_crossings import DEFAULT_FSS_BOOT
from betascale.cli.analyze import add_analysis_options, analysis_kwargs
from betascale.cli.fss import parse_orders
from betascale.cli.options import flag_errors, output_directory
from betascale.errors import InputError
from betascale.serialization import dumps
from betascale.theory import SYMMETRY_CLASSES

#: Reference critical conductances printed against ``--transition`` stores unless
#: ``--reference`` is given: Markoš & Schweitzer, J. Phys. A 39, 3221 (2006), the
#: critical mean conductance of square samples of the Ando model (both spins, e²/h).
REFERENCES = {"Markos & Schweitzer 2006": (1.42, 0.005)}

DESCRIPTION = """\
Universality of beta(g) across lattices (one-parameter scaling: beta depends on the
symmetry class alone). For each class given, analyse the stores of its lattices
(LABEL=STORE, two or more) like `betascale analyze`, fit one natural cubic spline in
ln G through the beta points of all lattices with G >= gmin and one per lattice in the
same basis (bootstrap covariance, block diagonal across lattices), and print chi2/dof
of the single curve, delta chi2 and delta dof of the nested fits and the p-value of the
collapse; then the leading coefficient a of beta = a/g + b/g^2 of each lattice against
the analytic value (-1/pi orthogonal, +1/pi symplectic with both spins). With
--transition, the critical conductance Gamma_c (<g_c> for the default statistic) of
each transition store by finite-size scaling (like `betascale fss`), against the
reference values (default: Markos & Schweitzer, J. Phys. A 39, 3221 (2006): g_c =
1.42 +- 0.005 for square Ando samples) and against each other, in sigma. Writes
NAME.png and NAME.pdf (one panel per class) and prints their paths. Conductances are
in e^2/h.
"""

EPILOG = """\
example: betascale universality --orthogonal square=wl-square.sqlite \
honeycomb=wl-honeycomb.sqlite --symplectic SU2=universality-su2.sqlite \
Ando=universality-ando.sqlite --gmin 0 --transition SU2=su2-transition.sqlite \
Ando=ando-transition.sqlite --out figures
"""


def labelled_store(text: str) -> tuple[str, Path]:
    """Parse ``LABEL=STORE`` (the label before the first ``=``)."""
    label, sep, path = text.partition("=")
    if not sep or not label.strip() or not path:
        raise argparse.ArgumentTypeError(
            f"expected LABEL=STORE, e.g. square=a.sqlite, got {text!r}"
        )
    return label.strip(), Path(path)


def reference_value(text: str) -> tuple[str, tuple[float, float]]:
    """Parse ``NAME=VALUE,ERROR`` (e.g. ``SU2=1.414,0.011``)."""
    label, sep, rest = text.rpartition("=")
    bad = argparse.ArgumentTypeError(
        f"expected NAME=VALUE,ERROR, e.g. SU2=1.414,0.011, got {text!r}"
    )
    if not sep or not label.strip():
        raise bad
    try:
        value, error = (float(v) for v in rest.split(","))
    except ValueError:
        raise bad from None
    return label.strip(), (value, error)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``universality`` sub-command."""
    parser = subparsers.add_parser(
        "universality",
        help="one beta(g) per symmetry class across lattices; critical conductances",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    for model in SYMMETRY_CLASSES:
        parser.add_argument(
            f"--{model}",
            type=labelled_store,
            nargs="+",
            default=None,
            metavar="LABEL=STORE",
            help=f"the stores of two or more lattices of the {model} class",
        )
    add_analysis_options(parser)
    parser.add_argument(
        "--collapse-gmin",
        type=float,
        default=None,
        metavar="X",
        help="only beta points with G >= X enter the collapse test (default: --gmin)",
    )
    parser.add_argument(
        "--knots", type=int, default=None, metavar="K", help="spline knots (default: by BIC)"
    )
    _add_transition_options(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("figures"), metavar="DIR", help="default: figures"
    )
    parser.add_argument(
        "--name", default="universality", help="file name without suffix (default universality)"
    )
    parser.add_argument("--no-figure", action="store_true", help="write no figure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def _add_transition_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("critical conductance")
    group.add_argument(
        "--transition",
        type=labelled_store,
        nargs="+",
        default=None,
        metavar="LABEL=STORE",
        help="transition stores: Gamma_c by finite-size scaling",
    )
    group.add_argument(
        "--reference",
        type=reference_value,
        action="append",
        default=None,
        metavar="NAME=VALUE,ERROR",
        help="a reference Gamma_c (repeatable; default: Markos & Schweitzer 2006, 1.42,0.005)",
    )
    group.add_argument(
        "--orders",
        type=parse_orders,
        default=DEFAULT_ORDERS,
        metavar="nr,mr,ni,mi",
        help=f"orders of the fss fit (default {','.join(map(str, DEFAULT_ORDERS))})",
    )
    group.add_argument(
        "--fss-lmin", type=int, default=0, metavar="L", help="fss: leave out sizes below L"
    )
    group.add_argument(
        "--fss-boot",
        type=int,
        default=DEFAULT_FSS_BOOT,
        metavar="B",
        help=f"fss: bootstrap refits (default {DEFAULT_FSS_BOOT}; 0: covariance errors)",
    )


#: Parameter names whose errors name this command's flags.
_FLAGS = {"collapse_gmin": "--collapse-gmin", "n_boot": "--fss-boot", "lmin": "--fss-lmin",
          "orders": "--orders", "seed": "--seed", "ci": "--ci"}  # fmt: skip


def _classes(args: argparse.Namespace) -> dict[str, dict[str, Path]]:
    """``{class: {label: store}}`` of the class options given; a repeated label is an error."""
    out = {}
    for model in SYMMETRY_CLASSES:
        pairs = getattr(args, model)
        if pairs:
            out[model] = _unique(f"--{model}", pairs)
    return out


def _unique(flag: str, pairs) -> dict:
    out = {}
    for label, value in pairs:
        if label in out:
            raise InputError(f"{flag}: the label {label!r} is given twice")
        out[label] = value
    return out


def run(args: argparse.Namespace) -> int:
    """Run the tests, print the tables (or JSON), write the figure; return 0."""
    from betascale.analysis.universality import critical_conductances, universality

    classes = _classes(args)
    if not classes and not args.transition:
        raise InputError(
            "give the stores of a class (--orthogonal, --unitary, --symplectic "
            "LABEL=STORE ...) or --transition LABEL=STORE ..."
        )
    kwargs = analysis_kwargs(args)
    draw = bool(classes) and not args.no_figure
    if draw:
        output_directory(args.out)
    result = critical = None
    with flag_errors(_FLAGS):
        if classes:
            result = universality(
                classes, collapse_gmin=args.collapse_gmin, n_knots=args.knots, **kwargs
            )
        if args.transition:
            references = REFERENCES if args.reference is None else dict(args.reference)
            critical = critical_conductances(
                _unique("--transition", args.transition),
                references,
                stat=args.stat,
                lmin=args.fss_lmin,
                orders=args.orders,
                n_boot=args.fss_boot,
                seed=args.seed,
                ci=args.ci,
            )
    paths = _write(result, args) if draw else []
    _print(result, critical, paths, args.json)
    return 0


def _write(result, args: argparse.Namespace) -> list[Path]:
    from betascale.plots.universality import write_universality

    return write_universality(result, args.out, name=args.name)


def _print(result, critical, paths: list[Path], as_json: bool) -> None:
    if as_json:
        print(
            dumps(
                {
                    "universality": None if result is None else result.to_dict(),
                    "critical": None if critical is None else critical.to_dict(),
                    "figures": [str(p) for p in paths],
                },
                indent=2,
            )
        )
        return
    parts = [str(x) for x in (result, critical) if x is not None]
    print("\n\n".join(parts))
    for path in paths:
        print(path)

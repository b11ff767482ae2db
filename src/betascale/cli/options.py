"""Options shared by several commands, and the translation of API errors to flags."""

from __future__ import annotations

import argparse
import contextlib
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from betascale import validation
from betascale.errors import InputError
from betascale.models import BOUNDARY_CONDITIONS, HAMILTONIANS, SOC_MODELS, SYMMETRY_CLASSES


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the model options: --hamiltonian (or the older --model/--soc), --E, --bc, --flux, --S."""
    group = parser.add_argument_group("model")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--hamiltonian",
        default=None,
        metavar="NAME",
        help=(
            f"Hamiltonian family: {', '.join(HAMILTONIANS)} or one registered by a plug-in "
            "(default anderson); the symmetry class follows with --flux"
        ),
    )
    which.add_argument(
        "--model",
        choices=SYMMETRY_CLASSES,
        default=None,
        help="older naming by symmetry class (symplectic: with --soc)",
    )
    group.add_argument("--E", type=float, default=1.0, help="Fermi energy (default 1)")
    group.add_argument("--bc", choices=BOUNDARY_CONDITIONS, default="hardwall")
    group.add_argument("--flux", type=float, default=0.0, help="flux quanta per plaquette")
    group.add_argument("--soc", choices=SOC_MODELS, default=None, help="with --model symplectic")
    group.add_argument(
        "--S", type=float, default=None, help="Ando spin-orbit strength (default 0.5)"
    )


def add_bootstrap_options(
    parser: argparse.ArgumentParser, default_boot: int, note: str = ""
) -> None:
    """Add --boot, --seed and --ci (the bootstrap over disorder samples)."""
    from betascale.analysis import DEFAULT_CI

    parser.add_argument(
        "--boot",
        type=int,
        default=default_boot,
        metavar="B",
        help=f"bootstrap replicates{note} (default {default_boot})",
    )
    parser.add_argument(
        "--seed", type=seed_argument, default=0, help="seed of the bootstrap generator (default 0)"
    )
    parser.add_argument(
        "--ci",
        type=float,
        default=DEFAULT_CI,
        metavar="LEVEL",
        help=f"confidence level of the bootstrap intervals (default {DEFAULT_CI:g})",
    )


def seed_argument(text: str) -> int:
    """An argparse type: a seed, an integer in [0, 2**63) (:func:`betascale.validation.seed`)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    try:
        return validation.seed("seed", value)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def model_spec_from_args(args: argparse.Namespace):
    """The :class:`~betascale.models.ModelSpec` described by parsed model options."""
    from betascale.models import ModelSpec
    from betascale.models.spec import DEFAULT_S, unused_S

    with flag_errors():
        spec = ModelSpec(
            args.hamiltonian,
            E=args.E,
            bc=args.bc,
            flux=args.flux,
            S=DEFAULT_S if args.S is None else args.S,
            model=args.model,
            soc=args.soc,
        )
        if args.S is not None and "S" not in spec.family.parameters:
            raise unused_S(args.S)
    return spec


#: Python parameter names whose errors name a CLI flag instead.
DEFAULT_FLAGS = {
    "W": "--W",
    "E": "--E",
    "flux": "--flux",
    "S": "--S",
    "samples": "--samples",
    "start": "--sample",
    "seed": "--seed",
    "n_boot": "--boot",
    "gmin": "--gmin",
    "lmin": "--lmin",
    "ci": "--ci",
    "W_range": "--W-range",
    "orders": "--orders",
}


@contextlib.contextmanager
def flag_errors(flags: Mapping[str, str] = DEFAULT_FLAGS) -> Iterator[None]:
    """Re-raise an :class:`InputError` about a Python parameter as one about its flag."""
    try:
        yield
    except InputError as exc:
        raise InputError(_to_flags(str(exc), flags)) from None


def _to_flags(message: str, flags: Mapping[str, str]) -> str:
    """``message`` with the parameter it starts with named by its flag.

    Only a message that starts with the parameter is about an option: one with a
    prefix (``store X: E must be finite``) is about the contents of a file, which has
    no flag, and is left as it is.
    """
    pattern = r"^(" + "|".join(map(re.escape, flags)) + r")(?= must)"
    match = re.match(pattern, message)
    if match is None:
        return message
    return message[: match.start(1)] + flags[match.group(1)] + message[match.end(1) :]


def output_directory(path) -> Path:
    """Check that the output directory ``path`` can be written, without creating it.

    Called before any long computation, so that an unusable path is refused at once;
    the directory (and its parents) is made when the first file is written
    (:mod:`betascale.files`), so bad input leaves nothing behind on disk.

    Raises
    ------
    InputError
        If ``path`` is a file, lies under a file, or its nearest existing directory
        cannot be written.
    """
    path = Path(path)
    existing = next(p for p in (path, *path.parents) if p.exists() or p == Path(p.anchor))
    if not existing.is_dir():
        where = "" if existing == path else f" ({existing} is a file)"
        raise InputError(f"cannot write figures to {path}: it is not a directory{where}")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise InputError(f"cannot write to {path}: {exc.strerror or exc}") from None
    return path

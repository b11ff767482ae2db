"""``betascale status STORE``: progress, failures and CPU time of a results store."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from betascale.store import open_store
from betascale.text import printable

DESCRIPTION = """\
Show the progress of a results store: completed, missing and failed samples per
(W, L), the failures with their errors, the total CPU time spent and the runs
that wrote to it. The store holds its study, so a run with any study file of the
same physics resumes it: betascale run STUDY.toml --out STORE. Use --print-study
to write that study file.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``status`` sub-command."""
    parser = subparsers.add_parser(
        "status", help="show the progress of a results store", description=DESCRIPTION
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the results store (.sqlite)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the status as JSON")
    output.add_argument(
        "--print-study",
        action="store_true",
        help="print the stored study as a study file (TOML) and exit",
    )
    parser.set_defaults(func=run)


def resume_command(
    study: str | Path, store: str | Path, samples: int | None = None, ranks: int = 1
) -> str:
    """The command that resumes ``store``, quoted for a POSIX shell (:func:`shlex.join`).

    The one quoting of a resume hint (``status`` and ``run`` print it): a store path
    such as ``a b;$(touch X)/s.sqlite`` comes out as one quoted word, safe to paste.

    Parameters
    ----------
    study
        The study argument (a file or a built-in name).
    store
        The store path.
    samples
        The ``--samples`` override of the run, if any.
    ranks
        MPI ranks: above 1 the command starts with ``mpiexec -n ranks``.
    """
    command = ["betascale", "run", _word(study), "--out", _word(store)]
    if samples is not None:
        command += ["--samples", str(samples)]
    return shlex.join((["mpiexec", "-n", str(ranks)] if ranks > 1 else []) + command)


def _word(path: str | Path) -> str:
    """A path as a command-line word: ``./-x`` for ``-x``, which would read as an option."""
    text = str(path)
    return f"./{text}" if text.startswith("-") else text


def run(args: argparse.Namespace) -> int:
    """Print the status of ``args.store``; return 0."""
    with open_store(args.store) as store:
        if args.print_study:
            print(store.study.to_toml(), end="")
            return 0
        status = store.status()
    if args.json:
        print(json.dumps(status.to_dict(), indent=2))
        return 0
    print(status.format())
    if status.missing and status.running:
        who = ", ".join(f"{r.get('host')} pid {r.get('pid')}" for r in status.running)
        print()
        print(f"{status.missing} samples are missing; a run is computing them ({who}).")
    elif status.missing:
        print()
        print_study = shlex.join(["betascale", "status", _word(args.store), "--print-study"])
        print(
            f"{status.missing} samples are missing. The study is stored in the store; "
            f"resume with: {printable(resume_command('STUDY.toml', args.store))}"
        )
        print(
            f"(any study file with the same physics; "
            f"`{printable(print_study)} > STUDY.toml` writes the stored one)"
        )
    return 0

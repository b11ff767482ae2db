"""The one way betascale imports Kwant: :func:`import_kwant`.

Kwant built without MUMPS warns at its first import ("MUMPS is not available, SciPy
built-in solver will be used as a fallback. Performance can be very poor in this
case.", a :class:`RuntimeWarning` from ``kwant/solvers/default.py``). That is Kwant's
own ``kwant.smatrix`` speaking; betascale chooses its sparse back end itself
(:mod:`betascale.solvers`), so the warning would mislead during ``betascale run``.
:func:`import_kwant` filters exactly that warning, nothing else, and only while Kwant
is imported. Kwant is a heavy import: it is kept off ``import betascale`` and made on
first use, through this function.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import warnings
from collections.abc import Iterator
from types import ModuleType

#: The start of the message of Kwant's warning when it has no MUMPS.
MUMPS_WARNING = "MUMPS is not available"


@contextlib.contextmanager
def quiet_mumps_warning() -> Iterator[None]:
    """Ignore Kwant's "MUMPS is not available" RuntimeWarning inside the block (only it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=re.escape(MUMPS_WARNING), category=RuntimeWarning)
        yield


def import_kwant() -> ModuleType:
    """The ``kwant`` module, imported without its "MUMPS is not available" warning.

    Returns
    -------
    ModuleType
        ``kwant`` (imported once; later calls return it from ``sys.modules``).
    """
    with quiet_mumps_warning():
        return importlib.import_module("kwant")


__all__ = ["MUMPS_WARNING", "import_kwant", "quiet_mumps_warning"]

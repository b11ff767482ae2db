"""The sparse back ends of the fast solver: what a Schur factorizer is, and which exist.

The fast solver (:mod:`betascale.solvers.fast`) needs one operation from a sparse
direct solver: the Schur complement ``S = A_II − A_IB A_BB⁻¹ A_BI`` of a sample's
matrix A onto given orbitals I (the lead interfaces), for many samples of one
pattern; and, for the rare samples where that route is ill-conditioned, one
plain solve (:meth:`SchurBackend.solve_regular`). :class:`SchurBackend` declares
that operation; the back ends are registered here by name (:data:`BACKENDS`):

``"mumps"``
    MUMPS through python-mumps, the Schur complement computed inside the
    multifrontal factorization (:mod:`betascale.solvers.mumps_adapter`). Needs the
    ``mumps`` extra (``pip install 'betascale[mumps]'``).
``"scipy"``
    SciPy's SuperLU: the interior block factorized once per sample, S formed by
    solves for the interface columns (:mod:`betascale.solvers.scipy_backend`).
    Needs nothing beyond SciPy.

Back-end modules are imported only when a back end is used, so
``import betascale.solvers`` works without python-mumps. :func:`default_backend`
is the one place that chooses: MUMPS when python-mumps imports, SciPy otherwise.
"""

from __future__ import annotations

import abc
import functools
import importlib
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from betascale import validation
from betascale.errors import InputError

#: The back ends by name: the module and class that implement them.
_REGISTRY: dict[str, tuple[str, str]] = {
    "mumps": ("betascale.solvers.mumps_adapter", "SchurFactorizer"),
    "scipy": ("betascale.solvers.scipy_backend", "SuperLUSchurFactorizer"),
}

#: The back-end names, the single source of truth.
BACKENDS = tuple(_REGISTRY)

#: The MUMPS back end's named ordering (:data:`betascale.solvers.fast.DEFAULT_ORDERING`).
MUMPS_DEFAULT_ORDERING = "scotch"

#: How to install what a back end needs, for the one-line error when it is missing.
INSTALL_HINTS = {"mumps": "pip install 'betascale[mumps]'"}


class SchurBackend(abc.ABC):
    """A sparse factorizer bound to one pattern, returning Schur complements.

    Subclasses are built by :meth:`create` once per geometry and route, then
    :meth:`factor` is called once per sample. The result of :meth:`factor` must be
    a deterministic function of the values alone (not of what was factorized
    before).
    """

    #: The name in :data:`BACKENDS`.
    name: ClassVar[str] = "base"
    #: The named ordering used when none is asked for (and by :meth:`solve_regular`).
    default_ordering: ClassVar[str] = "auto"
    #: Exceptions of the back end that mean "this factorization failed" (the fast
    #: solver then tries another route).
    errors: ClassVar[tuple[type[BaseException], ...]] = ()

    @classmethod
    @abc.abstractmethod
    def create(
        cls,
        size: int,
        rows: np.ndarray,
        cols: np.ndarray,
        values0: np.ndarray,
        indices: np.ndarray,
        *,
        symmetric: bool,
        ordering: str,
        order: np.ndarray | None = None,
        options: object = None,
    ) -> SchurBackend:
        """A factorizer of the pattern (rows, cols) onto the Schur orbitals ``indices``.

        Parameters
        ----------
        size, rows, cols, values0
            The pattern (0-based, in a fixed order; for ``symmetric`` the upper
            triangle only) and values to set it up with (float64: real arithmetic;
            complex128: complex).
        indices
            The Schur orbitals, in the order of the result's rows and columns.
        symmetric
            Only the upper triangle is stored (a real symmetric matrix).
        ordering
            A named fill-reducing ordering (see :meth:`available_ordering`), used if
            ``order`` is None.
        order
            An elimination order of all orbitals ending with ``indices`` (the
            geometric nested dissection), or None.
        options
            Back-end specific controls (:class:`~betascale.solvers.mumps_adapter.MumpsOptions`
            for MUMPS; None for SciPy).
        """

    @abc.abstractmethod
    def factor(self, values: np.ndarray) -> np.ndarray:
        """The Schur complement for ``values`` (in the pattern's order).

        The returned buffer may be overwritten by the next call. For a symmetric
        pattern only its lower triangle (in C order) needs to be set.
        """

    @property
    @abc.abstractmethod
    def statistics(self) -> dict:
        """Figures of the factorization (at least ``"ordering"``, the ordering used)."""

    @classmethod
    @abc.abstractmethod
    def available_ordering(cls, name: str) -> str:
        """The named ordering this back end will use when ``name`` is asked for."""

    @classmethod
    @abc.abstractmethod
    def solve_regular(cls, matrix: sp.sparray, rhs: np.ndarray, ordering: str) -> np.ndarray:
        """Solve ``matrix @ x = rhs`` (complex, no Schur complement)."""


def _import_error(name: str, exc: ImportError) -> InputError:
    hint = INSTALL_HINTS.get(name, "")
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    how = f"; install it with {hint}" if hint else ""
    return InputError(
        f"the {name!r} solver backend cannot be imported ({reason}){how}, or use backend='scipy'"
    )


def backend_class(name: str) -> type[SchurBackend]:
    """The factorizer class of the back end ``name`` (imported now).

    Raises
    ------
    InputError
        For an unknown name, or a back end whose libraries cannot be imported (one
        line naming the extra to install).
    """
    name = validation.choice("backend", name, BACKENDS)
    module, attribute = _REGISTRY[name]
    try:
        return getattr(importlib.import_module(module), attribute)
    except ImportError as exc:
        raise _import_error(name, exc) from None


@functools.cache
def mumps_available() -> bool:
    """Whether python-mumps imports in this process (checked once)."""
    try:
        importlib.import_module("mumps")
    except ImportError:
        return False
    return True


def default_backend() -> str:
    """The back end used when none is asked for: ``"mumps"`` if it imports, else ``"scipy"``."""
    return "mumps" if mumps_available() else "scipy"


def resolve_backend(name: str | None) -> type[SchurBackend]:
    """The factorizer class of ``name``, or of :func:`default_backend` for None."""
    return backend_class(default_backend() if name is None else name)


__all__ = [
    "BACKENDS",
    "INSTALL_HINTS",
    "MUMPS_DEFAULT_ORDERING",
    "SchurBackend",
    "backend_class",
    "default_backend",
    "mumps_available",
    "resolve_backend",
]

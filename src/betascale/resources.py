"""Memory: what a geometry needs, and what the machine has.

The largest cost of a geometry is MUMPS' sparse factorization of its matrix with the
Schur complement onto the two lead columns, the factors discarded as they go
(``betascale.solvers.fast``). What it holds at its peak is the active memory of the
multifrontal method (the fronts and the stack of contribution blocks), not the
factors: for a 2D grid the largest fronts are dense blocks of a few times the width
in orbitals, so the peak grows as (width x orbitals per site)², i.e. in proportion
to the number of unknowns n times the orbitals per site, and not as the
``n log n`` of stored nested-dissection factors (George, SIAM J. Numer. Anal. 10,
345 (1973); Liu, SIAM Rev. 34, 82 (1992), sec. 7, on the active memory). The dense
interface solve afterwards (a complex copy of the Schur complement) is of the same
order.

:func:`estimated_geometry_bytes` models the peak resident memory of one process
solving samples of one geometry, calibrated on ``betascale bench --large`` and on
single samples of the unitary and symplectic classes, each in a fresh process
(one BLAS thread, python-mumps 0.0.4 on MUMPS 5.5.1):

=========================  ======  ======  ======  ======  ======
peak RSS, MB               L=256   L=512   L=1024  L=2048  L=4096
=========================  ======  ======  ======  ======  ======
orthogonal (real)                  204     604     2057    8010
estimate                           292     716     2415    9210
unitary (complex)          166     336     940
estimate                   214     405     1169
symplectic SU(2) (2 orb.)  290     888     3318
estimate                   405     1169    4227
=========================  ======  ======  ======  ======  ======

It is used to refuse sizes that cannot fit (:func:`check_geometry_memory`) and, by
the ensemble scheduler, to keep several ranks on one node from starting more large
geometries than fit.
"""

from __future__ import annotations

import os
from pathlib import Path

from betascale.errors import InputError

#: Bytes of peak memory per unknown and orbital per site, real arithmetic (a slight
#: overestimate of the measured peaks above).
BYTES_PER_ORBITAL = 540.0
#: Complex arithmetic (unitary and symplectic classes) needs this many times more.
COMPLEX_FACTOR = 1.8
#: Memory of the interpreter, NumPy, SciPy and Kwant imported, in bytes.
BASE_BYTES = 150e6


def estimated_geometry_bytes(L: int, M: int, norbs: int = 1, real: bool = True) -> float:
    """Estimated peak memory of one process solving samples of an ``L x M`` geometry.

    ``BASE_BYTES + BYTES_PER_ORBITAL * n * norbs``, with ``n = L M norbs`` unknowns,
    times :data:`COMPLEX_FACTOR` for complex arithmetic (see the module docstring).
    """
    n = max(1, int(L) * int(M) * int(norbs))
    factor = 1.0 if real else COMPLEX_FACTOR
    return BASE_BYTES + factor * BYTES_PER_ORBITAL * n * int(norbs)


def machine_memory_bytes() -> int:
    """Physical memory of this machine, or the cgroup limit of this process if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit = _cgroup_limit()
    return min(total, limit) if limit else total


def available_memory_bytes() -> int:
    """Memory available to new allocations now (``MemAvailable``), capped by the cgroup."""
    available = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    if available is None:
        available = machine_memory_bytes()
    limit = _cgroup_limit()
    return min(available, limit) if limit else available


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return int(text)
    return None


def check_geometry_memory(spec, L: int, M: int) -> None:
    """Refuse a geometry whose estimated memory exceeds the machine's physical memory."""
    need = estimated_geometry_bytes(L, M, spec.norbs, spec.is_real)
    have = machine_memory_bytes()
    if need > have:
        raise InputError(
            f"an L x M = {L} x {M} sample of the {spec.hamiltonian} model needs about "
            f"{need / 1e9:.3g} GB for its factorization, more than this machine's "
            f"{have / 1e9:.3g} GB; use smaller sizes"
        )

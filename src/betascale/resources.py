"""Memory: what a geometry needs, and what the machine and the process limits leave.

What a geometry needs
---------------------
:func:`estimated_geometry_bytes` models the peak resident memory of one process
solving samples of one ``L x M`` geometry as three terms above :data:`BASE_BYTES`:

* the sparse factorization. MUMPS factorizes the sample's matrix to the Schur
  complement onto the two lead columns, the factors discarded as they go
  (``betascale.solvers.fast``). Its peak is the active memory of the multifrontal
  method (the fronts and the stack of contribution blocks), not the factors: for a
  2D grid the largest fronts are dense blocks of a few times the width in orbitals,
  so the peak grows as the number of unknowns ``n = L M norbs`` times the orbitals
  per site, not as the ``n log n`` of stored nested-dissection factors (George,
  SIAM J. Numer. Anal. 10, 345 (1973); Liu, SIAM Rev. 34, 82 (1992), sec. 7):
  :data:`BYTES_PER_ORBITAL` ``n norbs`` (times :data:`COMPLEX_FACTOR` for complex
  arithmetic);
* the dense interface work, in proportion to the square of the ``m = M norbs``
  orbitals of one lead column: the two self-energies Σ and their factors U
  (``betascale.leads``, ``m x m``, complex), the Schur complement S onto the
  ``2m`` interface orbitals (MUMPS' front and our buffer) and the complex copy
  ``K = S − Σ`` that is LU-factorized in place (``betascale.solvers.fast``):
  :data:`INTERFACE_BYTES_REAL` or :data:`INTERFACE_BYTES_COMPLEX` times ``m²``.
  A sample of length 2 has no interior: every orbital is on an interface, and the
  solver factorizes the matrix with the dense Σ blocks inside
  (``FastSolver.solve_regular``), :data:`REGULAR_BYTES` ``m²``. This term makes
  the cost of wide samples: ``L x M = 2 x 50000`` needs about 1 TB;
* leads without a closed form (flux, spin–orbit leads, and every lead of at most
  ``leads.KWANT_LEAD_MAX_ORBITALS`` orbitals) are solved by Kwant's dense mode
  solver, an eigenproblem of twice the lead's orbitals:
  :data:`KWANT_LEAD_BYTES` times the square of the orbitals Kwant solves.

Calibrated on single samples (W = 2, E = 1, periodic or hardwall), each in a fresh
process with one BLAS thread, with the solver's geometric nested dissection
(python-mumps 0.0.4 on MUMPS 5.5.1; peak RSS ``ru_maxrss`` after building the
geometry and solving one sample; the rows are checked in ``tests/test_resources.py``)
across aspect ratios from 2 x 4000 to 4096 x 16. The estimate
stays above every measured peak and below twice it:

======================  ============  =========  ============  ======
model                   L x M         peak, MB   estimate, MB  ratio
======================  ============  =========  ============  ======
orthogonal (real)       2 x 500       184        255           1.39
                        2 x 2000      1373       1831          1.33
                        2 x 4000      5338       6872          1.29
                        3 x 2000      779        952           1.22
                        16 x 2000     753        960           1.27
                        8 x 1000      248        352           1.42
                        64 x 64       105        154           1.47
                        256 x 32      105        153           1.46
                        4096 x 16     122        170           1.39
                        256 x 256     144        216           1.50
                        1024 x 1024   545        674           1.24
                        2048 x 2048   1876       2247          1.20
unitary (flux 0.1)      8 x 600       312        423           1.36
                        256 x 256     161        238           1.48
                        512 x 512     327        504           1.54
symplectic SU(2)        2 x 1000      1243       1835          1.48
                        3 x 1000      956        1157          1.21
                        8 x 1000      1000       1169          1.17
                        256 x 32      119        173           1.45
                        256 x 256     293        373           1.27
                        320 x 320     417        498           1.19
                        512 x 512     903        1041          1.15
                        1024 x 1024   3328       3715          1.12
SU(2), flux 0.05        8 x 300       182        291           1.60
======================  ============  =========  ============  ======

What the process has
--------------------
Three limits can stop a process before it has that memory, and they fail
differently:

* physical memory, or the memory limit of the process's cgroup (cgroup v2
  ``memory.max``, v1 ``memory.limit_in_bytes``; how SLURM enforces ``--mem``):
  beyond it the kernel's OOM killer ends the process;
* the address-space limit ``RLIMIT_AS`` (``ulimit -v``) and the data limit
  ``RLIMIT_DATA`` (``ulimit -d``, all private writable mappings since Linux 4.7):
  beyond them ``mmap`` fails, and OpenBLAS (``blas_memory_alloc``) and MUMPS then
  retry forever, ignoring SIGTERM. A geometry must therefore never start unless it
  fits. These limits count virtual memory, which grows more than the resident
  memory: libraries mapped on first use, OpenBLAS' buffers, MUMPS' workspace
  reserved beyond what it touches. From the check to ``VmPeak`` the address space
  grew by 75–360 MB more than the resident memory did to ``VmHWM`` (a quarter more
  for the largest samples), over the samples of the table.
  :func:`address_space_bytes` adds :data:`VIRTUAL_OVERHEAD_BYTES` and
  :data:`VIRTUAL_FRACTION` of the resident growth, 1.1–1.6 times the measured
  growth of ``VmPeak`` (up to 2.6 times for the smallest samples). The interpreter
  with NumPy and SciPy imported already maps about 0.3 GB (``VmSize`` when the
  geometry is checked), so under ``ulimit -v 400000`` even a 40 x 40 SU(2) sample
  (0.6 GB in all) is refused; the message says which limit would do.

The physical memory and the cgroup's limit bound what one geometry may need
(:func:`check_memory`); what is left of them now (:func:`available_memory_bytes`:
``MemAvailable``, and the cgroup's limit minus its usage) is the budget of the
ensemble scheduler, whose ranks share a node.

:func:`check_geometry_memory` refuses, in one line, a geometry that cannot fit
under any of them, and probes the address space with an anonymous mapping of the
size it will need when a process limit is set. The ensemble scheduler uses
:func:`estimated_geometry_bytes` and :func:`available_memory_bytes` to keep several
ranks on one node from starting more large geometries than fit.
"""

from __future__ import annotations

import mmap
import os
import platform
import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from betascale.errors import InputError

if TYPE_CHECKING:
    from betascale.models import ModelSpec

#: Leads with at most this many orbitals (M norbs) take Kwant's mode solver
#: (:func:`betascale.leads.lead_self_energies`; defined here, with the memory it costs,
#: so that this module imports no SciPy: it must load under a tight memory limit).
KWANT_LEAD_MAX_ORBITALS = 256
#: Bytes of peak memory of the sparse factorization per unknown and orbital per
#: site, real arithmetic.
BYTES_PER_ORBITAL = 300.0
#: Complex arithmetic (unitary and symplectic classes) needs this many times more.
COMPLEX_FACTOR = 2.0
#: Bytes per squared lead-column orbital of the dense interface work (leads'
#: self-energies, Schur complement and its complex LU copy), real arithmetic ...
INTERFACE_BYTES_REAL = 200.0
#: ... and complex arithmetic.
INTERFACE_BYTES_COMPLEX = 250.0
#: The same for a sample of length 2 (no interior: the regular route, dense Σ
#: blocks inside a sparse complex factorization).
REGULAR_BYTES = 420.0
#: Bytes per squared orbital of a lead solved by Kwant's dense mode solver.
KWANT_LEAD_BYTES = 500.0
#: Memory of the interpreter, NumPy, SciPy and Kwant imported, in bytes.
BASE_BYTES = 150e6
#: Address space of a process with NumPy, SciPy, Kwant and python-mumps loaded (one
#: BLAS thread; measured: 0.31 GB), in bytes. Under a smaller limit the imports
#: themselves fail or spin (OpenBLAS' initialization).
STARTUP_BYTES = 400e6
#: Virtual memory a geometry's process maps beyond its resident growth (see the
#: module docstring), in bytes.
VIRTUAL_OVERHEAD_BYTES = 300e6
#: Virtual memory reserved in proportion to the resident growth (MUMPS' workspace
#: relaxation; a quarter of it measured at 2048 x 2048).
VIRTUAL_FRACTION = 0.25

#: Suggested limits are rounded up to this many bytes.
_SUGGESTION_STEP = 64 * 2**20
_PROC_STATUS = Path("/proc/self/status")
_PROC_CGROUP = Path("/proc/self/cgroup")
_MOUNTINFO = Path("/proc/self/mountinfo")
_MEMINFO = Path("/proc/meminfo")
#: cgroup v1 reports "no limit" as a large page-aligned number, v2 as "max".
_NO_LIMIT = 1 << 60
#: Linux's MAP_NORESERVE (not exported by Python's mmap module before 3.13) on the
#: architectures where it is 0x4000; the probe counts against the limits without it.
_MAP_NORESERVE = getattr(mmap, "MAP_NORESERVE", 0)
if not _MAP_NORESERVE and sys.platform.startswith("linux"):
    _MAP_NORESERVE = 0x4000 if platform.machine() in ("x86_64", "aarch64", "arm64") else 0


# ------------------------------------------------------------------------ need
def estimated_geometry_bytes(
    L: int, M: int, norbs: int = 1, real: bool = True, kwant_lead_orbitals: int = 0
) -> float:
    """Estimated peak resident memory of one process solving samples of an ``L x M`` geometry.

    Parameters
    ----------
    L, M
        Sample length and width in sites.
    norbs
        Orbitals per site.
    real
        Real arithmetic (orthogonal class); complex otherwise.
    kwant_lead_orbitals
        Orbitals of the lead that Kwant's dense mode solver solves (0 if the leads
        take the closed form; see :func:`geometry_bytes`).

    Returns
    -------
    float
        ``BASE_BYTES + c_sparse n norbs + c_iface m² + KWANT_LEAD_BYTES k²`` with
        ``n = L M norbs``, ``m = M norbs``, ``k = kwant_lead_orbitals`` (see the
        module docstring for the terms and their calibration).
    """
    L, M, norbs = max(1, int(L)), max(1, int(M)), max(1, int(norbs))
    n, m = L * M * norbs, M * norbs
    sparse = (1.0 if real else COMPLEX_FACTOR) * BYTES_PER_ORBITAL * n * norbs
    if L <= 2:
        interface = REGULAR_BYTES
    else:
        interface = INTERFACE_BYTES_REAL if real else INTERFACE_BYTES_COMPLEX
    leads = KWANT_LEAD_BYTES * float(kwant_lead_orbitals) ** 2
    return BASE_BYTES + sparse + interface * float(m) ** 2 + leads


def kwant_lead_orbitals(spec: ModelSpec, M: int) -> int:
    """Orbitals of the lead of width ``M`` that Kwant's dense mode solver solves (0: none).

    The route of :func:`betascale.leads.lead_self_energies`: Kwant for leads of at
    most ``KWANT_LEAD_MAX_ORBITALS`` orbitals and for leads without a closed form;
    a wide separable lead with flux (the SU(2) model's) is solved spinless. A lead
    whose unit cell holds several columns counts one: Kwant's solver reduces the problem
    to the rank of the hopping between cells (M for the honeycomb lead's cell of two
    zigzag chains, 2M orbitals; its mode solve at M = 1000 peaks 481 MB above the
    process, an Anderson lead in a field of 1000 orbitals 522 MB).
    """
    orbitals = int(M) * spec.norbs
    if orbitals <= KWANT_LEAD_MAX_ORBITALS or not spec.family.separable_lead:
        return orbitals
    model = spec if spec.field_in_leads else spec.with_flux(0.0)  # field-free: zero-field lead
    return 0 if model.family.closed_form_lead(model) else int(M)


def geometry_bytes(spec: ModelSpec, L: int, M: int) -> float:
    """:func:`estimated_geometry_bytes` of an ``L x M`` geometry of the model ``spec``."""
    k = kwant_lead_orbitals(spec, M)
    return estimated_geometry_bytes(L, M, spec.norbs, spec.is_real, kwant_lead_orbitals=k)


def address_space_bytes(need: float) -> float:
    """Address space a geometry of estimated peak memory ``need`` adds to the process.

    Its resident growth ``need − BASE_BYTES``, plus :data:`VIRTUAL_FRACTION` of it
    and :data:`VIRTUAL_OVERHEAD_BYTES` (see the module docstring).
    """
    growth = max(0.0, need - BASE_BYTES)
    return growth * (1.0 + VIRTUAL_FRACTION) + VIRTUAL_OVERHEAD_BYTES


# ---------------------------------------------------------------- what we have
def machine_memory_bytes() -> int:
    """Physical memory of this machine, or the cgroup limit of this process if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cgroup = cgroup_memory()
    return min(total, cgroup.limit) if cgroup else total


def available_memory_bytes() -> int:
    """Memory available to new allocations now: ``MemAvailable``, capped by what the
    process's cgroup has left (its limit minus its usage, at the tightest level)."""
    available = _proc_kb_field(_MEMINFO, "MemAvailable")
    if available is None:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cgroup = cgroup_memory()
    return min(available, cgroup.available) if cgroup else available


def process_status_bytes(key: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmSize``, ``VmData``, ...) in bytes."""
    return _proc_kb_field(_PROC_STATUS, key)


def _proc_kb_field(path: Path, key: str) -> int | None:
    """The ``key: <n> kB`` field of a ``/proc`` file, in bytes; None if unreadable."""
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(":")
            if name == key:
                return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


@dataclass(frozen=True)
class ProcessLimit:
    """A per-process limit on virtual memory (``RLIMIT_AS`` or ``RLIMIT_DATA``).

    Attributes
    ----------
    name
        How the user sets it, e.g. ``"ulimit -v"``.
    limit
        The soft limit, in bytes.
    used
        What already counts against it (``VmSize`` or ``VmData``), in bytes; None if
        unknown.
    """

    name: str
    limit: int
    used: int | None

    @property
    def left(self) -> int | None:
        """Bytes left under the limit, or None if the usage is unknown."""
        return None if self.used is None else max(0, self.limit - self.used)


_RLIMITS = (
    ("RLIMIT_AS", "ulimit -v", "VmSize"),
    ("RLIMIT_DATA", "ulimit -d", "VmData"),
)


def process_limits() -> list[ProcessLimit]:
    """The finite address-space and data limits of this process, with their usage."""
    limits = []
    for attribute, name, status_key in _RLIMITS:
        which = getattr(resource, attribute, None)
        if which is None:
            continue
        try:
            soft, _ = resource.getrlimit(which)
        except (OSError, ValueError):
            continue
        if soft == resource.RLIM_INFINITY or soft < 0 or soft >= _NO_LIMIT:
            continue
        limits.append(ProcessLimit(name, int(soft), process_status_bytes(status_key)))
    return limits


@dataclass(frozen=True)
class CgroupMemory:
    """The memory limit of this process's cgroup, at the tightest level of its hierarchy.

    Attributes
    ----------
    limit
        The lowest limit on the path from the process's cgroup to the root, in bytes.
    available
        The least that any limited level has left: its limit minus its usage, the
        inactive page cache (which the kernel reclaims first) not counted as used.
    path
        The directory of the tightest level.
    """

    limit: int
    available: int
    path: str


#: File names per cgroup version: limit, usage, the memory.stat key of the
#: reclaimable (inactive) page cache.
_DEFAULT_CGROUPS = ((Path("/sys/fs/cgroup"), 2), (Path("/sys/fs/cgroup/memory"), 1))
_CGROUP_FILES = {
    1: ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
    2: ("memory.max", "memory.current", "inactive_file"),
}


def cgroup_memory() -> CgroupMemory | None:
    """The memory limit of this process's own cgroup (v1 or v2), or None if unlimited.

    The cgroup is read from ``/proc/self/cgroup`` and located through
    ``/proc/self/mountinfo``; every level from it up to the mount point is read
    (a SLURM job's limit sits on the job's cgroup, above the step's).
    """
    levels = []
    for directory, top, version in _cgroup_directories():
        for level in _levels(directory, top):
            found = _read_cgroup_level(level, version)
            if found is not None:
                levels.append((*found, str(level)))
    if not levels:
        return None
    limit, _, path = min(levels)
    return CgroupMemory(limit, min(available for _, available, _ in levels), path)


def _levels(directory: Path, top: Path) -> list[Path]:
    """``directory`` and its parents up to ``top`` (inclusive)."""
    levels = [directory]
    while directory != top and top in directory.parents:
        directory = directory.parent
        levels.append(directory)
    return levels


def _cgroup_directories() -> list[tuple[Path, Path, int]]:
    """``(cgroup directory, mount point, version)`` of this process's memory cgroups."""
    try:
        memberships = _PROC_CGROUP.read_text().splitlines()
        mounts = _MOUNTINFO.read_text().splitlines()
    except OSError:
        return [(path, path, version) for path, version in _DEFAULT_CGROUPS]
    paths = {}
    for line in memberships:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            paths[2] = parts[2]
        elif "memory" in parts[1].split(","):
            paths[1] = parts[2]
    found = []
    for line in mounts:
        pre, _, post = line.partition(" - ")
        fields, tail = pre.split(), post.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        version = {"cgroup2": 2, "cgroup": 1}.get(tail[0])
        if version is None or version not in paths:
            continue
        if version == 1 and "memory" not in tail[2].split(","):
            continue
        root, top = fields[3], Path(fields[4])
        path = paths[version]
        relative = path[len(root) :] if path.startswith(root) else path
        directory = top / relative.lstrip("/")
        found.append((directory if directory.is_dir() else top, top, version))
    return found


def _read_cgroup_level(level: Path, version: int) -> tuple[int, int] | None:
    """``(limit, available)`` of one cgroup directory, or None if it has no limit."""
    limit_file, usage_file, inactive_key = _CGROUP_FILES[version]
    try:
        text = (level / limit_file).read_text().strip()
    except OSError:
        return None
    if not text.isdigit() or int(text) >= _NO_LIMIT:
        return None
    limit = int(text)
    try:
        usage = int((level / usage_file).read_text().strip())
    except (OSError, ValueError):
        return limit, limit
    inactive = 0
    try:
        for line in (level / "memory.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == inactive_key:
                inactive = int(value)
    except (OSError, ValueError):
        pass
    return limit, max(0, limit - max(0, usage - inactive))


# -------------------------------------------------------------------- the check
def probe_address_space(nbytes: float) -> bool:
    """Whether an anonymous private mapping of ``nbytes`` can be made now (then unmapped).

    Counts against ``RLIMIT_AS`` and ``RLIMIT_DATA`` as the allocations it stands
    for; ``MAP_NORESERVE`` keeps the kernel's overcommit accounting out of it, and
    no page is touched.
    """
    size = max(mmap.PAGESIZE, int(nbytes))
    flags = mmap.MAP_PRIVATE | getattr(mmap, "MAP_ANONYMOUS", 0) | _MAP_NORESERVE
    try:
        mapping = mmap.mmap(-1, size, flags=flags, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    except (OSError, OverflowError, ValueError):
        return False
    mapping.close()
    return True


def _gb(nbytes: float) -> str:
    """``0.74 GB``, ``12 GB``, ``1.1 TB``."""
    gb = nbytes / 1e9
    if gb >= 1000:
        return f"{gb / 1000:.3g} TB"
    return f"{gb:.2g} GB" if gb < 10 else f"{gb:.0f} GB"


def check_startup_memory() -> None:
    """Refuse to start under a process limit too small to load the numerical libraries.

    Meant for the entry points, before NumPy is imported (this module imports only
    the standard library): under ``ulimit -v`` below :data:`STARTUP_BYTES` importing
    NumPy's OpenBLAS spins, and a little above, loading MUMPS fails.

    Raises
    ------
    InputError
        One line naming the limit and what it must be at least.
    """
    for limit in process_limits():
        if limit.limit < STARTUP_BYTES:
            at_least_kb = -(-int(STARTUP_BYTES) // _SUGGESTION_STEP) * (_SUGGESTION_STEP // 1024)
            raise InputError(
                f"the process limit ({limit.name}) of {_gb(limit.limit)} is too small to load "
                f"NumPy, SciPy, Kwant and MUMPS (about {_gb(STARTUP_BYTES)}): raise it to at "
                f"least {at_least_kb} kB ({limit.name} {at_least_kb})"
            )


def check_geometry_memory(spec: ModelSpec, L: int, M: int) -> None:
    """Refuse an ``L x M`` geometry of ``spec`` that cannot fit in this process.

    :func:`check_memory` of its :func:`geometry_bytes`.

    Raises
    ------
    InputError
        One line: what the geometry needs and which limit leaves less.
    """
    what = f"an L x M = {L} x {M} sample of the {spec.hamiltonian} model"
    check_memory(geometry_bytes(spec, L, M), what)


def check_memory(need: float, what: str) -> None:
    """Refuse work of estimated peak memory ``need`` that cannot fit in this process.

    The one place that compares a need with what the process can have: the
    machine's physical memory and the limit of the process's cgroup; and, with
    :func:`address_space_bytes`, what the address-space (``ulimit -v``) and data
    (``ulimit -d``) limits leave, confirmed by :func:`probe_address_space`. Beyond
    those limits OpenBLAS and MUMPS spin instead of failing, so no native call may
    start unless it fits.

    Parameters
    ----------
    need
        Estimated peak resident memory of the process doing the work, in bytes
        (:data:`BASE_BYTES` included, as :func:`estimated_geometry_bytes`).
    what
        What needs it, for the message (``"an L x M = 8 x 8 sample of ..."``).

    Raises
    ------
    InputError
        One line: what the work needs and which limit leaves less.
    """
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if need > total:
        raise InputError(
            f"{what} needs about {_gb(need)} of memory, more than this machine's "
            f"{_gb(total)}; use smaller sizes"
        )
    cgroup = cgroup_memory()
    if cgroup is not None and need > cgroup.limit:
        raise InputError(
            f"{what} needs about {_gb(need)} of memory, more than the "
            f"{_gb(cgroup.limit)} memory limit of this process's cgroup (a batch job's "
            f"--mem, a container's limit); ask for more memory or use smaller sizes"
        )
    limits = process_limits()
    if not limits:
        return
    more = address_space_bytes(need)
    for limit in limits:
        left = limit.left
        if left is not None and more > left:
            raise InputError(_process_limit_message(what, limit, more))
    if not probe_address_space(more):
        names = " and ".join(limit.name for limit in limits)
        raise InputError(
            f"{what} needs about {_gb(more)} more address space, and the process "
            f"limits ({names}) do not leave that much; raise them or use smaller sizes"
        )


def _process_limit_message(what: str, limit: ProcessLimit, more: float) -> str:
    used = limit.used or 0
    # Rounded up to 64 MiB: the usage differs by some kB from one process to the next.
    at_least_kb = -(-int(used + more) // _SUGGESTION_STEP) * (_SUGGESTION_STEP // 1024)
    return (
        f"{what} needs about {_gb(more)} more address space; the process limit "
        f"({limit.name}) of {_gb(limit.limit)} leaves {_gb(limit.left or 0)} "
        f"({_gb(used)} in use): raise it to at least {at_least_kb} kB "
        f"({limit.name} {at_least_kb}) or use smaller sizes"
    )

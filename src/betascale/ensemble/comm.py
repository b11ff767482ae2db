"""Which processes take part in a run: one process, or the ranks of an MPI job.

MPI is used only when the process runs under an MPI launcher (``mpiexec``,
``srun``) with more than one rank; otherwise mpi4py is not even imported, and a
:class:`SerialComm` stands in for the communicator.
"""

from __future__ import annotations

import os
import sys

#: Environment variables that MPI launchers set for every rank.
_LAUNCHER_VARIABLES = (
    "PMI_SIZE",  # MPICH / Intel MPI (Hydra), srun with PMI-2
    "OMPI_COMM_WORLD_SIZE",  # Open MPI
    "PMIX_RANK",  # PMIx launchers (srun --mpi=pmix, prterun)
    "MPI_LOCALNRANKS",  # MPICH
)


class SerialComm:
    """A stand-in for a communicator of one process (rank 0 of size 1)."""

    def Get_rank(self) -> int:
        return 0

    def Get_size(self) -> int:
        return 1

    def bcast(self, value, root: int = 0):
        return value

    def gather(self, value, root: int = 0):
        return [value]

    def Abort(self, errorcode: int = 1) -> None:
        sys.stderr.flush()
        os._exit(errorcode)


def launched_with_mpi() -> bool:
    """Whether an MPI launcher started this process as one of several ranks."""
    for name in _LAUNCHER_VARIABLES:
        value = os.environ.get(name)
        if value is None:
            continue
        if name.endswith("SIZE") or name == "MPI_LOCALNRANKS":
            if value.isdigit() and int(value) > 1:
                return True
        else:
            return True
    return False


def world():
    """``MPI.COMM_WORLD`` under an MPI launcher with several ranks, else a :class:`SerialComm`."""
    if not launched_with_mpi() and "mpi4py.MPI" not in sys.modules:
        return SerialComm()
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    return comm if comm.Get_size() > 1 else SerialComm()

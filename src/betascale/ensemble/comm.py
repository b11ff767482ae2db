"""Which processes take part in a run: one process, or the ranks of an MPI job.

MPI is used only when the process runs under an MPI launcher (``mpiexec``,
``srun``) with more than one rank, as its environment tells (:func:`launched_with_mpi`);
otherwise mpi4py is not even imported, and a :class:`SerialComm` stands in for the
communicator: a serial run, the analysis, ``status`` and ``export`` never import it.
mpi4py is an optional dependency (the extra ``betascale[mpi]``); an MPI launch without
it ends in one line saying how to install it (:class:`MPIUnavailable`).
"""

from __future__ import annotations

import os
import sys

from betascale.errors import InputError

#: Environment variables that MPI launchers set for every rank.
_LAUNCHER_VARIABLES = (
    "PMI_SIZE",  # MPICH / Intel MPI (Hydra), srun with PMI-2
    "OMPI_COMM_WORLD_SIZE",  # Open MPI
    "PMIX_RANK",  # PMIx launchers (srun --mpi=pmix, prterun)
    "MPI_LOCALNRANKS",  # MPICH
)
#: Environment variables holding this process's rank, by launcher.
_RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")
#: How to install mpi4py with betascale.
MPI_EXTRA = "pip install 'betascale[mpi]'"


class MPIUnavailable(InputError):
    """An MPI launcher started this process, but mpi4py cannot be imported.

    ``rank`` is the process's rank as its launcher set it (None if unknown), so that
    only rank 0 needs to say so.
    """

    def __init__(self, message: str, rank: int | None) -> None:
        super().__init__(message)
        self.rank = rank


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


class ReplayComm(SerialComm):
    """Rank 0 of ``size`` ranks in one process, for replaying rank 0's serving
    (:func:`betascale.ensemble.mpi.replay_server`): every rank reports what rank 0
    does, and what rank 0 sends is pickled, as mpi4py does, and kept per rank."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sent: dict[int, list[bytes]] = {}

    def Get_size(self) -> int:
        return self.size

    def gather(self, value, root: int = 0):
        return [value] * self.size

    def send(self, obj, dest: int, tag: int = 0) -> None:
        import pickle

        self.sent.setdefault(dest, []).append(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


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


def launcher_rank() -> int | None:
    """This process's rank as the MPI launcher set it in the environment, or None."""
    for name in _RANK_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    return None


def world():
    """``MPI.COMM_WORLD`` under an MPI launcher with several ranks, else a :class:`SerialComm`.

    Raises
    ------
    MPIUnavailable
        Under an MPI launcher, if mpi4py is not installed (or its MPI library does not
        load): one line naming the extra to install.
    """
    if not launched_with_mpi() and "mpi4py.MPI" not in sys.modules:
        return SerialComm()
    try:
        from mpi4py import MPI
    except ImportError as exc:
        reason = "is not installed" if exc.name == "mpi4py" else f"cannot be imported ({exc})"
        raise MPIUnavailable(
            f"this process was started by an MPI launcher, but mpi4py {reason}; "
            f"install it with: {MPI_EXTRA} (or run without mpiexec, in one process)",
            launcher_rank(),
        ) from None

    comm = MPI.COMM_WORLD
    return comm if comm.Get_size() > 1 else SerialComm()

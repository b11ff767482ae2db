#!/bin/bash
# Example SLURM job: a betascale study over MPI, one rank per core.
#
#   sbatch scripts/slurm_job.sh my_study.toml [STORE]
#
# STORE defaults to data/runs/<study file name>.sqlite (given to run as --out, so the
# status printed at the end is that of the store written).
# Resubmitting the same job resumes it: only the missing samples are computed.
# When the time limit approaches, SLURM sends SIGTERM; betascale then finishes the
# samples in progress, closes the store and prints how to resume.
#
#SBATCH --job-name=betascale
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=32        # one MPI rank per core
#SBATCH --cpus-per-task=1
#SBATCH --mem-per-cpu=2G            # an L = 1024 orthogonal geometry needs about 0.6 GB
#SBATCH --time=12:00:00
#SBATCH --signal=TERM@120           # SIGTERM two minutes before the limit
#SBATCH --output=betascale-%j.log
#
# MPI on a cluster
# ----------------
# The PyPI MPICH of the project's .venv is fine on one node. Across nodes, use the
# site's MPI: build mpi4py against it in the project's environment instead of the
# PyPI MPICH, e.g.
#
#   module load openmpi             # or the site's MPICH / Intel MPI
#   . .venv/bin/activate
#   pip uninstall -y mpich mpi4py
#   env MPICC=$(which mpicc) pip install --no-binary=mpi4py --no-cache-dir mpi4py
#   python -c "from mpi4py import MPI; print(MPI.Get_library_version())"
#
# and launch with the site's launcher (srun, or its mpiexec).
#
# Storage: the results store is SQLite in WAL mode, written by rank 0 only. Keep it
# on a file system that supports WAL (local disk, or a parallel file system with
# POSIX locking); NFS shared between hosts does not.

set -euo pipefail
study=${1:?usage: sbatch scripts/slurm_job.sh STUDY.toml [STORE]}
store=${2:-data/runs/$(basename "${study%.toml}").sqlite}

# One BLAS/OpenMP thread per rank: the ranks are the parallelism.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

cd "${SLURM_SUBMIT_DIR:-.}"
. .venv/bin/activate

args=(run "$study" --out "$store" --log-interval 300)

# srun starts one rank per task; with the PyPI MPICH use its mpiexec instead:
#   mpiexec -n "$SLURM_NTASKS" betascale "${args[@]}"
srun --mpi=pmi2 betascale "${args[@]}" || status=$?
betascale status "$store" || true
exit "${status:-0}"

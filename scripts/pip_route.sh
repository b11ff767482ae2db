#!/usr/bin/env bash
# The pip route without root, as a cluster user takes it, and the CI job that tests it.
#
#   bash scripts/pip_route.sh [DIR]
#
# In DIR (default: a new temporary directory, removed at the end unless KEEP=1):
#
#   1. a fresh virtual environment (python -m venv), no root, no apt-get: only a C
#      compiler, Python's headers and BLAS/LAPACK are assumed, as on a cluster;
#   2. Kwant's build dependencies, then Kwant 1.5 from its PyPI sdist, re-cythonized
#      for NumPy 2 (its pre-generated C files do not build with NumPy 2), WITHOUT
#      MUMPS (see below);
#   3. `pip install .` of this checkout with no extras: no python-mumps, no mpi4py;
#   4. checks in that environment: `import mumps` and `import mpi4py` fail; a missing
#      extra is named in one line (`betascale run` under an MPI launcher, the MUMPS
#      back end asked for by name); `betascale run tiny` and `betascale analyze` work;
#      the serial and analysis tests pass (the subset below, which needs neither).
#
# Every package is installed at the version pinned in constraints.txt. A user without
# MUMPS needs nothing of step 2's build configuration: Kwant's setup.py links MUMPS
# only when it finds it (ctypes.util.find_library of zmumps_seq and mumps_common_seq,
# or Debian's *_scotch set). This script runs on machines that do have Debian's MUMPS
# (this one, CI), so it hides it through Kwant 1.5's build configuration file
# (--configfile; Kwant has no environment variable for it, and a [mumps] section
# without `libraries` still auto-detects): the section gives `libraries` (so nothing
# is searched) and replaces the extension's source by a stub whose import fails, as
# `import kwant.linalg.mumps` fails on a machine without MUMPS. (An `optional`
# extension that fails to link does not work: Kwant's cythonize step drops the flag.)
# MPI is hidden by not installing mpi4py.
#
# Environment: PYTHON (default python3), KEEP=1 keeps DIR, PYTEST_ARGS (extra pytest
# arguments). Measured on 2 busy shared cores: 7 to 16 minutes, of which Kwant's
# compile takes 4 to 6 and the tests 2 to 7.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
constraints=$here/constraints.txt
start=$SECONDS

say() { printf '[pip-route %4ds] %s\n' "$((SECONDS - start))" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

if [ $# -ge 1 ]; then
  work=$(mkdir -p "$1" && cd "$1" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/betascale-pip-route.XXXXXX")
  if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi
fi
venv=$work/venv
say "working in $work"

# -- 1. a fresh virtual environment ------------------------------------------
rm -rf "$venv"
"$python" -m venv "$venv"
py=$venv/bin/python
pip=("$py" -m pip --disable-pip-version-check -q)
pinned=("${pip[@]}" install -c "$constraints")
# Figures without a display; one BLAS thread, as the tests expect.
export MPLBACKEND=Agg OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"${pinned[@]}" pip

# -- 2. Kwant from its sdist, without MUMPS -----------------------------------
say "installing Kwant's build dependencies"
"${pinned[@]}" numpy scipy cython tinyarray setuptools wheel
conf=$work/kwant-build.conf
stub=$work/no_mumps.c
cat > "$stub" <<'EOF'
/* Stands in for kwant.linalg._mumps: Kwant built without MUMPS (scripts/pip_route.sh). */
#include <Python.h>
PyMODINIT_FUNC PyInit__mumps(void) {
    PyErr_SetString(PyExc_ImportError, "Kwant was built without MUMPS");
    return NULL;
}
EOF
cat > "$conf" <<EOF
# Hide any MUMPS of the machine from Kwant's build (see scripts/pip_route.sh).
[kwant.linalg._mumps]
sources = $stub
libraries =
EOF
say "building Kwant 1.5 from its sdist without MUMPS (the bulk of the time)"
# --no-cache-dir: never reuse a Kwant wheel built earlier against MUMPS.
"${pinned[@]}" --no-cache-dir --no-build-isolation \
  "-C--build-option=--cython --configfile=$conf" kwant \
  > "$work/kwant-build.log" 2>&1 || { tail -30 "$work/kwant-build.log" >&2; fail "Kwant build"; }
"$py" -W "ignore:MUMPS is not available:RuntimeWarning" -c "import kwant" \
  || fail "Kwant does not import"
if "$py" -c "import kwant.linalg.mumps" 2>/dev/null; then
  fail "Kwant was linked against MUMPS although it was hidden"
fi

# -- 3. betascale, no extras ---------------------------------------------------
say "pip install . (no extras)"
# From a copy of the checkout's files (tracked, and new ones not ignored except stores
# being written), so that the build leaves no build/ or egg-info in the checkout and
# sees none of an earlier one; the tests run from the same copy.
source_dir=$work/source
rm -rf "$source_dir" && mkdir -p "$source_dir"
if git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$here" && git ls-files -z --cached --others --exclude-standard -x '*.sqlite' \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf -) | tar -xf - -C "$source_dir"
else
  cp -r "$here/." "$source_dir"
  rm -rf "$source_dir/.venv" "$source_dir/build"
fi
"${pinned[@]}" "$source_dir"
"${pinned[@]}" pytest

# -- 4. checks -----------------------------------------------------------------
say "checking that the extras are absent"
for module in mumps mpi4py; do
  if "$py" -c "import $module" 2>/dev/null; then fail "$module imports"; fi
done

# One line naming the extra, exit status 2, no traceback.
expect_hint() {  # expect_hint WHAT EXTRA COMMAND...
  local what=$1 extra=$2 out status=0
  shift 2
  out=$("$@" 2>&1) || status=$?
  if [ "$status" -ne 2 ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] \
     || [[ $out != *"pip install 'betascale[$extra]'"* ]] || [[ $out == *Traceback* ]]; then
    printf '%s\n' "$out" >&2
    fail "$what: expected one line naming betascale[$extra] and exit status 2 (got $status)"
  fi
  say "$what: $out"
}
bin=$venv/bin
# Under an MPI launcher: a real mpiexec if there is one, and the variables every
# launcher sets (PMI_SIZE/PMI_RANK, as MPICH's Hydra and srun do). Open MPI refuses to
# start as root (CI) without the two OMPI_ALLOW_* variables.
launch=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec -n 2)
if command -v mpiexec >/dev/null 2>&1 && "${launch[@]}" true >/dev/null 2>&1; then
  out=$(cd "$work" && "${launch[@]}" "$bin/betascale" run tiny --out "$work/mpi.sqlite" 2>&1) \
    && fail "betascale run under mpiexec without mpi4py succeeded"
  [ ! -e "$work/mpi.sqlite" ] || fail "the refused mpiexec run left a store"
  n=$(printf '%s\n' "$out" | grep -c "pip install 'betascale\[mpi\]'" || true)
  [ "$n" -eq 1 ] || { printf '%s\n' "$out" >&2; fail "mpiexec run: expected one line naming betascale[mpi]"; }
  say "mpiexec -n 2 betascale run: $(printf '%s\n' "$out" | grep "betascale\[mpi\]")"
fi
expect_hint "run under a launcher" mpi \
  env PMI_SIZE=2 PMI_RANK=0 "$bin/betascale" run tiny --out "$work/mpi.sqlite"
expect_hint "the MUMPS back end by name" mumps "$py" -c '
import sys
from betascale.errors import InputError
from betascale.solvers.backends import backend_class
try:
    backend_class("mumps")
except InputError as exc:
    sys.exit(print(f"error: {exc}", file=sys.stderr) or 2)
'

say "betascale run tiny and betascale analyze"
(cd "$work" && "$bin/betascale" run tiny --out "$work/tiny.sqlite") || fail "betascale run tiny"
(cd "$work" && "$bin/betascale" analyze "$work/tiny.sqlite") > "$work/analyze.txt" \
  || fail "betascale analyze"
say "analyze printed $(wc -l < "$work/analyze.txt") lines"

# The serial and analysis tests, from the same copy of the checkout as the installed
# package, against that package (the tests import betascale from the environment, not
# from src/). The few tests of these files that need MUMPS or MPI are left out.
tests=(
  tests/analysis tests/rg tests/plots tests/store tests/models
  tests/solvers/test_scipy_backend.py tests/solvers/test_backends.py
  tests/solvers/test_ordering.py tests/solvers/test_floor.py
  tests/cli/test_analyze.py tests/cli/test_bad_input.py tests/cli/test_options.py
  tests/cli/test_plot.py tests/cli/test_rg.py tests/cli/test_status_export.py
  tests/ensemble/test_comm.py tests/ensemble/test_runner.py
  tests/ensemble/test_scheduler.py tests/ensemble/test_progress.py
  tests/test_validation.py tests/test_files.py tests/test_text.py tests/test_theory.py
  tests/test_version.py tests/test_shipped_data.py tests/test_imports.py
  tests/test_install.py
)
needs_extras=(
  tests/models/test_kwant_family.py::test_a_kwant_family_by_import_path_runs_under_mpi_bit_for_bit
  tests/solvers/test_backends.py::test_registry_names_the_two_backends_and_their_classes
  tests/solvers/test_backends.py::test_default_is_mumps_when_it_imports
  tests/solvers/test_floor.py::test_the_floor_is_the_fastest_ordering_and_counts_its_operations
)
deselect=()
for t in "${needs_extras[@]}"; do deselect+=(--deselect "$t"); done
say "running the serial and analysis tests"
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of words
(cd "$source_dir" && "$py" -m pytest -q -p no:cacheprovider --durations=10 ${PYTEST_ARGS:-} \
  "${deselect[@]}" "${tests[@]}") || fail "tests"
say "pip route passed in $((SECONDS - start)) s"

#!/usr/bin/env bash
# Idempotent set-up of a fresh machine for betascale.
#
#   1. Debian's MUMPS, OpenBLAS/LAPACK and gfortran (apt-get, needs root or sudo)
#   2. a project virtual environment in .venv
#   3. Kwant 1.5 built from its PyPI sdist against that MUMPS, re-cythonized
#      for NumPy 2 (the sdist's pre-generated C files do not build with NumPy 2)
#   4. MPICH and mpi4py from PyPI
#   5. betascale itself, editable, with its dev tools
#
# Every Python package is installed at the version pinned in constraints.txt (the
# versions the test suite passed with). A second run on a ready machine only checks
# and takes a second; it redoes the installation when pyproject.toml, this script or
# constraints.txt changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${BETASCALE_VENV:-$here/.venv}
python=${PYTHON:-python3}
stamp=$venv/.betascale-ready
constraints=$here/constraints.txt

say() { printf '[setup] %s\n' "$*" >&2; }

# -- 1. system libraries -----------------------------------------------------
debs=(libmumps-seq-dev libopenblas-dev gfortran pkg-config)
missing=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "install ok installed" || missing+=("$d")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# -- 2. virtual environment --------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
  say "creating virtual environment $venv"
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
pinned=("${pip[@]}" install -c "$constraints")

# Fast path: everything already installed, and the package metadata, this script and
# the pinned versions unchanged.
fingerprint=$(cat "$here/pyproject.toml" "${BASH_SOURCE[0]}" "$constraints" | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] \
   && "$venv/bin/python" -c "import kwant.linalg.mumps, mumps, mpi4py, betascale" 2>/dev/null; then
  say "environment ready ($venv)"
  exit 0
fi

"${pinned[@]}" pip
# -- 3. Kwant against Debian's MUMPS ------------------------------------------
"${pinned[@]}" numpy scipy cython tinyarray setuptools wheel
if ! "$venv/bin/python" -c "import kwant.linalg.mumps" 2>/dev/null; then
  say "building Kwant 1.5 from source against MUMPS (about 2 minutes)"
  "${pinned[@]}" --no-build-isolation -C--build-option=--cython kwant
fi
if ! "$venv/bin/python" -c "import kwant.linalg.mumps" 2>/dev/null; then
  say "ERROR: Kwant was installed but its MUMPS backend does not import."
  say "       Kwant would fall back to SuperLU, several times slower. Check that"
  say "       libmumps-seq-dev is installed and rebuild Kwant (rm -rf $venv)."
  exit 1
fi

# -- 4./5. MPI, python-mumps and the package ----------------------------------
say "installing MPICH, mpi4py, python-mumps and betascale (editable)"
"${pinned[@]}" mpich mpi4py
# python-mumps (real and symmetric MUMPS factorizations, used by the fast solver)
# builds from its sdist against the same Debian MUMPS.
"${pinned[@]}" python-mumps
"${pinned[@]}" --no-build-isolation -e "$here[dev,mumps,mpi]"

"$venv/bin/python" -c "import kwant.linalg.mumps, mumps, mpi4py.MPI, betascale" || {
  say "ERROR: the installed environment does not import (kwant.linalg.mumps, mumps, mpi4py, betascale)"
  exit 1; }
echo "$fingerprint" > "$stamp"
say "environment ready ($venv)"

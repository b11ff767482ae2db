"""Shared fixtures and settings of the betascale tests."""

import os

# One BLAS thread, as in production runs (and so tests do not oversubscribe CI).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

"""betascale.kwant_import: Kwant imported without its "MUMPS is not available" warning."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import pytest

from betascale.kwant_import import MUMPS_WARNING, import_kwant, quiet_mumps_warning

#: Kwant's message (kwant/solvers/default.py) when it is built without MUMPS.
KWANT_MESSAGE = (
    "MUMPS is not available, SciPy built-in solver will be used as a fallback. "
    "Performance can be very poor in this case."
)


def test_the_filter_drops_exactly_the_mumps_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_mumps_warning():
            warnings.warn(KWANT_MESSAGE, RuntimeWarning, stacklevel=1)
            warnings.warn("something else", RuntimeWarning, stacklevel=1)
            warnings.warn(KWANT_MESSAGE, UserWarning, stacklevel=1)  # not Kwant's category
        warnings.warn(KWANT_MESSAGE, RuntimeWarning, stacklevel=1)  # the filter is gone
    assert [(str(w.message), w.category) for w in caught] == [
        ("something else", RuntimeWarning),
        (KWANT_MESSAGE, UserWarning),
        (KWANT_MESSAGE, RuntimeWarning),
    ]
    assert KWANT_MESSAGE.startswith(MUMPS_WARNING)


def test_import_kwant_silences_a_kwant_without_mumps(tmp_path, monkeypatch):
    # a stand-in "kwant" package that warns at import as Kwant without MUMPS does
    package = tmp_path / "kwant"
    package.mkdir()
    (package / "__init__.py").write_text(
        f"import warnings\nwarnings.warn({KWANT_MESSAGE!r}, RuntimeWarning)\nFAKE = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "kwant", raising=False)
    importlib.invalidate_caches()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that got through would raise
        kwant = import_kwant()
    assert kwant.FAKE


def test_import_kwant_returns_kwant():
    pytest.importorskip("kwant")
    assert import_kwant() is sys.modules["kwant"]


def test_importing_betascale_and_the_helper_does_not_import_kwant():
    code = "import sys, betascale, betascale.kwant_import; print('kwant' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""The models package is layered: any of its modules, and the modules beneath the
geometry (lattice, leads, thresholds, resources), can be imported first."""

import subprocess
import sys

FIRST = (
    "betascale.lattice",
    "betascale.leads",
    "betascale.thresholds",
    "betascale.resources",
    "betascale.theory",
    "betascale.models.disorder",
    "betascale.models.family",
    "betascale.models.spec",
    "betascale.models.families.su2",
    "betascale.models.system",
    "betascale.landauer",
)

SCRIPT = """
import importlib, sys
for name in {names!r}:
    for loaded in [m for m in sys.modules if m.startswith("betascale")]:
        del sys.modules[loaded]
    importlib.import_module(name)
    from betascale.models import ModelSpec, build_system
    assert build_system(ModelSpec("su2", E=1.0), 3, 4).num_channels > 0
"""


def test_every_module_can_be_imported_first():
    code = SCRIPT.format(names=FIRST)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_layers_beneath_the_geometry_do_not_load_the_models_package():
    code = (
        "import sys, betascale.lattice, betascale.leads, betascale.thresholds, "
        "betascale.resources\nassert 'betascale.models' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]

"""The install routes stay consistent with the package's metadata (issue 20).

The routes themselves take minutes and run in CI (``scripts/setup_env.sh``,
``scripts/pip_route.sh``); these checks take milliseconds: the pins, the conda
environment and the pre-commit hooks cover what ``pyproject.toml`` declares, and the
pip route's test selection names files that exist.
"""

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The normalized project name of a requirement such as ``numpy>=1.24``."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def _requirements(*extras: str) -> list[str]:
    project = _project()
    return project["dependencies"] + [
        r for extra in extras for r in project["optional-dependencies"][extra]
    ]


def test_constraints_pin_every_declared_dependency():
    pins = _constraints()
    missing = [r for r in _requirements("mumps", "mpi", "dev") if _name(r) not in pins]
    assert not missing, f"constraints.txt has no pin for {missing}"


def test_mypy_is_pinned_alike_in_the_dev_extra_and_the_constraints():
    dev = {_name(r): r for r in _requirements("dev")}
    assert "mypy" in dev, "the dev extra must install mypy"
    assert dev["mypy"].replace(" ", "") == f"mypy=={_constraints()['mypy']}"


def test_mypy_is_configured_for_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["files"] == ["src/betascale"]


def test_conda_environment_lists_every_runtime_dependency_and_extra():
    text = (ROOT / "environment.yml").read_text()
    assert "untested" in text.lower()
    listed = {_name(m) for m in re.findall(r"^\s*-\s+([A-Za-z0-9._-]+)", text, re.M)}
    missing = [r for r in _requirements("mumps", "mpi") if _name(r) not in listed]
    assert not missing, f"environment.yml lacks {missing}"


def test_pre_commit_runs_ruff_and_mypy():
    text = (ROOT / ".pre-commit-config.yaml").read_text()
    for entry in ("ruff check", "ruff format", "mypy src/betascale"):
        assert entry in text


def _pip_route_tests() -> list[str]:
    """The test paths of the pip route (the ``tests=( ... )`` array of the script)."""
    script = (ROOT / "scripts" / "pip_route.sh").read_text()
    body = re.search(r"^tests=\((.*?)^\)", script, re.S | re.M)
    assert body, "scripts/pip_route.sh has no tests=( ... ) array"
    return shlex.split(body.group(1), comments=True)


def test_pip_route_tests_exist():
    paths = _pip_route_tests()
    assert paths
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"scripts/pip_route.sh names missing tests: {missing}"


@pytest.mark.parametrize("script", ["pip_route.sh", "setup_env.sh"])
def test_install_scripts_parse(script):
    proc = subprocess.run(
        ["bash", "-n", str(ROOT / "scripts" / script)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr

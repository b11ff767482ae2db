"""Tests of betascale.resources: the memory model, the limit readers and the refusals."""

import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from betascale import resources
from betascale.errors import InputError
from betascale.models import ModelSpec

SU2 = ModelSpec("su2", 1.0, "periodic")
ANDERSON = ModelSpec("anderson", 1.0, "periodic")
BIG320 = 'hamiltonian="su2"\nE=1.0\nbc="periodic"\nW=[2.0]\nL=[320]\nsamples=1\nseed=1\n'
GB = 1e9

# Measured peaks (ru_maxrss of a fresh process after building the geometry and solving
# one sample, W = 2, E = 1, one BLAS thread; MB): (model, bc, flux, L, M, peak).
MEASURED = [
    ("anderson", "periodic", 0.0, 2, 500, 184),
    ("anderson", "periodic", 0.0, 2, 2000, 1373),
    ("anderson", "hardwall", 0.0, 2, 4000, 5338),
    ("anderson", "periodic", 0.0, 3, 2000, 779),
    ("anderson", "periodic", 0.0, 16, 2000, 753),
    ("anderson", "hardwall", 0.0, 8, 1000, 248),
    ("anderson", "periodic", 0.0, 64, 64, 105),
    ("anderson", "periodic", 0.0, 256, 32, 105),
    ("anderson", "hardwall", 0.0, 1024, 33, 112),
    ("anderson", "periodic", 0.0, 4096, 16, 122),
    ("anderson", "hardwall", 0.0, 256, 256, 144),
    ("anderson", "hardwall", 0.0, 1024, 1024, 545),
    ("anderson", "periodic", 0.0, 2048, 2048, 1876),
    ("anderson", "hardwall", 0.1, 8, 600, 312),
    ("anderson", "hardwall", 0.1, 256, 256, 161),
    ("anderson", "hardwall", 0.1, 512, 512, 327),
    ("su2", "periodic", 0.0, 2, 500, 398),
    ("su2", "periodic", 0.0, 2, 1000, 1243),
    ("su2", "periodic", 0.0, 3, 1000, 956),
    ("su2", "periodic", 0.0, 8, 1000, 1000),
    ("su2", "periodic", 0.0, 256, 32, 119),
    ("su2", "periodic", 0.0, 256, 256, 293),
    ("su2", "periodic", 0.0, 320, 320, 417),
    ("su2", "periodic", 0.0, 512, 512, 903),
    ("su2", "periodic", 0.0, 1024, 1024, 3328),
    ("su2", "hardwall", 0.05, 8, 300, 182),
]


def python_in_subprocess(args: list[str], limits: dict | None = None, cwd: Path | None = None):
    """Run ``python args`` under resource ``limits`` (bytes), for at most 60 s."""

    def set_limits():
        for which, value in (limits or {}).items():
            _, hard = resource.getrlimit(which)
            resource.setrlimit(which, (value, hard))

    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=set_limits,
        cwd=cwd,
    )


def cli_in_subprocess(*argv: str, limits: dict | None = None, cwd: Path | None = None):
    """``betascale argv`` in a subprocess (see :func:`python_in_subprocess`)."""
    return python_in_subprocess(["-m", "betascale", *argv], limits, cwd)


def assert_one_line_refusal(proc, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("betascale"), proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# ------------------------------------------------------------ the hang of issue 16
def test_a_run_under_an_address_space_limit_is_refused_in_one_line(tmp_path):
    (tmp_path / "big320.toml").write_text(BIG320)
    proc = cli_in_subprocess(
        "run", "big320.toml", "--out", "x.sqlite",
        limits={resource.RLIMIT_AS: 700_000 * 1024}, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_refusal(proc, "320 x 320", "address space", "ulimit -v")


def test_conductance_under_a_tight_address_space_limit_says_what_it_needs():
    proc = cli_in_subprocess(
        "conductance", "--hamiltonian", "su2", "--bc", "periodic", "--W", "2", "--L", "40",
        limits={resource.RLIMIT_AS: 400_000 * 1024},
    )  # fmt: skip
    assert_one_line_refusal(proc, "40 x 40", "ulimit -v", "raise it to at least")


def test_the_limit_a_refusal_asks_for_is_enough():
    argv = ("conductance", "--hamiltonian", "su2", "--bc", "periodic", "--W", "2", "--L", "40")
    refused = cli_in_subprocess(*argv, limits={resource.RLIMIT_AS: 400_000 * 1024})
    kb = int(re.search(r"raise it to at least (\d+) kB", refused.stderr).group(1))
    proc = cli_in_subprocess(*argv, limits={resource.RLIMIT_AS: kb * 1024})
    assert proc.returncode == 0, proc.stderr
    assert "sample" in proc.stdout


def test_conductance_under_a_data_limit_is_refused_in_one_line():
    proc = cli_in_subprocess(
        "conductance", "--hamiltonian", "su2", "--bc", "periodic", "--W", "2", "--L", "320",
        limits={resource.RLIMIT_DATA: 400_000 * 1024},
    )  # fmt: skip
    assert_one_line_refusal(proc, "ulimit -d")


def test_a_limit_too_small_for_the_libraries_is_refused_before_they_load():
    code = "from betascale.resources import check_startup_memory; check_startup_memory()"
    proc = python_in_subprocess(["-c", code], limits={resource.RLIMIT_AS: 150_000 * 1024})
    assert proc.returncode == 1 and "InputError" in proc.stderr
    assert "ulimit -v" in proc.stderr and "too small to load NumPy" in proc.stderr


def test_startup_check_passes_without_limits(monkeypatch):
    fake_rlimits(monkeypatch, RLIMIT_AS=resource.RLIM_INFINITY, RLIMIT_DATA=resource.RLIM_INFINITY)
    resources.check_startup_memory()
    fake_rlimits(monkeypatch, RLIMIT_AS=200 * 10**6)
    with pytest.raises(InputError, match=r"ulimit -v\) of 0.2 GB is too small"):
        resources.check_startup_memory()


# ------------------------------------------------------------------- wide samples
@pytest.mark.parametrize("M", ["50000", "1000000"])
def test_wide_samples_are_refused_by_conductance(M):
    # Under a 4 GB address-space limit, so that a regression fails instead of taking
    # the machine's memory (the check used to let 9 GiB through for M = 50000).
    proc = cli_in_subprocess(
        "conductance", "--L", "2", "--M", M, "--W", "2", "--bc", "periodic",
        limits={resource.RLIMIT_AS: 4 * 2**30},
    )  # fmt: skip
    assert_one_line_refusal(proc, f"2 x {M}", "of memory, more than this machine's")


def test_the_dense_interface_work_grows_as_the_width_squared():
    narrow = resources.estimated_geometry_bytes(8, 1000) - resources.BASE_BYTES
    wide = resources.estimated_geometry_bytes(8, 2000) - resources.BASE_BYTES
    assert wide > 3.8 * narrow
    assert resources.estimated_geometry_bytes(2, 50000) > 500 * GB  # measured: 9 GiB at M = 2000


@pytest.mark.parametrize(("model", "bc", "flux", "L", "M", "peak_mb"), MEASURED)
def test_the_estimate_lies_between_the_measured_peak_and_twice_it(model, bc, flux, L, M, peak_mb):
    estimate = resources.geometry_bytes(ModelSpec(model, 1.0, bc, flux), L, M) / 1e6
    assert peak_mb <= estimate <= 2 * peak_mb


def test_leads_without_closed_form_count_kwants_dense_solve():
    assert resources.kwant_lead_orbitals(ANDERSON, 1000) == 0
    assert resources.kwant_lead_orbitals(ANDERSON, 100) == 100
    assert resources.kwant_lead_orbitals(ANDERSON.with_flux(0.01), 1000) == 1000
    assert resources.kwant_lead_orbitals(SU2.with_flux(0.01), 1000) == 1000  # solved spinless
    assert resources.kwant_lead_orbitals(SU2, 1000) == 0


def test_the_estimate_stays_above_a_peak_measured_now():
    # VmHWM, not ru_maxrss: Linux carries a forking parent's maximum RSS (pytest's)
    # into the child's ru_maxrss across exec, VmHWM belongs to the new process only.
    code = (
        "from betascale import conductance, ModelSpec; "
        "conductance(ModelSpec('anderson', 1.0, 'periodic'), 3, 2.0, M=500, samples=1); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]; "
        "print(int(hwm.split()[1]) * 1024)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    peak = int(proc.stdout.split()[-1])
    estimate = resources.geometry_bytes(ANDERSON, 3, 500)
    assert peak <= estimate <= 2 * peak


# ------------------------------------------------------------ the limit readers
def fake_rlimits(monkeypatch, **soft):
    real = resource.getrlimit

    def getrlimit(which):
        for name, value in soft.items():
            if which == getattr(resource, name):
                return (value, resource.RLIM_INFINITY)
        return real(which)

    monkeypatch.setattr(resource, "getrlimit", getrlimit)


def test_process_limits_reads_rlimit_as_and_data_with_their_usage(monkeypatch):
    fake_rlimits(monkeypatch, RLIMIT_AS=2 * 10**9, RLIMIT_DATA=resource.RLIM_INFINITY)
    (limit,) = resources.process_limits()
    assert (limit.name, limit.limit) == ("ulimit -v", 2 * 10**9)
    assert limit.used == resources.process_status_bytes("VmSize") or limit.used > 0
    fake_rlimits(monkeypatch, RLIMIT_AS=resource.RLIM_INFINITY, RLIMIT_DATA=10**9)
    assert [lim.name for lim in resources.process_limits()] == ["ulimit -d"]


def test_no_process_limit_means_no_address_space_check(monkeypatch):
    fake_rlimits(monkeypatch, RLIMIT_AS=resource.RLIM_INFINITY, RLIMIT_DATA=resource.RLIM_INFINITY)
    monkeypatch.setattr(resources, "probe_address_space", lambda n: pytest.fail("probed"))
    assert resources.process_limits() == []
    resources.check_geometry_memory(SU2, 40, 40)


def test_an_address_space_limit_refuses_what_does_not_fit(monkeypatch):
    used = resources.process_status_bytes("VmSize")
    need = resources.address_space_bytes(resources.geometry_bytes(SU2, 320, 320))
    fake_rlimits(monkeypatch, RLIMIT_AS=int(used + need / 2))
    with pytest.raises(
        InputError, match=r"320 x 320 .* address space; the process limit \(ulimit -v\)"
    ):
        resources.check_geometry_memory(SU2, 320, 320)
    fake_rlimits(monkeypatch, RLIMIT_AS=int(used + 2 * need))
    resources.check_geometry_memory(SU2, 320, 320)


def test_a_failed_probe_refuses_when_the_usage_is_unknown(monkeypatch):
    fake_rlimits(monkeypatch, RLIMIT_AS=4 * 10**9)
    monkeypatch.setattr(resources, "process_status_bytes", lambda key: None)
    monkeypatch.setattr(resources, "probe_address_space", lambda n: False)
    with pytest.raises(InputError, match=r"ulimit -v"):
        resources.check_geometry_memory(SU2, 40, 40)


def test_the_probe_maps_what_fits_and_not_what_does_not():
    assert resources.probe_address_space(1e6)
    assert not resources.probe_address_space(2.0**62)


def write_cgroup(tmp_path, monkeypatch, version: int, levels: dict[str, dict[str, str]]):
    """A fake cgroup mount at ``tmp_path/cg`` with this process in its deepest level."""
    top = tmp_path / "cg"
    for relative, files in levels.items():
        directory = top / relative
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (directory / name).write_text(text)
    leaf = "/" + max(levels, key=len)
    fstype, membership = ("cgroup2", f"0::{leaf}") if version == 2 else (
        "cgroup", f"4:memory:{leaf}")  # fmt: skip
    options = "rw" if version == 2 else "rw,memory"
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"35 31 0:32 / {top} rw,relatime - {fstype} cgroup {options}\n")
    cgroup = tmp_path / "cgroup"
    cgroup.write_text(f"9:pids:/\n{membership}\n")
    monkeypatch.setattr(resources, "_MOUNTINFO", mountinfo)
    monkeypatch.setattr(resources, "_PROC_CGROUP", cgroup)


def test_cgroup_v2_limit_of_the_job_level_and_what_is_left(tmp_path, monkeypatch):
    write_cgroup(tmp_path, monkeypatch, 2, {
        "job": {"memory.max": "2000000000\n", "memory.current": "500000000\n",
                "memory.stat": "anon 1\ninactive_file 100000000\n"},
        "job/step": {"memory.max": "max\n", "memory.current": "400000000\n"},
    })  # fmt: skip
    found = resources.cgroup_memory()
    assert found.limit == 2_000_000_000
    assert found.available == 2_000_000_000 - 400_000_000
    assert found.path.endswith("job")
    assert resources.machine_memory_bytes() == 2_000_000_000
    assert resources.available_memory_bytes() <= 1_600_000_000


def test_cgroup_v1_limit_and_usage(tmp_path, monkeypatch):
    write_cgroup(tmp_path, monkeypatch, 1, {
        "slurm/uid/job": {"memory.limit_in_bytes": "1000000000\n",
                          "memory.usage_in_bytes": "300000000\n"},
        "slurm/uid/job/step": {"memory.limit_in_bytes": "9223372036854771712\n",
                               "memory.usage_in_bytes": "300000000\n"},
    })  # fmt: skip
    found = resources.cgroup_memory()
    assert (found.limit, found.available) == (1_000_000_000, 700_000_000)


def test_an_unlimited_cgroup_is_no_limit(tmp_path, monkeypatch):
    write_cgroup(tmp_path, monkeypatch, 2, {"a": {"memory.max": "max\n"}})
    assert resources.cgroup_memory() is None


def test_a_cgroup_limit_refuses_a_geometry_larger_than_it(tmp_path, monkeypatch):
    write_cgroup(tmp_path, monkeypatch, 2, {
        "job": {"memory.max": "300000000\n", "memory.current": "100000000\n"},
    })  # fmt: skip
    with pytest.raises(InputError, match=r"320 x 320 .* memory limit of this process's cgroup"):
        resources.check_geometry_memory(SU2, 320, 320)
    resources.check_geometry_memory(SU2, 10, 10)

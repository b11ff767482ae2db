"""Studies: a disorder ensemble described in Python or TOML, validated when it is made.

A study is a flat TOML file (or the same keys as Python arguments)::

    name = "su2-transition"       # optional; default: the file's stem
    hamiltonian = "su2"           # anderson | su2 | ando | honeycomb
    E = 1.0
    bc = "periodic"               # hardwall | periodic (default hardwall)
    flux = [0.0, 0.002, 0.005]    # flux quanta per plaquette, each in (-1/2, 1/2): one value
                                  # or a list (default 0)
    S = 0.5                       # Ando model only
    field_in_leads = false        # flux only in the sample, field-free leads (default true)
    W = [5.8, 6.0]                # disorder strengths, >= 0
    L = [16, 32, 64]              # sample lengths, >= 2
    aspect = 1.0                  # M = max(1, round(aspect * L)); default 1
    samples = 100                 # disorder samples per (W, flux, L)
    seed = 7                      # study seed, >= 0
    solver = "fast"               # fast | kwant (default fast)

``hamiltonian`` may also name a family object by its import path,
``hamiltonian = "package.module:object"`` (e.g. a
:class:`~betascale.models.kwant_family.KwantFamily` of the user's Kwant builder).
**This imports the module, that is, runs its code**, in every process of the run (each
MPI rank imports it): use it only with code you trust. The store records the path and
the family's physics (for a Kwant family its disorder and the fingerprint of its
system), so a changed system is refused on resume, naming the difference.

``E``, ``W``, ``L``, ``samples``, ``seed`` and the Hamiltonian are required. The older
naming by symmetry class, ``model = "orthogonal" | "unitary" | "symplectic"`` with
``soc = "su2" | "ando"`` for the symplectic class, is still read (existing study files
and stores keep working); the class of each flux value is derived
(:attr:`betascale.models.ModelSpec.symmetry_class`).

A :class:`Study` is checked completely when it is made, from Python as from TOML,
through the one input policy of :mod:`betascale.validation` (a string or a bool is not
a number, a mapping is not a list): types, ranges, and for every
width and flux the lead (no subband threshold at E, at least one open channel, a
flux that periodic boundaries can carry). Every check raises
:class:`~betascale.errors.InputError` with a one-line message that names the key.
Whether a geometry fits in the machine's memory is checked when the study is run.
The study a store holds was checked when the store was made, so reading a store
does not check its leads again (``study_from_dict(..., check_leads=False)``).

A sample is a pure function of (seed, W, L, M, index) and of the model physics; the
flux acts on the same disorder. Two studies can share a results store if and only
if :meth:`Study.physics` agrees (see :func:`compare_physics`); the grid (``W``,
``flux``, ``L``, ``samples``) may grow.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.resources
import json
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from betascale import validation
from betascale.errors import InputError
from betascale.files import SQLITE_HEADER
from betascale.models import ModelSpec
from betascale.models.spec import DEFAULT_S
from betascale.solvers import SOLVERS
from betascale.text import summarize
from betascale.validation import MAX_SAMPLES, MAX_SIZE, is_integer, is_number

__all__ = ["MAX_SAMPLES", "MAX_SIZE", "Study", "load_study", "study_from_dict"]
#: Longest study name (the default store file is named after it).
MAX_NAME = 100
#: Whether a Study being made checks its leads (False only inside
#: ``study_from_dict(..., check_leads=False)``, for studies checked when first made).
_CHECK_LEADS: ContextVar[bool] = ContextVar("betascale_check_leads", default=True)


# ----------------------------------------------------------------- the study
@dataclass(frozen=True)
class Study:
    """A validated disorder-ensemble study.

    Parameters
    ----------
    name
        A label (printable, at most :data:`MAX_NAME` characters); the default
        results store is named after it.
    model
        The Hamiltonian: family, energy, boundary condition, Ando strength, and whether
        the leads carry the field (``field_in_leads``; see
        :class:`~betascale.models.ModelSpec`). Its flux is ignored in favour of ``flux``
        (a model given with a flux and the default ``flux`` scans that one value).
    W
        Disorder strengths (stored sorted, unique, each >= 0).
    L
        Sample lengths (stored sorted, unique, each >= 2).
    samples
        Disorder samples per (W, flux, L): one number, or one per size (a sequence
        parallel to ``L`` as given), since the cost of a sample grows as L³.
    seed
        Study seed; sample ``i`` at (W, L) is drawn from (seed, W, L, M, i) at every flux.
    aspect
        Aspect ratio M/L; the width is ``M = max(1, round(aspect * L))``.
    solver
        ``"fast"`` or ``"kwant"``.
    flux
        Flux quanta per plaquette (stored sorted, unique).

    Examples
    --------
    >>> s = Study("wl", ModelSpec("anderson", E=1.0, bc="periodic"), W=[2.0],
    ...           L=[16, 32], samples=10, seed=1, flux=[0.0, 0.01])
    >>> s.symmetry_classes()
    {0.0: 'orthogonal', 0.01: 'unitary'}
    """

    name: str
    model: ModelSpec
    W: tuple[float, ...]
    L: tuple[int, ...]
    samples: int | tuple[int, ...]
    seed: int
    aspect: float = 1.0
    solver: str = "fast"
    flux: tuple[float, ...] = (0.0,)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _validate_name(self.name))
        if not isinstance(self.model, ModelSpec):
            raise validation.wrong_type("model", "a ModelSpec", self.model)
        flux = _validate_flux(self.flux)
        if self.model.flux != 0:
            if flux not in ((0.0,), (self.model.flux,)):
                raise InputError(
                    f"the model has flux {self.model.flux} but flux = {list(flux)}; give one"
                )
            flux = (self.model.flux,)
        object.__setattr__(self, "flux", flux)
        object.__setattr__(self, "model", self.model.with_flux(0.0))
        object.__setattr__(self, "W", _validate_W(self.W))
        sizes, samples = _validate_sizes(self.L, self.samples)
        object.__setattr__(self, "L", sizes)
        object.__setattr__(self, "samples", samples)
        object.__setattr__(self, "seed", validation.seed("seed", self.seed))
        aspect = validation.number("aspect", self.aspect, low=0.0, open_low=True)
        object.__setattr__(self, "aspect", aspect)
        validation.choice("solver", self.solver, SOLVERS)
        self._check_geometries()

    # ------------------------------------------------------------ geometry
    def width(self, L: int) -> int:
        """The sample width ``M = max(1, round(aspect * L))`` for length ``L``."""
        return max(1, round(self.aspect * L))

    def spec(self, flux: float = 0.0) -> ModelSpec:
        """The model at one flux of the study."""
        return self.model.with_flux(flux)

    def symmetry_classes(self) -> dict[float, str]:
        """The symmetry class at each flux of the study."""
        return {f: self.spec(f).symmetry_class for f in self.flux}

    def _check_geometries(self) -> None:
        """Leads and fluxes of every width (see the module docstring); not memory."""
        from betascale.thresholds import check_lead

        widths = sorted({self.width(n) for n in self.L})
        if widths[-1] > MAX_SIZE:
            raise InputError(f"the sample width M must be at most {MAX_SIZE}, got {widths[-1]}")
        if not _CHECK_LEADS.get():
            return
        for flux in self.flux:
            for M in widths:
                check_lead(self.spec(flux), M)

    # ---------------------------------------------------------------- keys
    def cells(self) -> Iterator[tuple[float, float, int]]:
        """The grid cells ``(W, flux, L)`` in key order."""
        for w in self.W:
            for f in self.flux:
                for n in self.L:
                    yield (w, f, n)

    def samples_at(self, L: int) -> int:
        """Samples per (W, flux) at size ``L``."""
        if isinstance(self.samples, int):
            return self.samples
        return self.samples[self.L.index(L)]

    def num_samples(self) -> int:
        """Samples of the whole grid."""
        return len(self.W) * len(self.flux) * sum(self.samples_at(n) for n in self.L)

    def keys(self) -> Iterator[tuple[float, float, int, int]]:
        """Every sample key ``(W, flux, L, sample)`` of the study, in order (a generator)."""
        for w, f, n in self.cells():
            for i in range(self.samples_at(n)):
                yield (w, f, n, i)

    # ------------------------------------------------------------ identity
    def to_dict(self) -> dict[str, Any]:
        """The study as a flat dict of TOML/JSON values; :func:`study_from_dict` inverts it.

        Model parameters that the model does not use are left out; ``flux`` is a
        number for a single value and a list for a scan.
        """
        out: dict[str, Any] = {
            "name": self.name,
            "hamiltonian": self.model.hamiltonian,
            "E": self.model.E,
            "bc": self.model.bc,
            "flux": self.flux[0] if len(self.flux) == 1 else list(self.flux),
        }
        out.update({key: getattr(self.model, key) for key in self.model.family.parameters})
        if not self.model.field_in_leads:  # only where not the default, as in physics()
            out["field_in_leads"] = False
        samples = self.samples if isinstance(self.samples, int) else list(self.samples)
        out.update(W=list(self.W), L=list(self.L), aspect=self.aspect, samples=samples)
        out.update(seed=self.seed, solver=self.solver)
        return out

    def to_toml(self) -> str:
        """The study as the text of a study file (parses back to an equal study)."""
        return "".join(f"{key} = {_toml_value(value)}\n" for key, value in self.to_dict().items())

    def physics(self) -> dict[str, Any]:
        """Everything that changes the physics of one sample, except the grid.

        The Hamiltonian, energy, boundary condition (and Ando strength), the aspect
        ratio, the solver and the seed: a sample is a function of (seed, W, L,
        index), so samples of different seeds must not mix. The flux is a grid axis,
        like W and L.
        """
        out = dict(self.model.physics())
        out.pop("flux")
        out.update(aspect=self.aspect, seed=self.seed, solver=self.solver)
        return out

    def physics_hash(self) -> str:
        """The first 16 hex digits of the SHA-256 of the canonical JSON of :meth:`physics`."""
        text = json.dumps(self.physics(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def default_store_path(self, root: str | Path = "data/runs") -> Path:
        """The default results store, ``<root>/<name>.sqlite`` (name made filename-safe)."""
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", self.name).strip("._") or "study"
        return Path(root) / f"{stem}.sqlite"

    def describe(self) -> str:
        """A one-line summary of the study."""
        ws = summarize([f"{w:g}" for w in self.W])
        ls = summarize([str(n) for n in self.L])
        if len(self.flux) == 1:
            model = self.spec(self.flux[0]).describe()
        else:
            classes = "/".join(dict.fromkeys(self.symmetry_classes().values()))
            fluxes = summarize([f"{f:g}" for f in self.flux])
            model = self.model.describe().replace(
                f" ({self.model.symmetry_class})", f", flux = [{fluxes}] ({classes})"
            )
        shape = "" if self.aspect == 1 else f", M/L={self.aspect:g}"
        return (
            f"{self.name}: {model}; W = [{ws}]; L = [{ls}]{shape}; "
            f"{self._samples_text()} samples; seed {self.seed}; solver {self.solver}"
        )

    def _samples_text(self) -> str:
        if isinstance(self.samples, int):
            return str(self.samples)
        return "/".join(map(str, self.samples))

    def extended(self, other: Study) -> Study:
        """This study with the grid of ``other`` merged in (W, flux, L union; per size the
        larger number of samples).

        Only meaningful for studies with the same physics (see :func:`compare_physics`).
        """
        sizes = tuple(sorted(set(self.L) | set(other.L)))
        counts = {n: 0 for n in sizes}
        for study in (self, other):
            for n in study.L:
                counts[n] = max(counts[n], study.samples_at(n))
        return replace(
            self,
            W=tuple(sorted(set(self.W) | set(other.W))),
            L=sizes,
            flux=tuple(sorted(set(self.flux) | set(other.flux))),
            samples=tuple(counts[n] for n in sizes),
        )

    def with_samples(self, samples: int | None) -> Study:
        """The study with ``samples`` per cell at every size (None keeps it)."""
        return self if samples is None else replace(self, samples=samples)


def compare_physics(old: Study, new: Study) -> list[str]:
    """Human-readable differences between the physics of two studies.

    Parameters
    ----------
    old
        The study of an existing store.
    new
        The study that is to be run against it.

    Returns
    -------
    list of str
        One entry per differing parameter, e.g. ``"E: 1.0 (store) != 1.5 (study)"``;
        empty if samples of the two studies may share a store. ``W``, ``flux``, ``L``
        and ``samples`` never count: they extend the ensemble.
    """
    a, b = old.physics(), new.physics()
    keys = list(a) + [key for key in b if key not in a]
    return [
        f"{key}: {_show(a.get(key))} (store) != {_show(b.get(key))} (study)"
        for key in keys
        if a.get(key) != b.get(key)
    ]


def _show(value: Any) -> str:
    return "(unset)" if value is None else str(value)


# ---------------------------------------------------------------- validation
def _validate_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"name must be a non-empty string, got {_show_value(name)}")
    if len(name) > MAX_NAME:
        raise InputError(f"name must be at most {MAX_NAME} characters, got {len(name)}")
    bad = [ch for ch in name if unicodedata.category(ch).startswith("C")]
    if bad:
        raise InputError(
            f"name must be printable, but {name!r} holds the control character {bad[0]!r}"
        )
    return name


def _duplicates(values: tuple) -> list:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _validate_floats(name: str, values: Any, check=validation.finite) -> tuple[float, ...]:
    # "+ 0.0" turns -0.0 into 0.0: the two must name the same samples.
    values = tuple(check(name, v) + 0.0 for v in validation.sequence(name, values))
    dup = _duplicates(values)
    if dup:
        raise InputError(f"{name} lists {dup[0]:g} more than once")
    return tuple(sorted(values))


def _validate_W(values: Any) -> tuple[float, ...]:
    values = _validate_floats("W", values)
    negative = [w for w in values if w < 0]
    if negative:
        raise InputError(f"disorder strengths W must be >= 0, got {negative[0]}")
    return values


def _validate_flux(values: Any) -> tuple[float, ...]:
    if is_number(values):
        values = (values,)
    return _validate_floats("flux", values, lambda name, v: validation.flux(v, name))


def _validate_sizes(sizes: Any, samples: Any) -> tuple[tuple[int, ...], int | tuple[int, ...]]:
    """Sorted sizes and their samples (an int if the same for every size)."""
    raw = _validate_L(sizes)
    given = validation.sequence("L", sizes)
    if validation.is_sequence(samples):
        samples = validation.sequence("samples", samples)
        if len(samples) != len(given):
            raise InputError(
                f"samples lists {len(samples)} numbers for {len(given)} sizes L; give one per "
                "size (in the order of L) or a single number"
            )
        counts = [validation.integer("samples", n, low=1, high=MAX_SAMPLES) for n in samples]
    else:
        counts = [validation.integer("samples", samples, low=1, high=MAX_SAMPLES)] * len(given)
    by_size = dict(zip((int(n) for n in given), counts, strict=True))
    per_size = tuple(by_size[n] for n in raw)
    return raw, per_size[0] if len(set(per_size)) == 1 else per_size


def _validate_L(values: Any) -> tuple[int, ...]:
    out = [validation.integer("L", n, high=None) for n in validation.sequence("L", values)]
    small = [n for n in out if n < 2]
    if small:
        raise InputError(f"sample lengths L must be >= 2, got {small[0]}")
    large = [n for n in out if n > MAX_SIZE]
    if large:
        raise InputError(f"sample lengths L must be <= {MAX_SIZE}, got {large[0]}")
    dup = _duplicates(tuple(out))
    if dup:
        raise InputError(f"L lists {dup[0]} more than once")
    return tuple(sorted(out))


_type_name = validation.type_name
_show_value = validation.show
_wrong_type = validation.wrong_type


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


# ------------------------------------------------------------------- loading
#: Keys of a study file, in the order :meth:`Study.to_dict` writes them, then the
#: older ones (``model``, ``soc``) that are still read.
KNOWN_KEYS = (
    "name",
    "hamiltonian",
    "E",
    "bc",
    "flux",
    "S",
    "field_in_leads",
    "W",
    "L",
    "aspect",
    "samples",
    "seed",
    "solver",
    "model",
    "soc",
)
REQUIRED_KEYS = ("E", "W", "L", "samples", "seed")
#: Defaults of the model parameters that only some models use.
_MODEL_DEFAULTS = {"bc": "hardwall", "flux": 0.0, "S": DEFAULT_S}


def load_study(path: str | Path) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path
        The TOML file. Its stem is the default ``name``.

    Raises
    ------
    InputError
        If the file is missing, not a regular file or unreadable, is not valid TOML
        (the message gives the line) or does not describe a valid study.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"study file {path} not found")
    if not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file"
        raise InputError(f"study file {path} is {kind}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read study file {path}: {exc.strerror or exc}") from None
    if raw.startswith(SQLITE_HEADER):
        raise InputError(
            f"{path} is a results store, not a study file; to resume it: betascale status "
            f"{path} --print-study > study.toml, then betascale run study.toml --out {path}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read study file {path}: {exc}") from None
    return parse_study_text(text, source=str(path), name=path.stem)


def parse_study_text(text: str, source: str = "<study>", name: str = "study") -> Study:
    """Parse and validate the TOML text of a study.

    Parameters
    ----------
    text
        The TOML document.
    source
        Where the text came from, used as the prefix of error messages.
    name
        The study name if the text sets none.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise InputError(f"{source}: invalid TOML: values are nested too deeply") from None
    if "name" not in data:
        data["name"] = name
    return study_from_dict(data, source=source)


def study_from_dict(d: dict[str, Any], source: str = "<study>", check_leads: bool = True) -> Study:
    """Validate a flat dict of study settings (as read from TOML) into a :class:`Study`.

    Parameters
    ----------
    d
        The settings; see the module docstring for the keys.
    source
        Prefix of error messages (a file name, or ``"store X"``).
    check_leads
        Check the leads of every width and flux (the default). A store passes False
        for the study it holds, which was checked when it was made: with flux, the
        check solves the lead's modes twice per width and flux, seconds at M ~ 400.

    Raises
    ------
    InputError
        Naming the key: unknown (with a suggestion), missing, of the wrong type or
        out of range.
    """
    token = _CHECK_LEADS.set(bool(check_leads))
    try:
        return _study_from_dict(d)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    finally:
        _CHECK_LEADS.reset(token)


def _study_from_dict(d: dict[str, Any]) -> Study:
    if not isinstance(d, dict):
        raise InputError(f"a study must be a table of settings, got {_type_name(d)}")
    _check_keys(d)
    for key, value in d.items():
        validation.shallow(key, value)
    flux = d.get("flux", _MODEL_DEFAULTS["flux"])
    if isinstance(flux, list):
        fluxes = _get_list(d, "flux", is_number, "numbers")
        model_flux = 0.0
    else:
        fluxes = (0.0,)
        model_flux = _get_number(d, "flux", _MODEL_DEFAULTS["flux"])
    model = ModelSpec(
        _get_optional_str(d, "hamiltonian"),
        E=_get_number(d, "E"),
        bc=_get_str(d, "bc", _MODEL_DEFAULTS["bc"]),
        flux=model_flux,
        S=_get_number(d, "S", _MODEL_DEFAULTS["S"]),
        model=_get_optional_str(d, "model"),
        soc=_get_optional_str(d, "soc"),
        field_in_leads=validation.flag("field_in_leads", d.get("field_in_leads", True)),
    )
    return Study(
        name=_get_str(d, "name", "study"),
        model=model,
        W=_get_list(d, "W", is_number, "numbers"),
        L=_get_list(d, "L", is_integer, "integers"),
        samples=_get_samples(d),
        seed=_get_int(d, "seed"),
        aspect=_get_number(d, "aspect", 1.0),
        solver=_get_str(d, "solver", "fast"),
        flux=fluxes,
    )


def _check_keys(d: dict[str, Any]) -> None:
    unknown = [key for key in d if key not in KNOWN_KEYS]
    if unknown:
        lower = {key.lower(): key for key in KNOWN_KEYS}
        parts = []
        for key in unknown:
            match = difflib.get_close_matches(str(key).lower(), list(lower), n=1, cutoff=0.6)
            hint = f" (did you mean {lower[match[0]]!r}?)" if match else ""
            parts.append(f"{key!r}{hint}")
        plural = "s" if len(unknown) > 1 else ""
        raise InputError(
            f"unknown key{plural} {', '.join(parts)}; valid keys: {', '.join(KNOWN_KEYS)}"
        )
    missing = [key for key in REQUIRED_KEYS if key not in d]
    if "hamiltonian" not in d and "model" not in d:
        missing.insert(0, "hamiltonian")
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"missing required key{plural} {', '.join(map(repr, missing))}")


# ------------------------------------------------------------ typed getters
_MISSING = object()


def _get(d: dict[str, Any], key: str, default: Any) -> Any:
    value = d.get(key, default)
    if value is _MISSING:  # pragma: no cover - required keys are checked first
        raise InputError(f"missing required key {key!r}")
    return value


def _get_optional_str(d: dict[str, Any], key: str) -> str | None:
    return None if d.get(key) is None else _get_str(d, key)


def _get_str(d: dict[str, Any], key: str, default: Any = _MISSING) -> str:
    value = _get(d, key, default)
    if not isinstance(value, str):
        raise _wrong_type(key, "a string", value)
    return value


def _get_number(d: dict[str, Any], key: str, default: Any = _MISSING) -> float:
    value = _get(d, key, default)
    return validation.finite(key, value)


def _get_int(d: dict[str, Any], key: str, default: Any = _MISSING) -> int:
    value = _get(d, key, default)
    if not is_integer(value):
        raise _wrong_type(key, "an integer", value)
    return value


def _get_samples(d: dict[str, Any]) -> int | tuple[int, ...]:
    if isinstance(d.get("samples"), list):
        return _get_list(d, "samples", is_integer, "integers")
    return _get_int(d, "samples")


def _get_list(d: dict[str, Any], key: str, check, what: str) -> tuple:
    value = _get(d, key, _MISSING)
    if not isinstance(value, list):
        hint = f" (write {key} = [{_show_value(value)}])" if check(value) else ""
        raise InputError(
            f"{key} must be a list of {what}, got {_type_name(value)} {_show_value(value)}{hint}"
        )
    for item in value:
        if not check(item):
            raise InputError(
                f"{key} must be a list of {what}, but it holds {_type_name(item)} "
                f"{_show_value(item)}"
            )
    return tuple(value)


# ------------------------------------------------------------ built-in studies
def _builtin_dir() -> Path:
    return Path(str(importlib.resources.files("betascale").joinpath("studies")))


def builtin_studies() -> list[str]:
    """Names of the study files shipped with betascale."""
    root = _builtin_dir()
    return sorted(p.stem for p in root.glob("*.toml")) if root.is_dir() else []


def builtin_study_path(name: str) -> Path:
    """The path of a study shipped with betascale, e.g. ``"tiny"`` (``.toml`` optional).

    Raises
    ------
    InputError
        If there is no such study; the message lists the ones that exist.
    """
    stem = name[:-5] if name.endswith(".toml") else name
    path = _builtin_dir() / f"{stem}.toml"
    if "/" in stem or "\\" in stem or not path.is_file():
        available = ", ".join(builtin_studies()) or "none"
        raise InputError(f"no built-in study {name!r}; available: {available}")
    return path


def resolve_study_path(spec: str | Path) -> Path:
    """A study file given as a path, or else as the name of a built-in study.

    Raises
    ------
    InputError
        If ``spec`` is neither an existing file nor a built-in study, or names
        something that is not a regular file (a directory, a FIFO).
    """
    path = Path(spec)
    if path.is_file():
        return path
    if path.exists():
        kind = "a directory" if path.is_dir() else "not a regular file"
        raise InputError(f"study file {path} is {kind}")
    if path.suffix == ".toml" and len(path.parts) > 1:
        raise InputError(f"study file {path} not found")
    try:
        return builtin_study_path(str(spec))
    except InputError as exc:
        raise InputError(f"study file {path} not found, and {exc}") from None

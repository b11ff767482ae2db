"""Study files: a disorder ensemble described in TOML and validated into a :class:`Study`.

A study is a flat TOML file::

    name = "orthogonal-demo"      # optional; default: the file's stem
    model = "orthogonal"          # orthogonal | unitary | symplectic
    E = 1.0
    bc = "hardwall"               # hardwall | periodic (default hardwall)
    flux = 0.0                    # unitary only
    soc = "su2"                   # symplectic only: su2 | ando
    S = 0.5                       # Ando model only
    W = [1.0, 2.0]                # disorder strengths, >= 0
    L = [16, 32, 64]              # sample lengths, >= 2
    aspect = 1.0                  # M = max(1, round(aspect * L)); default 1
    samples = 100                 # disorder samples per (W, L)
    seed = 7                      # study seed, >= 0
    solver = "fast"               # fast | kwant (default fast)

``model``, ``E``, ``W``, ``L``, ``samples`` and ``seed`` are required. Every check
raises :class:`~betascale.errors.InputError` with a one-line message that names the
file and the key: an unknown key (with a suggestion), a value of the wrong type
(a boolean is not an integer), an empty or duplicated list, a value out of range.
A model parameter that the chosen model does not use must keep its default value
(``flux = 0``, ``soc = "su2"``, ``S = 0.5``), so a template may list them all but a
setting that would be silently ignored is refused.

A sample is a pure function of (seed, W, L, M, index) and of the model physics, so
two studies can share a results store if and only if :meth:`Study.physics` agrees
(see :func:`compare_physics`); the grid (``W``, ``L``, ``samples``) may grow.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.resources
import json
import operator
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from betascale.errors import InputError, require_finite
from betascale.models import ModelSpec

#: The solvers a study may name.
SOLVERS = ("fast", "kwant")

#: Keys of a study file, in the order :meth:`Study.to_dict` writes them.
KNOWN_KEYS = (
    "name",
    "model",
    "E",
    "bc",
    "flux",
    "soc",
    "S",
    "W",
    "L",
    "aspect",
    "samples",
    "seed",
    "solver",
)
REQUIRED_KEYS = ("model", "E", "W", "L", "samples", "seed")

#: Defaults of the model parameters that only some models use.
_MODEL_DEFAULTS = {"bc": "hardwall", "flux": 0.0, "soc": "su2", "S": 0.5}

_TOML_TYPE_NAMES = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "array",
    dict: "table",
}


# ----------------------------------------------------------------- the study
@dataclass(frozen=True)
class Study:
    """A validated disorder-ensemble study.

    Parameters
    ----------
    name
        A label; the default results store is named after it.
    model
        The model physics (class, energy, boundary condition, flux, spin–orbit).
    W
        Disorder strengths (stored sorted, unique, each >= 0).
    L
        Sample lengths (stored sorted, unique, each >= 2).
    samples
        Disorder samples per (W, L).
    seed
        Study seed; sample ``i`` at (W, L) is drawn from (seed, W, L, M, i).
    aspect
        Aspect ratio M/L; the width is ``M = max(1, round(aspect * L))``.
    solver
        ``"fast"`` or ``"kwant"``.
    """

    name: str
    model: ModelSpec
    W: tuple[float, ...]
    L: tuple[int, ...]
    samples: int
    seed: int
    aspect: float = 1.0
    solver: str = "fast"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.model, ModelSpec):
            raise InputError(f"model must be a ModelSpec, got {type(self.model).__name__}")
        object.__setattr__(self, "W", _validate_W(self.W))
        object.__setattr__(self, "L", _validate_L(self.L))
        object.__setattr__(self, "samples", _validate_int("samples", self.samples, minimum=1))
        object.__setattr__(self, "seed", _validate_int("seed", self.seed, minimum=0))
        aspect = require_finite("aspect", _reject_bool("aspect", self.aspect))
        if aspect <= 0:
            raise InputError(f"aspect must be > 0, got {aspect}")
        object.__setattr__(self, "aspect", aspect)
        if self.solver not in SOLVERS:
            raise InputError(f"solver must be one of {', '.join(SOLVERS)}, got {self.solver!r}")

    def width(self, L: int) -> int:
        """The sample width ``M = max(1, round(aspect * L))`` for length ``L``."""
        return max(1, round(self.aspect * L))

    def keys(self) -> list[tuple[float, int, int]]:
        """All sample keys ``(W, L, sample)`` of the study, sorted."""
        return [(w, n, i) for w in self.W for n in self.L for i in range(self.samples)]

    def to_dict(self) -> dict[str, Any]:
        """The study as a flat dict of TOML/JSON values; :func:`study_from_dict` inverts it.

        Model parameters that the model does not use are left out.
        """
        out: dict[str, Any] = {"name": self.name}
        out.update(self.model.physics())
        out["bc"] = self.model.bc
        out["W"] = list(self.W)
        out["L"] = list(self.L)
        out["aspect"] = self.aspect
        out["samples"] = self.samples
        out["seed"] = self.seed
        out["solver"] = self.solver
        return {key: out[key] for key in KNOWN_KEYS if key in out}

    def to_toml(self) -> str:
        """The study as the text of a study file (parses back to an equal study)."""
        return "".join(f"{key} = {_toml_value(value)}\n" for key, value in self.to_dict().items())

    def physics(self) -> dict[str, Any]:
        """Everything that changes the physics of one sample.

        The model physics, the aspect ratio, the solver and the seed: a sample is a
        function of (seed, W, L, index), so samples of different seeds must not mix.
        """
        out = dict(self.model.physics())
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
        ws = ", ".join(f"{w:g}" for w in self.W)
        ls = ", ".join(str(n) for n in self.L)
        shape = "" if self.aspect == 1 else f", M/L={self.aspect:g}"
        return (
            f"{self.name}: {self.model.describe()}; W = [{ws}]; L = [{ls}]{shape}; "
            f"{self.samples} samples; seed {self.seed}; solver {self.solver}"
        )

    def extended(self, other: Study) -> Study:
        """This study with the grid of ``other`` merged in (W and L union, max samples).

        Only meaningful for studies with the same physics (see :func:`compare_physics`).
        """
        return replace(
            self,
            W=tuple(sorted(set(self.W) | set(other.W))),
            L=tuple(sorted(set(self.L) | set(other.L))),
            samples=max(self.samples, other.samples),
        )


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
        empty if samples of the two studies may share a store. ``W``, ``L`` and
        ``samples`` never count: they extend the ensemble.
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


# ------------------------------------------------------------------- loading
def load_study(path: str | Path) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path
        The TOML file. Its stem is the default ``name``.

    Raises
    ------
    InputError
        If the file is missing or unreadable, is not valid TOML (the message gives
        the line) or does not describe a valid study.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"study file {path} not found")
    if not path.is_file():
        raise InputError(f"study file {path} is not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
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
    if "name" not in data:
        data["name"] = name
    return study_from_dict(data, source=source)


def study_from_dict(d: dict[str, Any], source: str = "<study>") -> Study:
    """Validate a flat dict of study settings (as read from TOML) into a :class:`Study`.

    Parameters
    ----------
    d
        The settings; see the module docstring for the keys.
    source
        Prefix of error messages (a file name, or ``"store X"``).

    Raises
    ------
    InputError
        Naming the key: unknown (with a suggestion), missing, of the wrong type or
        out of range.
    """
    try:
        return _study_from_dict(d)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None


def _study_from_dict(d: dict[str, Any]) -> Study:
    if not isinstance(d, dict):
        raise InputError(f"a study must be a table of settings, got {_type_name(d)}")
    _check_keys(d)
    model_kwargs = {
        "model": _get_str(d, "model"),
        "E": _get_number(d, "E"),
        "bc": _get_str(d, "bc", _MODEL_DEFAULTS["bc"]),
        "flux": _get_number(d, "flux", _MODEL_DEFAULTS["flux"]),
        "soc": _get_str(d, "soc", _MODEL_DEFAULTS["soc"]),
        "S": _get_number(d, "S", _MODEL_DEFAULTS["S"]),
    }
    model = ModelSpec(**model_kwargs)
    _check_unused_model_parameters(model)
    return Study(
        name=_get_str(d, "name", "study"),
        model=model,
        W=_get_list(d, "W", _is_number, "numbers"),
        L=_get_list(d, "L", _is_int, "integers"),
        samples=_get_int(d, "samples"),
        seed=_get_int(d, "seed"),
        aspect=_get_number(d, "aspect", 1.0),
        solver=_get_str(d, "solver", "fast"),
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
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"missing required key{plural} {', '.join(map(repr, missing))}")


def _check_unused_model_parameters(model: ModelSpec) -> None:
    """Refuse a non-default setting of a parameter the model ignores."""
    if model.model != "symplectic" and model.soc != _MODEL_DEFAULTS["soc"]:
        raise InputError(
            f"soc = {model.soc!r} is only used by the symplectic model "
            f"(model = {model.model!r}); remove it or set model = 'symplectic'"
        )
    ando = model.model == "symplectic" and model.soc == "ando"
    if not ando and model.S != _MODEL_DEFAULTS["S"]:
        raise InputError(
            f"S = {model.S} is only used by the Ando spin-orbit model "
            "(model = 'symplectic', soc = 'ando'); remove it"
        )


# ------------------------------------------------------------ typed getters
_MISSING = object()


def _type_name(value: Any) -> str:
    for kind, name in _TOML_TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _wrong_type(key: str, expected: str, value: Any) -> InputError:
    return InputError(f"{key} must be {expected}, got {_type_name(value)} {_show_value(value)}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(d: dict[str, Any], key: str, default: Any) -> Any:
    value = d.get(key, default)
    if value is _MISSING:  # pragma: no cover - required keys are checked first
        raise InputError(f"missing required key {key!r}")
    return value


def _get_str(d: dict[str, Any], key: str, default: Any = _MISSING) -> str:
    value = _get(d, key, default)
    if not isinstance(value, str):
        raise _wrong_type(key, "a string", value)
    return value


def _get_number(d: dict[str, Any], key: str, default: Any = _MISSING) -> float:
    value = _get(d, key, default)
    if not _is_number(value):
        raise _wrong_type(key, "a number", value)
    return require_finite(key, value)


def _get_int(d: dict[str, Any], key: str, default: Any = _MISSING) -> int:
    value = _get(d, key, default)
    if not _is_int(value):
        raise _wrong_type(key, "an integer", value)
    return value


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


# ---------------------------------------------------------------- validation
def _reject_bool(name: str, value: Any) -> Any:
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number, got boolean {_show_value(value)}")
    return value


def _as_int(name: str, value: Any) -> int:
    """``value`` as an int; Python and NumPy integers pass, booleans and floats do not."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise _wrong_type(name, "an integer", value)
    return operator.index(value)


def _validate_int(name: str, value: Any, minimum: int) -> int:
    value = _as_int(name, value)
    if value < minimum:
        raise InputError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_list(name: str, values: Any) -> tuple:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise _wrong_type(name, "a list", values)
    values = tuple(values)
    if not values:
        raise InputError(f"{name} must not be empty")
    return values


def _duplicates(values: tuple) -> list:
    seen: set = set()
    return sorted({v for v in values if v in seen or seen.add(v)})


def _validate_W(values: Any) -> tuple[float, ...]:
    # "+ 0.0" turns -0.0 into 0.0: the two must name the same samples.
    values = tuple(
        require_finite("W", _reject_bool("W", w)) + 0.0 for w in _check_list("W", values)
    )
    negative = [w for w in values if w < 0]
    if negative:
        raise InputError(f"disorder strengths W must be >= 0, got {negative[0]}")
    dup = _duplicates(values)
    if dup:
        raise InputError(f"W lists {dup[0]:g} more than once")
    return tuple(sorted(values))


def _validate_L(values: Any) -> tuple[int, ...]:
    out = [_as_int("L", n) for n in _check_list("L", values)]
    small = [n for n in out if n < 2]
    if small:
        raise InputError(f"sample lengths L must be >= 2, got {small[0]}")
    dup = _duplicates(tuple(out))
    if dup:
        raise InputError(f"L lists {dup[0]} more than once")
    return tuple(sorted(out))


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


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
        If ``spec`` is neither an existing file nor a built-in study.
    """
    path = Path(spec)
    if path.is_file():
        return path
    if path.suffix == ".toml" and len(path.parts) > 1:
        raise InputError(f"study file {path} not found")
    try:
        return builtin_study_path(str(spec))
    except InputError as exc:
        raise InputError(f"study file {path} not found, and {exc}") from None

"""Kinds of store, looked up by name or by target, and the one :func:`open_store`.

The model is xarray's backends (``xarray/backends/plugins.py``: ``list_engines``,
``guess_engine``, ``get_backend``): a store backend is a :class:`StoreBackend` with a
name, the file suffixes it recognises and an ``open`` method. betascale has two, the
SQLite file (``"sqlite"``, the default for any path) and the in-memory table
(``"memory"``, for ``None`` or ``":memory:"``). Another package adds its own by
registering it in its ``pyproject.toml``::

    [project.entry-points."betascale.stores"]
    mystore = "mypackage.stores:MyBackend"

or at run time with :func:`register_store_backend`. Entry points are read only when a
store is asked for that the built-in backends do not recognise, so opening a SQLite
store imports no plug-in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from betascale.errors import InputError
from betascale.store.base import SampleStore
from betascale.study import Study

#: The entry-point group of third-party store backends.
ENTRY_POINT_GROUP = "betascale.stores"
#: How a store is opened: ``"r"`` reads an existing store; ``"a"`` opens one for a run
#: (created if missing, resumed and grown if it exists).
MODES = ("r", "a")
#: The target that names an in-memory store.
MEMORY = ":memory:"


class StoreBackend(ABC):
    """A kind of store (as xarray's ``BackendEntrypoint``).

    Attributes
    ----------
    name
        The name it is registered under (``backend=`` of :func:`open_store`).
    suffixes
        File suffixes it recognises (``".sqlite"``); :meth:`guess_can_open` uses them.
    description
        One line for the user.
    """

    name: str = ""
    suffixes: tuple[str, ...] = ()
    description: str = ""

    def guess_can_open(self, target: Any) -> bool:
        """Whether ``target`` looks like a store of this kind (by its suffix)."""
        return isinstance(target, (str, Path)) and Path(target).suffix in self.suffixes

    @abstractmethod
    def open(
        self, target: Any, study: Study | None, mode: str, run_info: dict | None
    ) -> SampleStore:
        """Open the store ``target`` (see :func:`open_store` for the arguments)."""


class SQLiteBackend(StoreBackend):
    """The crash-safe SQLite file (:class:`~betascale.store.Store`)."""

    name = "sqlite"
    suffixes = (".sqlite", ".sqlite3", ".db")
    description = "a crash-safe, resumable SQLite file (the default for a path)"

    def open(
        self, target: Any, study: Study | None, mode: str, run_info: dict | None
    ) -> SampleStore:
        from betascale.store.core import Store

        if not isinstance(target, (str, Path)):
            raise InputError(f"a SQLite store is a path, got {type(target).__name__}")
        if mode == "a":
            return Store.open_for_run(target, run_study(study), run_info)
        return Store.open(target)


class MemoryBackend(StoreBackend):
    """The in-memory table (:class:`~betascale.store.MemoryStore`)."""

    name = "memory"
    description = "samples kept in the process (None or ':memory:')"

    def guess_can_open(self, target: Any) -> bool:
        return target is None or (isinstance(target, str) and target == MEMORY)

    def open(
        self, target: Any, study: Study | None, mode: str, run_info: dict | None
    ) -> SampleStore:
        from betascale.store.memory import MemoryStore

        if mode == "r":
            raise InputError("an in-memory store has nothing to read; give a store path")
        return MemoryStore(run_study(study))


_BUILTIN: dict[str, StoreBackend] = {b.name: b for b in (SQLiteBackend(), MemoryBackend())}
_REGISTERED: dict[str, StoreBackend] = {}
_entry_points_read = False


def register_store_backend(backend: StoreBackend, *, replace: bool = False) -> StoreBackend:
    """Register ``backend`` under its :attr:`~StoreBackend.name`; return it.

    Raises
    ------
    InputError
        If it is not a :class:`StoreBackend`, has no name, or the name is taken (and
        ``replace`` is false; a built-in name is never replaced).
    """
    if not isinstance(backend, StoreBackend):
        raise InputError(f"a store backend must be a StoreBackend, got {type(backend).__name__}")
    name = backend.name
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"a store backend's name must be an identifier, got {name!r}")
    if name in _BUILTIN or (name in _REGISTERED and not replace):
        raise InputError(f"a store backend named {name!r} is already registered")
    _REGISTERED[name] = backend
    return backend


def unregister_store_backend(name: str) -> None:
    """Forget the registered (not built-in) backend ``name``, if there is one."""
    _REGISTERED.pop(name, None)


def store_backends() -> dict[str, StoreBackend]:
    """Every store backend by name: built-in, registered, and from entry points."""
    _read_entry_points()
    return {**_REGISTERED, **_BUILTIN}


def _read_entry_points() -> None:
    """Register the backends of the entry-point group (once; a broken one is named)."""
    global _entry_points_read
    if _entry_points_read:
        return
    _entry_points_read = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _BUILTIN or ep.name in _REGISTERED:
            continue
        try:
            backend = ep.load()
            backend = backend() if isinstance(backend, type) else backend
        except Exception as exc:  # a broken plug-in must not break the built-in stores
            raise InputError(
                f"the store backend {ep.name!r} ({ep.value}) of entry-point group "
                f"{ENTRY_POINT_GROUP} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from None
        if not backend.name:
            backend.name = ep.name
        register_store_backend(backend)


def get_backend(target: Any = None, backend: str | StoreBackend | None = None) -> StoreBackend:
    """The backend of ``target``: ``backend`` if given (a name or a backend), else the
    first whose :meth:`~StoreBackend.guess_can_open` accepts ``target`` (built-in ones
    first), else SQLite for any other path."""
    if isinstance(backend, StoreBackend):
        return backend
    if backend is not None:
        if not isinstance(backend, str):
            raise InputError(f"backend must be a name, got {type(backend).__name__}")
        known = _BUILTIN if backend in _BUILTIN else store_backends()
        if backend not in known:
            raise InputError(
                f"unknown store backend {backend!r}; known: {', '.join(sorted(known))}"
            )
        return known[backend]
    for found in _BUILTIN.values():
        if found.guess_can_open(target):
            return found
    for found in store_backends().values():  # plug-ins are read only now
        if found.guess_can_open(target):
            return found
    if isinstance(target, (str, Path)):
        return _BUILTIN["sqlite"]
    raise InputError(
        f"cannot open a store from {type(target).__name__} {target!r}: give a path, "
        f"None or {MEMORY!r}"
    )


def run_study(study: Study | None) -> Study:
    """``study``, checked to be there: opening a store for a run (mode ``"a"``) needs it.

    Raises
    ------
    InputError
        If ``study`` is None.
    """
    if study is None:
        raise InputError("opening a store for a run (mode 'a') needs its study")
    return study


def open_store(
    target: Any = None,
    study: Study | None = None,
    mode: str = "r",
    *,
    backend: str | StoreBackend | None = None,
    run_info: dict | None = None,
) -> SampleStore:
    """Open a results store; every store of betascale is opened here.

    Parameters
    ----------
    target
        A path (a SQLite store, unless a plug-in recognises its suffix), or None or
        ``":memory:"`` (an in-memory store), or what a plug-in backend accepts.
    study
        With ``mode="a"``, the study to run (required). With ``mode="r"``, optional:
        the stored study must then have the same physics.
    mode
        ``"r"`` to read an existing store, ``"a"`` to open (or create) one for a run
        (a SQLite store is then locked against a second run: :meth:`Store.open_for_run`).
    backend
        A backend name (``"sqlite"``, ``"memory"``, or a registered one) or a
        :class:`StoreBackend`; default: chosen from ``target`` (:func:`get_backend`).
    run_info
        With ``mode="a"``: the provenance of the run (default: collected by the backend).

    Returns
    -------
    SampleStore
        The open store; use it as a context manager.

    Raises
    ------
    InputError
        For an unknown mode or backend, a missing study, a store that cannot be
        opened, or a study of other physics than the store's.
    """
    if mode not in MODES:
        raise InputError(f"store mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if study is not None and not isinstance(study, Study):
        raise InputError(f"study must be a Study, got {type(study).__name__}")
    if mode == "a":
        run_study(study)
    chosen = get_backend(target, backend)
    store = chosen.open(target, study, mode, run_info)
    if mode == "r" and study is not None:
        try:
            store.missing_ranges(study)  # refuses other physics at once
        except BaseException:
            store.close()
            raise
    return store

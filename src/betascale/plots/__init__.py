"""Figures of betascale.

All figures use the shipped style :data:`STYLE_PATH` (print-sized, ticks inside,
the colour-blind-safe Okabe–Ito palette). :func:`figure_style` applies it in a
``with`` block, and :func:`save_figure` writes PNG and PDF side by side (atomically,
through :mod:`betascale.files`); inside :func:`figure_set` the figures of a command
are written as one set, all or none. Every plot function returns a matplotlib
Figure; saving is :func:`save_figure`'s job.

Sub-modules hold the figures of one concept each: ``scaling`` (beta(g) of a store),
``weak_localization`` (slopes and magnetoconductance), ``fss`` (the transition) and
``rg`` (Finkel'stein flows); ``common`` holds the styles and helpers they share. Their
plot functions are importable from here too, e.g. ``betascale.plots.plot_beta``.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from betascale.files import write_files

STYLE_PATH = Path(__file__).with_name("betascale.mplstyle")

#: Okabe & Ito colour-blind-safe palette, in the style's cycle order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: One colour per symmetry class, used by every figure that shows classes.
CLASS_COLORS = {"orthogonal": "#0072B2", "unitary": "#009E73", "symplectic": "#D55E00"}


#: Plot function -> sub-module that defines it (imported on first use).
_FIGURES = {
    "plot_g_of_L": "scaling",
    "plot_beta": "scaling",
    "plot_collapse": "scaling",
    "plot_distribution": "scaling",
    "plot_compare": "scaling",
    "write_figures": "scaling",
    "write_compare": "scaling",
    "plot_wl_slope": "weak_localization",
    "plot_delta_g_of_L": "weak_localization",
    "plot_hln": "weak_localization",
    "write_weak_localization_figures": "weak_localization",
    "plot_fss_data": "fss",
    "plot_fss_collapse": "fss",
    "plot_critical_distribution": "fss",
    "plot_beta_panorama": "fss",
    "write_fss_figures": "fss",
    "plot_flow_diagram": "rg",
    "plot_rho_vs_temperature": "rg",
    "write_rg_figures": "rg",
    "plot_universality": "universality",
    "write_universality": "universality",
}


def __getattr__(name: str):
    if name in _FIGURES:
        import importlib

        module = importlib.import_module(f"betascale.plots.{_FIGURES[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'betascale.plots' has no attribute {name!r}")


def use_agg() -> None:
    """Select matplotlib's non-interactive Agg backend (safe on clusters and CI)."""
    import matplotlib

    matplotlib.use("Agg", force=True)


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Apply the betascale matplotlib style inside a ``with`` block."""
    use_agg()
    import matplotlib.pyplot as plt

    with plt.style.context(str(STYLE_PATH)):
        yield


@contextlib.contextmanager
def _quiet_fonttools() -> Iterator[None]:
    """Silence fontTools' "timestamp seems very low" warnings while PDFs are written.

    They come from embedding the Computer Modern mathtext fonts (``pdf.fonttype: 42``
    in the style) and say nothing about the figure.
    """
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


#: The figures of the open :func:`figure_set` (None outside one): path -> bytes.
_PENDING: ContextVar[dict[Path, bytes] | None] = ContextVar("betascale_figure_set", default=None)


@contextlib.contextmanager
def figure_set() -> Iterator[None]:
    """Write the figures saved inside the block as one set: all of them, or none.

    :func:`save_figure` inside the block renders each figure at once but keeps its
    bytes; at the end of the block they are written together with
    :func:`betascale.files.write_files` (every file staged first, then renamed into
    place). If the block raises, nothing is written; if the disk fills, no partial set
    is left behind and the error names the file. A nested block joins the outer one.
    """
    if _PENDING.get() is not None:
        yield
        return
    pending: dict[Path, bytes] = {}
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    write_files(pending)


def figure_name(name: str) -> str:
    """Return ``name`` if it can name a figure's files (``name.png``, ``name.pdf``).

    Raises
    ------
    InputError
        If it is empty, hidden, or not a plain file name (a path separator, ``..``):
        the figures go into their output directory and nowhere else.
    """
    from betascale.errors import InputError

    text = str(name)
    if not text or text.startswith(".") or Path(text).name != text or "\\" in text:
        raise InputError(
            f"figure name {text!r} is not a plain file name (no directory, not empty or hidden)"
        )
    return text


def save_figure(fig, out_dir: str | Path, name: str) -> list[Path]:
    """Save ``fig`` as ``name.png`` and ``name.pdf`` in ``out_dir``; return the paths.

    The style's savefig settings (resolution, tight bounding box) apply wherever
    the figure was made. Both files are written through
    :func:`betascale.files.write_files` (atomic, never through a planted link, the
    directory created if needed), at once or, inside :func:`figure_set`, with the rest
    of the set. The figure is closed afterwards.

    Raises
    ------
    InputError
        If ``name`` is not a plain file name (:func:`figure_name`) or a file cannot be
        written (one line naming it).
    """
    import matplotlib.pyplot as plt

    name = figure_name(name)
    out = Path(out_dir)
    contents: dict[Path, bytes] = {}
    try:
        with figure_style(), _quiet_fonttools():
            for ext in ("png", "pdf"):
                buffer = io.BytesIO()
                fig.savefig(buffer, format=ext)
                contents[out / f"{name}.{ext}"] = buffer.getvalue()
    finally:
        plt.close(fig)
    pending = _PENDING.get()
    if pending is None:
        write_files(contents)
    else:
        pending.update(contents)
    return list(contents)

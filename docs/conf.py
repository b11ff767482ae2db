"""Sphinx configuration of the betascale documentation (built by ``make docs``).

The tutorials and results pages are MyST-NB notebooks executed at every build
(``nb_execution_mode = "force"``); an error in one of them fails the build, as does
any warning (``sphinx-build -W --keep-going``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

import betascale  # noqa: E402

project = "betascale"
author = "the betascale developers"
copyright = "2026, the betascale developers"
release = betascale.__version__
version = release

extensions = [
    "myst_nb",  # Markdown pages (MyST) and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",  # numpy-style docstrings
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build", "requirements.txt", "**.ipynb_checkpoints", "jupyter_execute"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# MyST: $...$ and $$...$$ maths, ::: fences, anchors for links to headings.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# MyST-NB: execute every notebook at every build, in the repository root; fail on error.
nb_execution_mode = "force"
nb_execution_in_temp = False
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_kernel_rgx_aliases = {".*": "python3"}
nb_merge_streams = True

# autodoc + napoleon: the numpy-style docstrings of the public modules.
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autosummary_generate = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = False

html_theme = "alabaster"
html_title = f"betascale {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Scaling theory of localization in 2D, numerically",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}


# -- API pages: a summary table of each module's public names -------------------------
# A line ``% api-summary MODULE`` in a page (a MyST comment) becomes an autosummary table
# of MODULE.__all__ (or of the names given after it), so the table follows the module.
def _api_summary(app, docname: str, source: list[str]) -> None:
    import importlib
    import re

    def table(match: re.Match) -> str:
        module_name, *names = match.group(1).split()
        if not names:
            module = importlib.import_module(module_name)
            names = [  # classes and functions; constants are documented below the table
                name
                for name in sorted(getattr(module, "__all__", []))
                if callable(getattr(module, name, None))
            ]
        rows = "\n".join(f"   ~{module_name}.{name}" for name in names)
        return f"```{{eval-rst}}\n.. autosummary::\n   :nosignatures:\n\n{rows}\n```\n"

    source[0] = re.sub(r"^% api-summary (.+)$", table, source[0], flags=re.M)


def setup(app) -> None:
    app.connect("source-read", _api_summary)

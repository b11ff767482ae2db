"""betascale: numerical checks of the scaling theory of localization in 2D."""

__version__ = "0.1.0"

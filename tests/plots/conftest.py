"""Fixtures of the plot tests."""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test made (pyplot keeps them, and warns beyond 20)."""
    yield
    plt.close("all")

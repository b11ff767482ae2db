"""The version is single-sourced: the installed metadata reads betascale.__version__."""

from importlib.metadata import version

import betascale


def test_the_installed_version_is_the_package_version():
    assert version("betascale") == betascale.__version__

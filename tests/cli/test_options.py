"""Tests of betascale.cli.options: flag names in messages, the shared --seed option."""

from __future__ import annotations

import argparse

import pytest

from betascale.cli.options import flag_errors, seed_argument
from betascale.errors import InputError


def _message(text: str) -> str:
    with pytest.raises(InputError) as info, flag_errors():
        raise InputError(text)
    return str(info.value)


def test_an_option_is_named_by_its_flag():
    assert _message("E must be finite, got nan") == "--E must be finite, got nan"
    assert _message("n_boot must be <= 100000, got 10**9").startswith("--boot must")
    assert _message("W_range must be a list").startswith("--W-range must")


def test_a_stored_study_keeps_its_keys():
    """The store's study has no flag: ``analyze`` said "--E must be finite" (issue 16)."""
    text = "store s.sqlite: E must be finite, got nan"
    assert _message(text) == text
    text = "<study>: seed must be >= 0, got -1"
    assert _message(text) == text


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), (str(2**63 - 1), 2**63 - 1)])
def test_seed_argument_accepts_non_negative_integers(text, value):
    assert seed_argument(text) == value


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("-1", "seed must be >= 0"), (str(2**63), "seed must be <="), ("1.5", "expected an integer")],
)
def test_seed_argument_refuses_the_rest(text, fragment):
    with pytest.raises(argparse.ArgumentTypeError, match=fragment):
        seed_argument(text)

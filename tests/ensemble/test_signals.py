"""Tests of betascale.ensemble.signals."""

import signal

import pytest

from betascale.ensemble.signals import STOP_SIGNALS, StopSignal


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_the_first_stop_signal_asks_to_stop_and_a_second_stops_at_once(signum):
    heard = []
    before = signal.getsignal(signum)
    with StopSignal(heard.append) as stop:
        assert signal.getsignal(signum) not in (signal.SIG_DFL, signal.SIG_IGN, before)
        signal.raise_signal(signum)  # a hang-up is a stop request, not death
        assert stop.is_set() and stop.signum == signum and heard == [signum]
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signum)
    assert signal.getsignal(signum) is before
    assert signum in STOP_SIGNALS

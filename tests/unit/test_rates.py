"""Rates from counters over measured time: first sample, steady rate, reset, zero elapsed."""

from __future__ import annotations

import pytest

from natstui.core.rates import HistoryBook, RateTracker


def test_first_sample_has_no_rate() -> None:
    assert RateTracker().update("a", 100, now=10.0) is None


def test_rate_is_delta_over_measured_elapsed_time() -> None:
    rates = RateTracker()
    rates.update("a", 100, now=10.0)
    assert rates.update("a", 400, now=11.5) == pytest.approx(200.0)
    # The next rate is measured from the previous sample, not from the first.
    assert rates.update("a", 400, now=12.5) == pytest.approx(0.0)


def test_counter_going_down_resets_the_baseline() -> None:
    rates = RateTracker()
    rates.update("a", 1000, now=1.0)
    assert rates.update("a", 5, now=2.0) is None  # server restarted: no negative rate
    assert rates.update("a", 25, now=4.0) == pytest.approx(10.0)


@pytest.mark.parametrize("later", [0.0, -0.5])
def test_zero_or_negative_elapsed_keeps_the_last_rate_and_the_baseline(later: float) -> None:
    rates = RateTracker()
    rates.update("a", 0, now=1.0)
    assert rates.update("a", 10, now=2.0) == pytest.approx(10.0)
    assert rates.update("a", 50, now=2.0 + later) == pytest.approx(10.0)
    # The baseline stayed at (10, t=2): the next rate spans the whole interval.
    assert rates.update("a", 50, now=4.0) == pytest.approx(20.0)


def test_zero_elapsed_on_the_second_sample_gives_none() -> None:
    rates = RateTracker()
    rates.update("a", 0, now=1.0)
    assert rates.update("a", 10, now=1.0) is None


def test_keys_are_independent_and_can_be_forgotten() -> None:
    rates = RateTracker()
    rates.update(("s1", "in"), 0, now=0.0)
    rates.update(("s2", "in"), 0, now=0.0)
    assert rates.update(("s1", "in"), 10, now=1.0) == pytest.approx(10.0)
    rates.forget_except([("s1", "in")])
    assert len(rates) == 1
    assert rates.update(("s2", "in"), 10, now=2.0) is None  # first sample again


def test_history_is_bounded_and_oldest_first() -> None:
    book = HistoryBook(size=3)
    for value in (1.0, 2.0, 3.0, 4.0):
        series = book.add("s", value)
    assert series == (2.0, 3.0, 4.0)
    assert book.get("missing") == ()
    book.forget_except([])
    assert len(book) == 0


def test_history_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        HistoryBook(size=0)

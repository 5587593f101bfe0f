"""An answer about the subscription is shown only if it cannot undo a newer change."""

from app.viewer.core.freshness import Freshness


def test_a_read_that_left_before_a_write_is_not_shown_after_it() -> None:
    fresh = Freshness()
    read = fresh.reading()
    write = fresh.writing()
    assert fresh.written(write)
    assert not fresh.read(read)


def test_a_read_that_leaves_while_a_write_is_out_is_never_shown() -> None:
    fresh = Freshness()
    write = fresh.writing()
    read = fresh.reading()
    assert fresh.written(write)
    assert not fresh.read(read)


def test_a_read_after_the_write_was_answered_is_shown() -> None:
    fresh = Freshness()
    assert fresh.written(fresh.writing())
    assert fresh.read(fresh.reading())


def test_an_older_read_answered_late_does_not_replace_a_newer_one() -> None:
    fresh = Freshness()
    first, second = fresh.reading(), fresh.reading()
    assert fresh.read(second)
    assert not fresh.read(first)


def test_a_failed_write_lets_reads_be_shown_again() -> None:
    fresh = Freshness()
    fresh.writing()
    fresh.write_failed()
    assert fresh.read(fresh.reading())

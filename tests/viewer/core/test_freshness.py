"""An answer from the cloud is shown only if it cannot undo something newer: a change of
the subscription, or what the live feed said about a computer."""

from app.viewer.core.freshness import Freshness, RecentEvents
from app.viewer.core.records import Computer


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


def test_a_list_asked_for_before_the_feed_spoke_does_not_undo_it() -> None:
    recent = RecentEvents()
    since = recent.mark()  # the list leaves
    recent.presence("c1", True, None)  # the agent links up meanwhile
    recent.renamed("c2", "Music room")
    stale = [
        Computer("c1", "Studio", "linux", False, None),
        Computer("c2", "Den", "linux", True, None),
    ]
    fresh = recent.newer(stale, since)
    assert fresh[0].online and fresh[0].name == "Studio"
    assert fresh[1].name == "Music room" and fresh[1].online


def test_a_list_asked_for_after_the_feed_spoke_is_taken_as_it_is() -> None:
    recent = RecentEvents()
    recent.presence("c1", True, None)
    since = recent.mark()
    listed = [Computer("c1", "Studio", "linux", False, None)]  # it went offline since
    assert recent.newer(listed, since) == listed

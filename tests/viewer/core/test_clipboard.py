"""The viewer's clipboard rules, without I/O: when a copy goes, and that nothing echoes."""

from __future__ import annotations

import pytest

from app.protocol.clipboard import MAX_TEXT_BYTES, Clip, ClipTooLarge
from app.viewer.core.clipboard import ClipboardLink


def test_a_copy_waits_for_an_agent_that_takes_copies() -> None:
    link = ClipboardLink()
    assert link.copied_here(Clip.text("a")) is None  # the agent has not answered yet
    assert link.agent_answered(takes_clipboard=False) is None  # an agent without it
    assert link.agent_answered(takes_clipboard=True) == Clip.text("a")
    assert link.agent_answered(takes_clipboard=True) is None  # once
    assert link.copied_here(Clip.text("b")) == Clip.text("b")


def test_what_arrives_is_not_sent_back() -> None:
    link = ClipboardLink()
    link.agent_answered(takes_clipboard=True)
    assert link.arrived(Clip.text("there")) == Clip.text("there")
    assert link.copied_here(Clip.text("there")) is None  # the platform reports our set


def test_a_reconnection_sends_the_latest_copy_again() -> None:
    link = ClipboardLink()
    link.agent_answered(takes_clipboard=True)
    link.copied_here(Clip.text("a"))
    link.connected()
    assert link.agent_answered(takes_clipboard=True) == Clip.text("a")


def test_turned_off_nothing_crosses_and_turned_on_the_latest_goes() -> None:
    link = ClipboardLink(enabled=False)
    link.agent_answered(takes_clipboard=True)
    assert link.copied_here(Clip.text("a")) is None
    assert link.arrived(Clip.text("b")) is None
    assert link.set_enabled(True) == Clip.text("a")
    assert link.set_enabled(False) is None


def test_a_copy_too_large_is_refused_and_forgotten() -> None:
    link = ClipboardLink()
    link.agent_answered(takes_clipboard=True)
    link.copied_here(Clip.text("small"))
    with pytest.raises(ClipTooLarge):
        link.copied_here(Clip.text("x" * (MAX_TEXT_BYTES + 1)))
    link.connected()
    assert link.agent_answered(takes_clipboard=True) == Clip.text("small")

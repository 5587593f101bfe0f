"""When "Match this device" asks the agent for a resolution: only an agent that can, once
per connection and monitor, again after a reconnection, and undone only if asked."""

from __future__ import annotations

from app.protocol import ScreenFit
from app.viewer.core.fitting import ScreenFitting

PORTRAIT = ScreenFit(width=820, height=1180)


def test_the_first_answer_that_can_fit_gets_the_request_once() -> None:
    fitting = ScreenFitting((820, 1180))
    assert fitting.agent_answered(False, "1") is None  # cannot: never asked
    assert fitting.agent_answered(True, "1") == PORTRAIT
    assert fitting.agent_answered(True, "1") is None  # every heartbeat after: nothing
    assert fitting.screens("1") is None  # its own answer (the new size) asks nothing


def test_a_reconnection_asks_again() -> None:
    fitting = ScreenFitting((820, 1180))
    assert fitting.agent_answered(True, "1") == PORTRAIT
    fitting.connected()  # the agent gave the monitor back when the connection dropped
    assert fitting.want((820, 1180), "1") is None  # not before it says it can
    assert fitting.agent_answered(True, "1") == PORTRAIT


def test_another_monitor_shown_is_fitted_too() -> None:
    fitting = ScreenFitting((820, 1180))
    assert fitting.agent_answered(True, "1") == PORTRAIT
    assert fitting.screens("2") == PORTRAIT
    assert fitting.screens("2") is None


def test_turning_it_off_undoes_only_what_was_asked() -> None:
    fitting = ScreenFitting(None)
    assert fitting.agent_answered(True, "1") is None
    assert fitting.want(None, "1") is None  # nothing was changed: nothing to undo
    assert fitting.want((1280, 800), "1") == ScreenFit(width=1280, height=800)
    assert fitting.want(None, "1") == ScreenFit()
    assert fitting.want(None, "1") is None


def test_a_window_too_small_to_matter_asks_nothing() -> None:
    fitting = ScreenFitting((40, 30))
    assert fitting.size is None
    assert fitting.agent_answered(True, "1") is None

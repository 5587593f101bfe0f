"""The computer's sound in the session window: a tone played on the computer (a real
PulseAudio server's output, read by the agent) reaches this device's audio output
(QAudioSink, on the same server's null output); the bar's Sound button stops it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.support.api import Api
from tests.support.pulse import play, require, tone
from tests.support.qt import qt_until
from tests.support.session_window import demo_session_window


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_computers_sound_plays_here_until_turned_off(
    api: Api, qtbot: QtBot, tmp_path: Path, sound_server: str | None
) -> None:
    server = require(sound_server)  # in PULSE_SERVER: the agent's, and Qt's output
    async with demo_session_window(api, qtbot, host_sound=True, sound=True) as (
        window,
        controller,
        _,
    ):
        output = controller.sound_output
        assert window.sound_button.isChecked() and output.playing
        player = play(server, tone(440, 6), tmp_path)
        try:
            await qt_until(lambda: output.written_ms >= 500, 20, "half a second played")
            window.sound_button.setChecked(False)
            assert not output.playing
            session = controller.session
            assert session is not None
            await qt_until(lambda: not session.sound, 10, "sound off in the session")
        finally:
            player.kill()
            player.wait()

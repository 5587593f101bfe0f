"""``porthole --smoke-test``: start the real viewer, let it show its window, leave within ~1 s.

Used to prove that a build (the PyInstaller bundle, ``build.spec``) can run the viewer:
Qt's libraries and platform plugin load, the real window is constructed and shown, and
the event loop turns. ``run_viewer`` calls :func:`arm` right after it creates the
``QApplication``; in smoke mode that schedules a check which prints ``smoke ok …`` and
ends the event loop with status 0, or prints ``smoke failed …`` and ends it with 1 when no
window is visible. Nothing else changes: the window is the one a person would see.

Smoke mode is on after :func:`request` (the ``--smoke-test`` flag) or with
``PORTHOLE_SMOKE_TEST=1`` in the environment.
"""

from __future__ import annotations

import os
import sys
import threading

from app.viewer.qt import QtCore, QtWidgets

ENV = "PORTHOLE_SMOKE_TEST"
# Long enough for the window to be shown and painted a few times, short enough for CI.
CHECK_AFTER_MS = 800
# If the event loop never turns (a hang in start-up), the process still ends.
DEADLINE_S = 30.0

_requested = False


def request() -> None:
    global _requested
    _requested = True


def enabled() -> bool:
    return _requested or os.environ.get(ENV) == "1"


def arm(app: QtWidgets.QApplication) -> None:
    """In smoke mode, end ``app``'s event loop after one check of its windows."""
    if not enabled():
        return
    watchdog = threading.Timer(DEADLINE_S, _give_up)
    watchdog.daemon = True
    watchdog.start()

    def check() -> None:
        watchdog.cancel()
        shown = [w for w in app.topLevelWidgets() if w.isVisible()]
        if not shown:
            print("smoke failed: no window is visible", file=sys.stderr, flush=True)
            app.exit(1)
            return
        window = shown[0]
        print(
            f"smoke ok: {window.windowTitle()!r} {window.width()}x{window.height()} "
            f"on {app.platformName()}, Qt {QtCore.qVersion()}",
            flush=True,
        )
        app.exit(0)

    QtCore.QTimer.singleShot(CHECK_AFTER_MS, check)


def _give_up() -> None:
    print(f"smoke failed: the event loop did not turn in {DEADLINE_S:.0f} s", file=sys.stderr)
    sys.stderr.flush()
    # The main thread is stuck in Qt; only a hard exit ends the process from here.
    os._exit(1)

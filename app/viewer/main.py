"""The viewer's entry point: Qt with asyncio on one loop (qasync), the app or the kiosk.

Python 3.11 has no ``loop_factory``: the QEventLoop is made the running loop with
``run_until_complete`` on a future that the last window's closing resolves."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from dataclasses import dataclass

from app import __version__

DEFAULT_CLOUD = "http://127.0.0.1:8740"


@dataclass(frozen=True)
class ViewerOptions:
    cloud: str | None = None
    kiosk: bool = False
    email: str | None = None
    computer: str | None = None
    exit_chord: str | None = None
    lang: str | None = None
    #: Sign in with these at start (``porthole demo``), instead of the remembered sign-in.
    password: str | None = None


def run_viewer(options: ViewerOptions | None = None, argv: list[str] | None = None) -> int:
    from app.viewer import smoke
    from app.viewer.i18n import install_translations
    from app.viewer.qt import QtCore, QtGui, QtWidgets, qasync

    options = options or ViewerOptions()
    # Crisp at 125 % or 150 %: Qt's default rounds the scale to a whole number.
    QtGui.QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        QtCore.Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Porthole")
    app.setApplicationVersion(__version__)
    install_translations(app, options.lang)
    from app.viewer.views.theme import apply_theme

    apply_theme(app)  # the portal's colours, light or dark as the system is; 44 px targets
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    _quit_on_signals(app)
    smoke.arm(app)  # `porthole --smoke-test`: check the window shows, then quit (smoke.py)
    _closing.clear()  # a viewer run before in this process may have set it
    with loop:
        if options.kiosk:
            from app.viewer.kiosk import run_kiosk

            work = run_kiosk(options)
        else:
            work = _run_app(options)
        task = loop.create_task(work)
        task.add_done_callback(lambda _: loop.stop())
        qt_code = loop.run_forever()
        if not task.done():
            # Qt quit first (Ctrl+C, SIGTERM, the smoke check): let the app close its
            # sessions and sign-in cleanly, then report Qt's exit code.
            _closing.set()
            with contextlib.suppress(TimeoutError):
                loop.run_until_complete(asyncio.wait_for(task, 15))
            return int(qt_code)
        return int(task.result())


#: Set when Qt's loop ended before the app did: the app winds down.
_closing = asyncio.Event()


def closing_requested() -> asyncio.Event:
    return _closing


async def _run_app(options: ViewerOptions) -> int:
    from app.viewer.controllers.app import AppController
    from app.viewer.core.credentials import CredentialStore
    from app.viewer.qt import QtWidgets
    from app.viewer.views.main_window import MainWindow

    store = CredentialStore()
    remembered = store.load()
    cloud = options.cloud or (remembered.cloud_url if remembered else None) or DEFAULT_CLOUD
    window = MainWindow()
    controller = AppController(cloud, window, store)
    closed = asyncio.get_running_loop().create_future()
    qapp = QtWidgets.QApplication.instance()
    assert isinstance(qapp, QtWidgets.QApplication)
    qapp.setQuitOnLastWindowClosed(False)

    def finish() -> None:
        if not closed.done():
            closed.set_result(0)

    qapp.lastWindowClosed.connect(finish)
    qapp.aboutToQuit.connect(finish)
    closing = asyncio.ensure_future(_closing.wait())
    closing.add_done_callback(lambda _: finish())
    window.show()
    if options.password and options.email:
        await controller.sign_in(options.email, options.password, remember=False)
    else:
        await controller.start()
    try:
        code: int = await closed
    finally:
        closing.cancel()
        await controller.close()
    return code


def _quit_on_signals(app: object) -> None:
    """Ctrl+C and SIGTERM quit cleanly (sessions released, tokens kept). Qt's loop runs
    in C, so a timer hands control back to Python often enough to notice them."""
    import signal

    from app.viewer.qt import QtCore, QtWidgets

    assert isinstance(app, QtWidgets.QApplication)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: app.exit(0))
    wake = QtCore.QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def password_from_environment() -> str | None:
    """For unattended start-up (kiosks): never a command-line flag, which others can read."""
    return os.environ.get("PORTHOLE_PASSWORD") or None

"""The viewer's entry point: Qt with asyncio on one loop (qasync), the app or the kiosk.

Python 3.11 has no ``loop_factory``: the QEventLoop is made the running loop with
``run_until_complete`` on a future that the last window's closing resolves."""

from __future__ import annotations

import asyncio
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
    from app.viewer.qt import QtWidgets, qasync

    options = options or ViewerOptions()
    app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Porthole")
    app.setApplicationVersion(__version__)
    install_translations(app, options.lang)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    smoke.arm(app)  # `porthole --smoke-test`: check the window shows, then quit (smoke.py)
    with loop:
        if options.kiosk:
            from app.viewer.kiosk import run_kiosk

            code: int = loop.run_until_complete(run_kiosk(options))
        else:
            code = loop.run_until_complete(_run_app(app, options))
    return code


async def _run_app(app: object, options: ViewerOptions) -> int:
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
    window.show()
    if options.password and options.email:
        await controller.sign_in(options.email, options.password, remember=False)
    else:
        await controller.start()
    code: int = await closed
    await controller.close()
    return code


def password_from_environment() -> str | None:
    """For unattended start-up (kiosks): never a command-line flag, which others can read."""
    return os.environ.get("PORTHOLE_PASSWORD") or None

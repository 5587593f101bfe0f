"""The viewer's entry point. A placeholder window until the viewer issue lands."""

from __future__ import annotations

import sys

from app import __version__


def run_viewer(argv: list[str] | None = None) -> int:
    from app.viewer import smoke
    from app.viewer.qt import QtCore, QtWidgets

    app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Porthole")
    app.setApplicationVersion(__version__)
    smoke.arm(app)  # `porthole --smoke-test`: check the window shows, then quit (smoke.py)
    window = QtWidgets.QLabel(
        "Porthole viewer — sign-in and the Computers list arrive with the viewer release.\n"
        "Meanwhile, run 'porthole demo' and use the cloud's API."
    )
    window.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
    window.setWindowTitle("Porthole")
    window.resize(640, 360)
    window.show()
    return app.exec()

"""The one module through which the viewer imports Qt (PySide6 before qasync, always:
qasync picks its Qt binding from what is already imported)."""

import qasync
from PySide6 import QtCore, QtGui, QtMultimedia, QtTest, QtWidgets

Signal = QtCore.Signal
Slot = QtCore.Slot

__all__ = ["QtCore", "QtGui", "QtMultimedia", "QtTest", "QtWidgets", "Signal", "Slot", "qasync"]

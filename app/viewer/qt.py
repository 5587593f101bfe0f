"""The one module through which the viewer imports Qt (PySide6 before qasync, always)."""

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["QtCore", "QtGui", "QtWidgets"]

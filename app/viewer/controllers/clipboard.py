"""This device's clipboard (Qt's) and a session: what the person copies here goes to the
session, and what the remote computer copied is put here.

Images cross as PNG. A PNG that came from the computer is put here with its own bytes
beside the image, so reading it back gives the same content and nothing is sent back."""

from __future__ import annotations

from collections.abc import Callable

from app.protocol.clipboard import Clip, ClipKind
from app.viewer.qt import QtCore, QtGui

PNG_MIME = "image/png"


class ClipboardBridge(QtCore.QObject):
    def __init__(self, copied: Callable[[Clip], None]) -> None:
        super().__init__()
        self._clipboard = QtGui.QGuiApplication.clipboard()
        self._copied = copied
        self._applying = False
        self._clipboard.dataChanged.connect(self._changed)

    def current(self) -> Clip | None:
        """What this device's clipboard holds, if it is text or an image."""
        mime = self._clipboard.mimeData()
        if mime is None:
            return None
        if mime.hasFormat(PNG_MIME):
            return Clip.image(bytes(mime.data(PNG_MIME).data()))
        if mime.hasImage():
            image = self._clipboard.image()
            if not image.isNull():
                return Clip.image(_png(image))
        if mime.hasText() and mime.text():
            return Clip.text(mime.text())
        return None

    def apply(self, clip: Clip) -> None:
        """Put what the computer copied on this device's clipboard."""
        mime = QtCore.QMimeData()
        if clip.kind == ClipKind.TEXT:
            mime.setText(clip.as_text())
        else:
            mime.setData(PNG_MIME, QtCore.QByteArray(clip.data))
            image = QtGui.QImage.fromData(clip.data)
            if not image.isNull():
                mime.setImageData(image)  # for applications that take images, not PNG
        self._applying = True  # our own change: not a copy to send back
        try:
            self._clipboard.setMimeData(mime)
        finally:
            self._applying = False

    def close(self) -> None:
        self._clipboard.dataChanged.disconnect(self._changed)

    def _changed(self) -> None:
        if self._applying:
            return
        clip = self.current()
        if clip is not None:
            self._copied(clip)


def _png(image: QtGui.QImage) -> bytes:
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes, Qt a str
    buffer.close()
    return bytes(data.data())

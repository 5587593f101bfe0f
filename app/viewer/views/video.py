"""The remote screen: the newest picture, fitted and letterboxed (or zoomed and panned),
drawn without scaling when the decoder already produced it at the size shown; touch,
mouse and keys go to the controller as they come."""

from __future__ import annotations

import base64
import math

from app.viewer.controllers.session import SessionController
from app.viewer.core.gestures import TouchPoint
from app.viewer.keys import key_name, modifier_names
from app.viewer.qt import QtCore, QtGui, QtWidgets

Qt = QtCore.Qt
BUTTONS = {
    Qt.MouseButton.LeftButton: "left",
    Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}
TOUCH_KINDS = {
    QtCore.QEvent.Type.TouchBegin: "begin",
    QtCore.QEvent.Type.TouchUpdate: "update",
    QtCore.QEvent.Type.TouchEnd: "end",
    QtCore.QEvent.Type.TouchCancel: "cancel",
}


#: The magnifier: its radius and how far above the finger it floats (logical px), and
#: how much larger it shows the picture than the window does.
LENS_RADIUS_PX = 70.0
LENS_LIFT_PX = 40.0
LENS_ZOOM = 2.0


class VideoWidget(QtWidgets.QWidget):
    def __init__(self, controller: SessionController, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._controller = controller
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we paint every pixel
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)  # hover moves the remote pointer too
        self.setMinimumSize(160, 90)
        self.painted_frame_id = -1  # the last picture drawn, for tests and stats
        self._veil: str | None = None
        #: Where the computer's pointer was last drawn (None: not drawn), for tests.
        self.host_cursor_rect: QtCore.QRectF | None = None
        self._cursor_images: dict[int, QtGui.QImage] = {}
        self._mouse_inside = False  # a mouse is over the window: its own pointer shows
        self._touched = False  # the last input was a finger: draw the pointer larger
        controller.cursor_changed.connect(self.update)
        self.veil_at_bottom = False  # kiosk: nothing over the middle of the screen
        # Painted at once, not at the next turn of the event loop: a frame's latency is
        # what the person sees.
        controller.picture_ready.connect(self.repaint)
        controller.viewport_changed.connect(self.update)

    # -- drawing -------------------------------------------------------------------------

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        picture = self._controller.picture()
        if picture is None:
            painter.fillRect(self.rect(), Qt.GlobalColor.black)
            if self._veil is not None:
                self._paint_veil(painter)
            return
        pixels = picture.image  # packed RGB rows (the decoder sees to it)
        height, width, _ = pixels.shape
        image = QtGui.QImage(
            pixels.data, width, height, pixels.strides[0], QtGui.QImage.Format.Format_RGB888
        )
        rect = self._controller.viewport.target_rect()
        target = QtCore.QRectF(rect.x, rect.y, rect.width, rect.height)
        # Black only where the picture does not reach (the letterbox bars): filling the
        # whole widget first would write every pixel twice.
        for bar in _bars(self.width(), self.height(), target):
            painter.fillRect(bar, Qt.GlobalColor.black)
        if abs(width - rect.width * self.devicePixelRatioF()) > 1:
            # Zoomed in, or the decoder has not caught up with a resize yet.
            painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, image)
        if picture.frame_id != self.painted_frame_id:
            self._controller.presented(picture)
        self.painted_frame_id = picture.frame_id
        if self._controller.trackpad:
            self._paint_pointer(painter)
        else:
            self._paint_host_cursor(painter, width)
        if self._controller.lens is not None:
            self._paint_lens(painter, image, self._controller.lens)
        if self._veil is not None:
            self._paint_veil(painter)
        painter.end()

    def _paint_lens(
        self, painter: QtGui.QPainter, image: QtGui.QImage, at: tuple[float, float]
    ) -> None:
        """The magnifier: what is under the finger, twice as large as shown, in a circle
        above it (where the finger does not hide it), a cross-hair at the point a lift
        clicks."""
        rect = self._controller.viewport.target_rect()
        radius = LENS_RADIUS_PX
        centre = QtCore.QPointF(
            min(max(at[0], radius), self.width() - radius),
            max(at[1] - radius - LENS_LIFT_PX, radius),
        )
        # The image's pixels per widget pixel, then the part of it the lens shows.
        per_px = image.width() / rect.width
        span = 2 * radius / LENS_ZOOM * per_px
        source = QtCore.QRectF(
            (at[0] - rect.x) * per_px - span / 2, (at[1] - rect.y) * per_px - span / 2, span, span
        )
        circle = QtGui.QPainterPath()
        circle.addEllipse(centre, radius, radius)
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setClipPath(circle)
        painter.fillRect(circle.boundingRect(), Qt.GlobalColor.black)
        lens_rect = QtCore.QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.drawImage(lens_rect, image, source)
        painter.setClipping(False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # A dark ring outside a light one: the lens stands out on any picture.
        painter.setPen(QtGui.QPen(QtGui.QColor(20, 20, 20, 220), 5))
        painter.drawEllipse(centre, radius + 2.5, radius + 2.5)
        painter.setPen(QtGui.QPen(QtGui.QColor(255, 255, 255, 230), 2))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QtGui.QPen(QtGui.QColor(220, 40, 40), 1.5))
        for dx, dy in ((1, 0), (0, 1)):
            offset = QtCore.QPointF(dx * 10, dy * 10)
            painter.drawLine(centre - offset, centre + offset)
        painter.restore()

    def _paint_pointer(self, painter: QtGui.QPainter) -> None:
        """Trackpad mode: an arrow where the remote pointer is (the host's own cursor is
        not in the picture: screen grabs leave it out)."""
        x, y = self._controller.recogniser.pointer
        rect = self._controller.viewport.target_rect()
        tip = QtCore.QPointF(rect.x + x * rect.width, rect.y + y * rect.height)
        size = 22.0  # logical px: as large as a desktop's pointer at 200 %
        arrow = QtGui.QPolygonF(
            [
                tip,
                tip + QtCore.QPointF(0, size),
                tip + QtCore.QPointF(size * 0.28, size * 0.74),
                tip + QtCore.QPointF(size * 0.5, size * 1.1),
                tip + QtCore.QPointF(size * 0.64, size * 1.04),
                tip + QtCore.QPointF(size * 0.43, size * 0.68),
                tip + QtCore.QPointF(size * 0.72, size * 0.68),
            ]
        )
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtGui.QPen(Qt.GlobalColor.white, 1.5))
        painter.setBrush(Qt.GlobalColor.black)
        painter.drawPolygon(arrow)

    def _paint_host_cursor(self, painter: QtGui.QPainter, picture_width: int) -> None:
        """The computer's pointer, drawn here (screen grabs leave it out): where it is,
        in its own shape, twice as large after a touch (a finger hides a small one).
        Not while a mouse is over the window: this device's own pointer is there."""
        self.host_cursor_rect = None
        session = self._controller.session
        if session is None or self._mouse_inside or session.cursor is None:
            return
        at = session.cursor
        shape = session.cursor_shapes.get(at.serial)
        if not at.visible or shape is None:
            return
        image = self._cursor_images.get(shape.serial)
        if image is None:
            image = QtGui.QImage.fromData(base64.b64decode(shape.png))
            self._cursor_images[shape.serial] = image
        rect = self._controller.viewport.target_rect()
        # Remote pixels to widget pixels, as the picture is shown; never smaller than 1:1.
        scale = max(1.0, rect.width / max(1, picture_width)) * (2.0 if self._touched else 1.0)
        target = QtCore.QRectF(
            rect.x + at.x * rect.width - shape.hot_x * scale,
            rect.y + at.y * rect.height - shape.hot_y * scale,
            shape.width * scale,
            shape.height * scale,
        )
        painter.drawImage(target, image)
        self.host_cursor_rect = target

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        self._mouse_inside = False
        self.update()
        super().leaveEvent(event)

    def set_veil(self, text: str | None) -> None:
        """Dim the last picture with a line of text (reconnecting...), or lift the veil."""
        self._veil = text
        self.update()

    def _paint_veil(self, painter: QtGui.QPainter) -> None:
        band = QtCore.QRect(0, 0, self.width(), max(32, self.height() // 14))
        if self.veil_at_bottom:
            band.moveBottom(self.height() - 1)
            painter.fillRect(band, QtGui.QColor(0, 0, 0, 150))
        else:
            painter.fillRect(self.rect(), QtGui.QColor(0, 0, 0, 110))
        painter.setPen(QtGui.QColor("white"))
        painter.drawText(band, Qt.AlignmentFlag.AlignCenter, self._veil or "")

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        size = event.size()
        self._controller.widget_resized(size.width(), size.height(), self.devicePixelRatioF())

    # -- input -------------------------------------------------------------------------

    def event(self, event: QtCore.QEvent) -> bool:
        kind = TOUCH_KINDS.get(event.type())
        if kind is None:
            return super().event(event)
        assert isinstance(event, QtGui.QTouchEvent)
        released = QtGui.QEventPoint.State.Released
        touching = [
            TouchPoint(p.id(), p.position().x(), p.position().y())
            for p in event.points()
            if kind == "end" or p.state() != released
        ]
        self._controller.touch(kind, touching)
        if not self._touched or self._mouse_inside:
            self._mouse_inside, self._touched = False, True
            self.update()
        event.accept()
        return True

    def _from_touch(self, event: QtGui.QMouseEvent) -> bool:
        # Touch is handled as touch; the mouse events Qt makes up from it are not clicks.
        return event.source() != Qt.MouseEventSource.MouseEventNotSynthesized

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        self._mouse_button(event, down=True)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        self._mouse_button(event, down=False)

    def mouseDoubleClickEvent(self, event: QtGui.QMouseEvent) -> None:
        # The second press of a double click: the remote's timing makes it a double click.
        self._mouse_button(event, down=True)

    def _mouse_button(self, event: QtGui.QMouseEvent, down: bool) -> None:
        button = BUTTONS.get(event.button())
        if button is None or self._from_touch(event):
            return
        point = event.position()
        self._controller.mouse_button(point.x(), point.y(), button, down)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        if not self._from_touch(event):
            if not self._mouse_inside:
                self._mouse_inside, self._touched = True, False
                self.update()  # this device's pointer takes over from the drawn one
            self._controller.mouse_moved(event.position().x(), event.position().y())

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:
        angle, pixels = event.angleDelta(), event.pixelDelta()
        point = event.position()
        self._controller.wheel(
            point.x(), point.y(), (angle.x(), angle.y()), (pixels.x(), pixels.y())
        )
        event.accept()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        self._key(event, down=True)

    def keyReleaseEvent(self, event: QtGui.QKeyEvent) -> None:
        self._key(event, down=False)

    def _key(self, event: QtGui.QKeyEvent, down: bool) -> None:
        if event.isAutoRepeat():
            return  # the remote computer repeats a held key by itself
        name = key_name(event.key(), event.text())
        self._controller.key(name, event.text(), down, modifier_names(event.modifiers()))
        event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:
        return False  # Tab belongs to the remote computer, not to our focus chain

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        self._controller.release_held()
        super().focusOutEvent(event)


def _bars(width: int, height: int, picture: QtCore.QRectF) -> list[QtCore.QRect]:
    """The parts of a ``width`` x ``height`` widget that ``picture`` does not cover
    entirely (pixels it covers only in part are among them: drawn black, then over)."""
    left, top = max(0, math.ceil(picture.left())), max(0, math.ceil(picture.top()))
    right = min(width, math.floor(picture.right()))
    bottom = min(height, math.floor(picture.bottom()))
    if right <= left or bottom <= top:
        return [QtCore.QRect(0, 0, width, height)]
    bars = (
        QtCore.QRect(0, 0, width, top),
        QtCore.QRect(0, bottom, width, height - bottom),
        QtCore.QRect(0, top, left, bottom - top),
        QtCore.QRect(right, top, width - right, bottom - top),
    )
    return [bar for bar in bars if not bar.isEmpty()]

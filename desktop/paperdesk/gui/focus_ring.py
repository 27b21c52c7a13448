"""A clearly visible keyboard focus: a ring drawn around whichever widget of the window has the focus.

Qt's Fusion style marks focus faintly (a thin tint on a line edit, nothing on a table or a check box). Rather than a
style sheet, which would change how every widget is drawn, one transparent overlay follows the focus and paints a
2-pixel ring in the palette's highlight colour around the focused widget (clipped to the part of it that is
visible, so a field scrolled half out of the detail pane gets half a ring). It passes every mouse event through.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QWidget

RING = 2  # pixels


class FocusRing(QWidget):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window_ = window
        self.target: QWidget | None = None
        self._watched: list[QObject] = []
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.NoFocus)
        self.hide()
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old, new) -> None:
        for obj in self._watched:
            try:
                obj.removeEventFilter(self)
            except RuntimeError:  # already deleted
                pass
        self._watched = []
        inside = new is not None and new is not self and new.window() is self.window_
        self.target = new if inside else None
        if self.target is not None:
            widget = self.target
            while widget is not None and widget is not self.window_:  # moves of any ancestor (scrolling) move it
                widget.installEventFilter(self)
                self._watched.append(widget)
                widget = widget.parentWidget()
        self.place()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Move, QEvent.Resize, QEvent.Show, QEvent.Hide):
            self.place()
        return False

    def ring_rect(self) -> QRect | None:
        """Where the ring goes, in window coordinates (None: nothing focused in this window, or not visible)."""
        target = self.target
        try:
            if target is None or not target.isVisible():
                return None
            visible = target.visibleRegion().boundingRect()
        except RuntimeError:  # the widget was deleted
            return None
        if visible.isEmpty():
            return None
        top_left = target.mapTo(self.window_, visible.topLeft())
        return QRect(top_left, visible.size()).adjusted(-RING, -RING, RING, RING)

    def place(self) -> None:
        rect = self.ring_rect()
        if rect is None:
            self.hide()
            return
        self.setGeometry(rect)
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        pen = QPen(self.palette().color(QPalette.Active, QPalette.Highlight), RING)
        pen.setJoinStyle(Qt.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(self.rect().adjusted(RING // 2, RING // 2, -(RING // 2) - RING % 2, -(RING // 2) - RING % 2))
        painter.end()

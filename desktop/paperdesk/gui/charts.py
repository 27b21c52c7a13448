"""The author pages' bar chart (pyqtgraph). A module of its own so that pyqtgraph and numpy, ~0.2 s to import, are
loaded only when a chart is first drawn (gui/author_page.py imports this lazily), not at every start-up.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QMenu, QToolTip

EXPORT_WIDTH = 1600  # pixels of a saved PNG, whatever the chart's size on screen
EXPORT_SCALE = 1.5  # the chart is laid out afresh at EXPORT_WIDTH / EXPORT_SCALE and drawn at this scale
EXPORT_ASPECT = 0.58  # height / width of the chart in a saved picture
HEADING = 110  # pixels above the chart for the author's name

__all__ = ["BarChart", "np", "pg"]


class BarChart(pg.PlotWidget):
    """A bar chart whose bars know what they stand for: hover for values, click to filter."""

    barClicked = Signal(dict)  # what the bar selects: {"year": ..} / {"category": ..} / {"position": ..} / {"coauthor"}

    def __init__(self, title: str, horizontal: bool = False):
        super().__init__(background=None)
        self.setTitle(title, size="9pt")  # small enough to stay whole in a 1024-pixel window
        self.horizontal = horizontal
        self.bars: list[tuple[float, float, float, float, str, dict]] = []  # x0, x1, y0, y1, tooltip, selection
        self.heading = ""  # whose chart it is (the author's name), written above it when saved
        self.factory = None  # makes a fresh copy of this chart, laid out at full size for a saved picture
        self.settings = None  # gui.settings.Settings: remembers the folder charts are saved in
        self.getPlotItem().setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.scene().sigMouseMoved.connect(self._hover)
        self.scene().sigMouseClicked.connect(self._click)
        self.setContextMenuPolicy(Qt.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)

    def add_bars(self, positions, heights, color: str, tips: list[str], selections: list[dict], base=None,
                 width: float = 0.7) -> None:
        positions = np.asarray(positions, dtype=np.float64)
        heights = np.asarray(heights, dtype=np.float64)
        base = np.zeros_like(heights) if base is None else np.asarray(base, dtype=np.float64)
        brush = pg.mkBrush(color)
        if self.horizontal:
            item = pg.BarGraphItem(x0=base, y=positions, width=heights, height=width, brush=brush, pen=pg.mkPen(None))
            for p, h, b, tip, sel in zip(positions, heights, base, tips, selections):
                self.bars.append((b, b + h, p - width / 2, p + width / 2, tip, sel))
        else:
            item = pg.BarGraphItem(x=positions, y0=base, height=heights, width=width, brush=brush, pen=pg.mkPen(None))
            for p, h, b, tip, sel in zip(positions, heights, base, tips, selections):
                self.bars.append((p - width / 2, p + width / 2, b, b + h, tip, sel))
        self.addItem(item)

    def _bar_at(self, scene_pos):
        if not self.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.getPlotItem().vb.mapSceneToView(scene_pos)
        for x0, x1, y0, y1, tip, sel in self.bars:
            if x0 < x1 and y0 < y1 and x0 <= point.x() <= x1 and y0 <= point.y() <= y1:  # a bar of 0 is not there
                return tip, sel
        return None

    def _hover(self, scene_pos) -> None:
        hit = self._bar_at(scene_pos)
        if hit:
            QToolTip.showText(self.mapToGlobal(self.mapFromScene(scene_pos)), hit[0], self)
        else:
            QToolTip.hideText()

    def viewportEvent(self, event) -> bool:
        """When the pointer rests, Qt asks the scene for its items' tooltips; none of pyqtgraph's items has one,
        and the scene's empty answer hid the bar's values within a second. The bar under the pointer answers
        instead, so its values stay while the pointer rests on it."""
        if event.type() == QEvent.ToolTip:
            hit = self._bar_at(self.mapToScene(event.pos()))
            if hit:
                QToolTip.showText(event.globalPos(), hit[0], self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def _click(self, event) -> None:
        hit = self._bar_at(event.scenePos())
        if hit and event.button() == Qt.LeftButton:
            self.barClicked.emit(hit[1])

    def click_bar(self, index: int) -> None:
        """Select the papers of bar ``index`` as a click would (for tests and keyboard use)."""
        self.barClicked.emit(self.bars[index][5])

    def title(self) -> str:
        return self.getPlotItem().titleLabel.text

    def export(self, path: str) -> None:
        """A picture of the chart to keep: on white, the author's name above the chart's own title, the chart
        drawn afresh at full size (EXPORT_WIDTH pixels wide for PNG; vectors for SVG, through Qt's SVG generator,
        since pyqtgraph's own SVG exporter cannot read the paths this Qt writes)."""
        width = EXPORT_WIDTH
        height = HEADING + round(width * EXPORT_ASPECT)
        chart = self
        if self.factory is not None:  # the same chart laid out at full size: text and bars in proportion
            chart = self.factory()
            chart.setAttribute(Qt.WA_DontShowOnScreen)
            chart.resize(round(width / EXPORT_SCALE), round(width * EXPORT_ASPECT / EXPORT_SCALE))
            chart.show()
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()
        view = chart.viewport().rect()
        described = f"{self.heading} — {self.title()}" if self.heading else self.title()
        if path.lower().endswith(".svg"):
            from PySide6.QtCore import QRect, QSize
            from PySide6.QtSvg import QSvgGenerator

            target = QSvgGenerator()
            target.setFileName(path)
            target.setSize(QSize(width, height))
            target.setViewBox(QRect(0, 0, width, height))
            target.setTitle(described)
        else:
            target = QImage(width, height, QImage.Format_ARGB32)
            target.setText("Title", described)  # a PNG text chunk: what the picture shows
        painter = QPainter(target)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
        font = QFont(self.font())
        font.setPixelSize(42)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#202020"))
        painter.drawText(QRectF(40, 0, width - 80, HEADING), Qt.AlignVCenter | Qt.AlignLeft, self.heading)
        chart.render(painter, QRectF(0, HEADING, width, height - HEADING), view, Qt.IgnoreAspectRatio)
        painter.end()
        if chart is not self:
            chart.close()
            chart.deleteLater()
        if isinstance(target, QImage) and not target.save(path, "PNG"):
            raise OSError(f"could not write {path}")

    def _menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction("Save as PNG…", lambda: self._export_dialog("png"))
        menu.addAction("Save as SVG…", lambda: self._export_dialog("svg"))
        menu.exec(self.mapToGlobal(pos))

    def suggested_path(self, kind: str) -> str:
        """Where the save dialog starts: the folder charts were last saved in (else Pictures, else home), and a
        name that says what the chart is ("Hao Gu - Papers per year, by category.png"), never chart.png in the
        working folder."""
        folder = self.settings.get("charts/folder") if self.settings is not None else None
        if not folder or not Path(folder).is_dir():
            folder = QStandardPaths.writableLocation(QStandardPaths.PicturesLocation)
            if not folder or not Path(folder).is_dir():
                folder = str(Path.home())
        name = " - ".join(p for p in (self.heading, self.title()) if p) or "chart"
        name = "".join("_" if c in '/\\:*?"<>|' else c for c in name)
        return str(Path(folder) / f"{name}.{kind}")

    def _export_dialog(self, kind: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "Save chart", self.suggested_path(kind),
                                              f"{kind.upper()} (*.{kind})")
        if not path:
            return None
        if not path.lower().endswith(f".{kind}"):
            path += f".{kind}"
        try:
            self.export(path)
        except OSError as exc:
            from .errors import show_error

            show_error(self, f"The chart could not be saved: {exc}")
            return None
        if self.settings is not None:
            self.settings.set("charts/folder", str(Path(path).parent))
        return path

"""The author pages' bar chart (pyqtgraph). A module of its own so that pyqtgraph and numpy, ~0.2 s to import, are
loaded only when a chart is first drawn (gui/author_page.py imports this lazily), not at every start-up.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QToolTip

__all__ = ["BarChart", "np", "pg"]


class BarChart(pg.PlotWidget):
    """A bar chart whose bars know what they stand for: hover for values, click to filter."""

    barClicked = Signal(dict)  # what the bar selects: {"year": ..} / {"category": ..} / {"position": ..} / {"coauthor"}

    def __init__(self, title: str, horizontal: bool = False):
        super().__init__(background=None)
        self.setTitle(title)
        self.horizontal = horizontal
        self.bars: list[tuple[float, float, float, float, str, dict]] = []  # x0, x1, y0, y1, tooltip, selection
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
            if x0 <= point.x() <= x1 and y0 <= point.y() <= y1:
                return tip, sel
        return None

    def _hover(self, scene_pos) -> None:
        hit = self._bar_at(scene_pos)
        if hit:
            QToolTip.showText(self.mapToGlobal(self.mapFromScene(scene_pos)), hit[0], self)
        else:
            QToolTip.hideText()

    def _click(self, event) -> None:
        hit = self._bar_at(event.scenePos())
        if hit and event.button() == Qt.LeftButton:
            self.barClicked.emit(hit[1])

    def click_bar(self, index: int) -> None:
        """Select the papers of bar ``index`` as a click would (for tests and keyboard use)."""
        self.barClicked.emit(self.bars[index][5])

    def export(self, path: str) -> None:
        """PNG through pyqtgraph's exporter; SVG by painting the chart into Qt's SVG generator (pyqtgraph's own SVG
        exporter cannot read the paths this Qt writes)."""
        if not path.lower().endswith(".svg"):
            from pyqtgraph import exporters

            exporters.ImageExporter(self.getPlotItem()).export(path)
            return
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(self.size())
        generator.setViewBox(self.rect())
        generator.setTitle(self.getPlotItem().titleLabel.text)
        painter = QPainter(generator)
        self.render(painter)
        painter.end()

    def _menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction("Export as PNG…", lambda: self._export_dialog("png"))
        menu.addAction("Export as SVG…", lambda: self._export_dialog("svg"))
        menu.exec(self.mapToGlobal(pos))

    def _export_dialog(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export chart", f"chart.{kind}", f"{kind.upper()} (*.{kind})")
        if path:
            self.export(path)

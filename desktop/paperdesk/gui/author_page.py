"""An author page: the profile figures and five pyqtgraph charts drawn from core.authors.figures.

Hovering a bar shows its values; clicking it shows exactly those papers in the records table. Each chart
exports to PNG and SVG (right-click). Colours are fixed per category across every chart, and chosen to read on
light and dark backgrounds. Bars that share a pen and brush are one BarGraphItem (one draw call), so the
stacked chart has one item per category.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core import authors
from ..core.categories import CATEGORIES
from ..core.library import Library
from ..core.wording import count

# Tableau-like colours, readable on white and on dark grey; a category keeps its colour everywhere.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#86bcb6", "#d37295", "#fabfd2", "#8cd17d", "#b6992d", "#499894")
_ORDER = sorted(CATEGORIES)


def category_color(code: str) -> str:
    index = _ORDER.index(code) if code in _ORDER else sum(map(ord, code))
    return PALETTE[index % len(PALETTE)]


class AuthorPage(QWidget):
    papersChosen = Signal(str, list)  # label, paper ids
    closeRequested = Signal()
    mergeNamesRequested = Signal(str, list)  # keep, others
    differentPeopleRequested = Signal(str, str)
    backRequested = Signal()

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.settings = None  # the window's Settings (where charts are saved); set by the window
        self.name = ""
        self.data: dict | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back = QPushButton("Back")
        self.back.setToolTip("Back to where you were (Alt+Left)")
        self.back.clicked.connect(self.backRequested)
        top.addWidget(self.back)
        self.heading = QLabel("")
        self.heading.setStyleSheet("font-size: 16px; font-weight: bold;")
        top.addWidget(self.heading, 1)
        layout.addLayout(top)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.variants = QHBoxLayout()
        layout.addLayout(self.variants)
        self.grid = QGridLayout()
        layout.addLayout(self.grid, 1)
        hint = QLabel("Hover a bar for its values; click it to list those papers (Alt+Left comes back here);"
                      " right-click a chart to save it as a picture.")
        hint.setStyleSheet("color: #666666;")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.charts: dict[str, BarChart] = {}

    def apply_changes(self, changes) -> None:
        """Figures of the author on screen follow every change to records or names."""
        if self.name and self.isVisible() and (changes.authors or changes.membership or changes.records):
            self.show_author(self.name)

    def show_author(self, name: str) -> dict:
        self.name = name
        data = self.data = authors.figures(self.library, name)
        self.heading.setText(name)
        parts = [count(data['papers'], "paper"), f"{data['first_author_papers']} as first author"]
        if data["years"]:
            parts.append(f"{data['years'][0]}–{data['years'][1]}")
        if data["from_profile_papers"]:
            parts.append(f"{data['from_profile_papers']} known only from the profile page (hatched)")
        text = " · ".join(parts)
        if data["profile"]:
            p = data["profile"]
            text += (f"<br>Profile ({p['source']}, captured {p['captured']}): h-index {p['h_index']}, "
                     f"{count(p['citations'], 'citation')}, {count(p['paper_count'], 'paper')}, novelty {p['novelty']}%, "
                     f"AI score {p['ai_score']}, main category {p['main_category']}")
        self.summary.setText(text)
        self._show_variants(name)
        for chart in self.charts.values():
            chart.setParent(None)
            chart.deleteLater()
        self.charts = {
            "per_year": self._per_year(data),
            "categories": self._categories(data),
            "code": self._code(data),
            "coauthors": self._coauthors(data),
            "positions": self._positions(data),
        }
        builders = {"per_year": self._per_year, "categories": self._categories, "code": self._code,
                    "coauthors": self._coauthors, "positions": self._positions}
        for key, chart in self.charts.items():
            chart.barClicked.connect(self._chosen)
            chart.heading, chart.settings = name, self.settings
            chart.factory = lambda build=builders[key], d=data: build(d)
        self.grid.addWidget(self.charts["per_year"], 0, 0, 1, 2)
        self.grid.addWidget(self.charts["categories"], 0, 2)
        self.grid.addWidget(self.charts["code"], 1, 0)
        self.grid.addWidget(self.charts["coauthors"], 1, 1)
        self.grid.addWidget(self.charts["positions"], 1, 2)
        return data

    def _show_variants(self, name: str) -> None:
        while self.variants.count():
            item = self.variants.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        found = authors.name_variants(self.library, name)
        if not found:
            return
        self.variants.addWidget(QLabel("Likely the same person:"))
        for variant in found:
            label = QLabel(f"<b>{variant['name']}</b> ({variant['papers']} paper{'s' if variant['papers'] != 1 else ''})")
            merge = QPushButton(f"Merge into {name}")
            merge.clicked.connect(lambda _=False, v=variant["name"]: self.mergeNamesRequested.emit(name, [v]))
            apart = QPushButton("Different people")
            apart.clicked.connect(lambda _=False, v=variant["name"]: self.differentPeopleRequested.emit(name, v))
            for widget in (label, merge, apart):
                self.variants.addWidget(widget)
        self.variants.addStretch(1)

    def _per_year(self, data) -> BarChart:
        from .charts import BarChart, np, pg  # pyqtgraph is imported once a chart is first drawn
        chart = BarChart("Papers per year, by category")
        years = [int(y) for y in data["per_year"]]
        categories = sorted({c for counts in data["per_year"].values() for c in counts})
        base = np.zeros(len(years))
        for category in categories:
            heights = np.array([data["per_year"][str(y)].get(category, 0) for y in years], dtype=np.float64)
            tips = [f"{y}: {int(h)} {category} paper{'s' if h != 1 else ''}" for y, h in zip(years, heights)]
            chart.add_bars(years, heights, category_color(category), tips,
                           [{"year": y, "category": category} for y in years], base=base.copy())
            base += heights
        profile = data.get("profile_per_year") or {}
        if profile:  # papers known only from the profile page: hatched outline over their year's bar
            for y, n in profile.items():
                item = pg.BarGraphItem(x=[float(y)], y0=[0.0], height=[float(n)], width=0.7,
                                       brush=pg.mkBrush(None), pen=pg.mkPen("#333333", width=1.5, style=Qt.DashLine))
                chart.addItem(item)
        chart.getPlotItem().getAxis("bottom").setTicks([[(float(y), str(y)) for y in years]])
        chart.addLegend(offset=(5, 5))
        for category in categories:
            chart.getPlotItem().legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0,
                                                               brush=pg.mkBrush(category_color(category))), category)
        return chart

    def _categories(self, data) -> BarChart:
        from .charts import BarChart
        chart = BarChart("Categories", horizontal=True)
        items = list(data["categories"].items())
        for i, (category, n) in enumerate(items):
            chart.add_bars([i], [n], category_color(category), [f"{category}: {count(n, 'paper')}"], [{"category": category}])
        chart.getPlotItem().getAxis("left").setTicks([[(float(i), c) for i, (c, _) in enumerate(items)]])
        chart.getPlotItem().invertY(True)
        return chart

    def _code(self, data) -> BarChart:
        from .charts import BarChart
        chart = BarChart("With code, % per year")
        years = [int(y) for y in data["code_share_per_year"]]
        shares = [data["code_share_per_year"][str(y)] * 100 for y in years]
        chart.add_bars(years, shares, "#59a14f", [f"{y}: {s:.0f}% with code" for y, s in zip(years, shares)],
                       [{"year": y, "code": True} for y in years])
        chart.setYRange(0, 100)
        chart.getPlotItem().getAxis("bottom").setTicks([[(float(y), f"'{y % 100:02d}") for y in years]])
        return chart

    def _coauthors(self, data) -> BarChart:
        from .charts import BarChart
        chart = BarChart("Top co-authors", horizontal=True)
        for i, c in enumerate(data["coauthors"]):
            chart.add_bars([i], [c["papers"]], "#4e79a7", [f"{c['name']}: {count(c['papers'], 'paper')} together"],
                           [{"coauthor": c["name"]}])
        axis = chart.getPlotItem().getAxis("left")
        axis.setTicks([[(float(i), c["name"]) for i, c in enumerate(data["coauthors"])]])
        axis.setWidth(96)  # room for the names, and for the chart beside them in a 1024-pixel window
        chart.getPlotItem().invertY(True)
        return chart

    def _positions(self, data) -> BarChart:
        from .charts import BarChart
        chart = BarChart("Position on the paper")
        labels = ("first", "second", "third", "beyond")
        counts = [data["positions"][k] for k in labels]
        chart.add_bars(range(4), counts, "#b07aa1",
                       [f"{k}: {count(n, 'paper')}" + (" (beyond the three names shown)" if k == "beyond" else "")
                        for k, n in zip(labels, counts)], [{"position": k} for k in labels])
        chart.getPlotItem().getAxis("bottom").setTicks([[(float(i), k) for i, k in enumerate(labels)]])
        return chart

    def _chosen(self, selection: dict) -> None:
        if "coauthor" in selection:
            ids = [pid for pid in authors.paper_ids(self.library, self.name)
                   if pid in set(authors.paper_ids(self.library, selection["coauthor"]))]
            label = f"{self.name} with {selection['coauthor']}"
        else:
            ids = authors.paper_ids(self.library, self.name, selection.get("year"), selection.get("category"),
                                    selection.get("position"))
            if selection.get("code"):
                ids = [pid for pid in ids if pid in set(authors.code_paper_ids(self.library, ids))]
            label = f"{self.name}: " + ", ".join(f"{k} {v}" for k, v in selection.items())
        self.papersChosen.emit(label, ids)


AUTHOR_COLORS = ("#4e79a7", "#e15759", "#59a14f", "#b07aa1")


class CompareView(QWidget):
    """Two to four authors on the same axes: papers per year and share with code, plus their key figures."""

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.names: list[str] = []
        self.data: list[dict] = []
        layout = QVBoxLayout(self)
        self.heading = QLabel("Compare authors")
        self.heading.setStyleSheet("font-size: 16px; font-weight: bold;")
        layout.addWidget(self.heading)
        self.table = QLabel("")
        self.table.setTextFormat(Qt.RichText)
        layout.addWidget(self.table)
        self.papers = self.code = None  # the two plots, made on the first comparison (pyqtgraph loads then)
        self.curves: dict[str, tuple] = {}

    def _make_plots(self) -> None:
        from .charts import pg

        self.papers = pg.PlotWidget(background=None, title="Papers per year")
        self.code = pg.PlotWidget(background=None, title="With code, % per year")
        for plot in (self.papers, self.code):
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.addLegend(offset=(5, 5))
            self.layout().addWidget(plot, 1)

    def compare(self, names: list[str]) -> list[dict]:
        if not 2 <= len(names) <= 4:
            raise ValueError("compare two to four authors")
        from .charts import np, pg

        if self.papers is None:
            self._make_plots()
        self.names = list(names)
        self.data = [authors.figures(self.library, n) for n in names]
        self.heading.setText("Compare: " + ", ".join(names))
        rows = "".join(
            f"<tr><td style='color:{AUTHOR_COLORS[i]}'><b>{d['name']}</b></td><td>{d['papers']}</td>"
            f"<td>{d['first_author_papers']}</td><td>{'–'.join(map(str, d['years']))}</td>"
            f"<td>{(d['profile'] or {}).get('h_index', '—')}</td></tr>" for i, d in enumerate(self.data))
        self.table.setText("<table cellspacing=8><tr><th align=left>Author</th><th>Papers</th><th>First author</th>"
                           f"<th>Years</th><th>h-index</th></tr>{rows}</table>")
        for plot in (self.papers, self.code):
            plot.clear()
            plot.getPlotItem().legend.clear()
        self.curves = {}
        # One axis of years for all; a year in which an author has no paper is a gap in their line (NaN, drawn
        # with connect="finite"): not 0 papers or 0% with code, and no line joining the years either side.
        known = [int(y) for d in self.data for y in d["per_year"]]
        span = np.arange(min(known), max(known) + 1, dtype=np.float64) if known else np.array([], dtype=np.float64)
        for i, d in enumerate(self.data):
            pen = pg.mkPen(AUTHOR_COLORS[i], width=2)
            counts = np.array([sum(d["per_year"][str(int(y))].values()) if str(int(y)) in d["per_year"] else np.nan
                               for y in span], dtype=np.float64)
            shares = np.array([d["code_share_per_year"][str(int(y))] * 100
                               if str(int(y)) in d["code_share_per_year"] else np.nan for y in span], dtype=np.float64)
            self.curves[d["name"]] = (
                self.papers.plot(span, counts, pen=pen, symbol="o", symbolBrush=AUTHOR_COLORS[i], name=d["name"],
                                 connect="finite"),
                self.code.plot(span, shares, pen=pen, symbol="o", symbolBrush=AUTHOR_COLORS[i], name=d["name"],
                               connect="finite"),
            )
        self.code.setYRange(0, 100)
        return self.data

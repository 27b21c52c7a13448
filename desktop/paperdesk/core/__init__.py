"""Qt-free core: nothing in this package may import PySide6 or pyqtgraph (tests/test_architecture.py checks)."""

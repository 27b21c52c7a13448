"""Writers that turn library papers (plain dicts from Library.iter_papers) into files people hand on."""

from .tabular import write_csv, write_json

FORMATS = {"json": write_json, "csv": write_csv}

__all__ = ["FORMATS", "write_csv", "write_json"]

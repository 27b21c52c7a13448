"""The two-letter subject codes the listing site shows, and the arXiv classes they stand for."""

from __future__ import annotations

_CS = {
    "AI": "Artificial Intelligence", "AR": "Hardware Architecture", "CC": "Computational Complexity",
    "CE": "Computational Engineering", "CG": "Computational Geometry", "CL": "Computation and Language",
    "CR": "Cryptography and Security", "CV": "Computer Vision", "CY": "Computers and Society",
    "DB": "Databases", "DC": "Distributed Computing", "DL": "Digital Libraries", "DM": "Discrete Mathematics",
    "DS": "Data Structures and Algorithms", "ET": "Emerging Technologies", "FL": "Formal Languages",
    "GL": "General Literature", "GR": "Graphics", "GT": "Computer Science and Game Theory",
    "HC": "Human-Computer Interaction", "IR": "Information Retrieval", "IT": "Information Theory",
    "LG": "Machine Learning", "LO": "Logic in Computer Science", "MA": "Multiagent Systems", "MM": "Multimedia",
    "MS": "Mathematical Software", "NA": "Numerical Analysis", "NE": "Neural and Evolutionary Computing",
    "NI": "Networking and Internet Architecture", "OH": "Other Computer Science", "OS": "Operating Systems",
    "PF": "Performance", "PL": "Programming Languages", "RO": "Robotics", "SC": "Symbolic Computation",
    "SD": "Sound", "SE": "Software Engineering", "SI": "Social and Information Networks",
    "SY": "Systems and Control",
}
_OTHER = {
    "QM": ("q-bio.QM", "Quantitative Methods"), "BM": ("q-bio.BM", "Biomolecules"),
    "GN": ("q-bio.GN", "Genomics"), "NC": ("q-bio.NC", "Neurons and Cognition"),
    "ML": ("stat.ML", "Machine Learning (Statistics)"), "ME": ("stat.ME", "Methodology"),
    "AS": ("eess.AS", "Audio and Speech Processing"), "IV": ("eess.IV", "Image and Video Processing"),
    "SP": ("eess.SP", "Signal Processing"), "OC": ("math.OC", "Optimization and Control"),
}

CATEGORIES: dict[str, tuple[str, str]] = {code: (f"cs.{code}", name) for code, name in _CS.items()}
CATEGORIES.update(_OTHER)


def arxiv_class(code: str | None) -> str | None:
    """``LG`` -> ``cs.LG``; ``QM`` -> ``q-bio.QM``; unknown codes stay as they are."""
    if not code:
        return None
    return CATEGORIES.get(code, (code, ""))[0]


def is_known(code: str) -> bool:
    return code in CATEGORIES

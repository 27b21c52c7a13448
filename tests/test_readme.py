"""The README's two commands stay true: .ci/run runs the very test command the README gives."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    text = (ROOT / "README.md").read_text("utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in text.split("```sh\n")[1:3]]
    return blocks


def test_readme_opens_with_the_start_and_test_commands():
    start, test = readme_commands()
    assert start.endswith("paperdesk") and "pip install" in start
    assert "pytest" in test and "pip install" in test


def test_ci_runs_the_readme_test_command():
    _, test = readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert test in ci_lines
    assert any("QT_QPA_PLATFORM=offscreen" in line for line in ci_lines)

"""The layering of the apps (``[tool.importlinter]`` in pyproject.toml), checked on every run."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "seeds", "events", "matching", "accounts", "core")
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LINT],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layering_and_purity_contracts_are_kept():
    result = _lint(ROOT)
    assert (result.returncode, "Contracts: 2 kept, 0 broken." in result.stdout) == (0, True), result.stdout


def test_an_upward_import_breaks_the_layering(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    selectors = tmp_path / "matching" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nfrom events.models import Event  # noqa\n")
    scoring = tmp_path / "matching" / "scoring.py"
    scoring.write_text(scoring.read_text() + "\nfrom matching.models import Match  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "Contracts: 0 kept, 2 broken." in result.stdout
    assert "matching is not allowed to import events:" in result.stdout
    assert "- matching.selectors -> events.models" in result.stdout
    assert "matching.scoring is not allowed to import matching.models:" in result.stdout

"""The package's shape: pure stages never reach for the archive, the reports or the pipeline
(only the pipeline composes stages)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "monitor"
PURE = ["fetch", "normalise", "meetings", "sites", "diff.py", "text.py", "models.py", "errors.py"]
FORBIDDEN = ("monitor.archive", "monitor.report", "monitor.pipeline")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("stage", PURE)
def test_pure_stages_import_no_archive_report_or_pipeline(stage: str) -> None:
    root = PACKAGE / stage
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
    for path in files:
        bad = sorted(m for m in imports(path) if m.startswith(FORBIDDEN))
        assert bad == [], f"{path.relative_to(PACKAGE.parent)} imports {bad}"


def test_no_sql_outside_the_archive() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "archive"):
            continue
        assert ".db.execute" not in path.read_text(encoding="utf-8"), path

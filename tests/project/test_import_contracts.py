"""The import contracts in pyproject.toml ([tool.importlinter]) hold, and they bite.

Each case copies the apps to a temporary folder, adds one import that points
the wrong way and checks that ``lint-imports`` names the contract it breaks,
so a contract that silently matches nothing (a typo in a module name, a
wildcard that stopped matching) fails here instead of passing forever.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "annotator",
    "accounts",
    "ops",
    "corpora",
    "articles",
    "suggestions",
    "imports",
    "review",
    "datasets",
    "archives",
    "releases",
]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    # Fixed arguments: our own venv's tool.
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # A lower app reaching up into a feature app.
        ("articles/models.py", "from review import models", "Apps are layered"),
        ("corpora/selectors.py", "import articles.selectors.articles", "Apps are layered"),
        # Project plumbing importing an app.
        ("annotator/api/errors.py", "import corpora.models", "Apps are layered"),
        ("annotator/validation.py", "import articles.models", "Apps are layered"),
        # Feature apps are independent of each other.
        ("datasets/selectors.py", "import review.selectors.dashboard", "Apps are layered"),
        # Archives sit on top: nothing imports them.
        ("review/selectors/assignments.py", "import archives.format", "Apps are layered"),
        ("archives/selectors.py", "import archives.services", "Inside an app"),
        ("archives/format.py", "import archives.services", "Leaf modules"),
        # Inside an app: a service importing its app's tasks, a selector a service.
        ("imports/services.py", "import imports.tasks", "Inside an app"),
        ("articles/selectors/counts.py", "import articles.services.articles", "Inside an app"),
        # A leaf module importing a service.
        ("articles/segmenter.py", "import articles.services.annotations", "Leaf modules"),
        # Across apps: a selector calling another app's service, a service a view.
        ("review/selectors/dashboard.py", "import articles.services.annotations", "Across apps"),
        (
            "review/services/agreement.py",
            "import articles.api.views",
            "services call no entry point",
        ),
    ],
)
def test_an_import_pointing_the_wrong_way_breaks_a_contract(tmp_path, module, line, contract):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint_imports(tmp_path).returncode == 0
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout

"""The WSGI application imports every view and freezes its start-up objects out of
the cyclic garbage collector, so a full collection no longer walks them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys, time
import annotator.wsgi
views = [m for m in sys.modules if m.endswith(".views") or ".views." in m or ".api.views" in m]
started = time.perf_counter()
gc.collect()
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views": views,
    "collect_ms": (time.perf_counter() - started) * 1000,
}))
"""


def test_start_up_objects_are_frozen_and_every_view_is_imported(tmp_path):
    env = {**os.environ, "ANNOTATOR_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    # The URL patterns were resolved at import: the views of the core and the features.
    assert "articles.api.views.annotations" in probe["views"]
    assert any(name.startswith("review.") for name in probe["views"])
    # Start-up's objects are frozen; what a full collection still walks is a small rest.
    assert probe["frozen"] > 50_000, probe
    assert probe["tracked"] < probe["frozen"] / 10, probe

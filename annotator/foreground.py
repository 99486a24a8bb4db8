"""Long reads that people wait for, and background work that steps aside for them.

A whole-corpus export streams for seconds while someone waits for the file; a
suggestion training reads and writes tens of thousands of rows in the
background. The worker's processes run below the web server's priority, but
their database work does not: on a busy machine a training beside an export
made the export take nearly twice as long (bench/README.md). So a streaming
export marks itself as a *foreground read* for as long as it streams, and
background work calls ``background_yield`` between its batches: it waits while
any foreground read is in flight, never longer than ``max_seconds`` in all.

The mark needs no writes and cannot outlive its holder:

- PostgreSQL: a shared advisory lock of the export's transaction
  (``pg_try_advisory_xact_lock_shared``), released when the transaction ends,
  whichever web node holds it; the worker asks whether the exclusive lock is
  free and gives it back at once.
- SQLite (one machine by definition): a shared ``flock`` on a file beside the
  database file, released when the exporting process closes it or dies.

Neither side ever blocks on the other: taking the mark never waits (if the
worker happens to hold the lock for its instant, the export simply goes
unmarked), and a worker that cannot tell just goes on.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite exports go unmarked
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

# The advisory lock's key: one 64-bit number for the whole application ("AnnoFgRd").
ADVISORY_KEY = 0x416E6E6F46675264
# How often a yielding worker looks again.
POLL_SECONDS = 0.2


def _lock_path() -> Path | None:
    """The SQLite database's foreground-read lock file; None for an in-memory database."""
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).with_name(Path(name).name + ".foreground.lock")


@contextlib.contextmanager
def foreground_read() -> Iterator[bool]:
    """Mark a long read in flight for as long as the block runs; yields whether it is marked.

    PostgreSQL: call it inside the read's transaction (the mark ends with it).
    """
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            raise RuntimeError("foreground_read on PostgreSQL needs the read's transaction")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [ADVISORY_KEY])
            marked = bool(cursor.fetchone()[0])
        yield marked
        return
    path = _lock_path()
    if fcntl is None or path is None:
        yield False
        return
    try:
        handle = open(path, "a+b")  # noqa: SIM115 - held across the yield, closed below
    except OSError:
        logger.warning("Foreground-read mark %s could not be opened", path, exc_info=True)
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


def foreground_busy() -> bool:
    """Whether any process of this deployment holds a foreground read right now."""
    if connection.vendor == "postgresql":
        # A session lock, given back at once (inside a transaction too).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            free = bool(cursor.fetchone()[0])
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        return not free
    path = _lock_path()
    if fcntl is None or path is None or not path.exists():
        return False
    try:
        with open(path, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def background_yield(max_seconds: float) -> float:
    """Wait while a foreground read is in flight, at most ``max_seconds``; the seconds waited."""
    waited = 0.0
    start = time.monotonic()
    while waited < max_seconds and foreground_busy():
        time.sleep(min(POLL_SECONDS, max_seconds - waited))
        waited = time.monotonic() - start
    return waited

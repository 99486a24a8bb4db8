"""The counter behind every limit: atomic under threads, windows from the first event."""

from __future__ import annotations

import threading
import time

from accounts.throttling import WindowCounter


def test_every_concurrent_hit_is_counted_once():
    """Eight threads, 50 hits each, on LocMemCache: each count from 1 to 400 exactly once."""
    counter = WindowCounter("test-concurrent", 60)
    counts: list[int] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        for _ in range(50):
            counts.append(counter.hit("one-key").count)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 401))
    assert counter.peek("one-key").count == 400


def test_a_window_starts_at_the_first_hit_and_ends_after_its_length(monkeypatch):
    counter = WindowCounter("test-window", 60)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    assert counter.peek("k").count == 0
    assert counter.hit("k").count == 1
    monkeypatch.setattr(time, "time", lambda: now + 45)
    window = counter.hit("k")
    assert window.count == 2
    assert 14.9 < window.resets_in <= 15
    assert counter.hit("other").count == 1  # keys count apart
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert counter.peek("k").count == 0
    assert counter.hit("k").count == 1  # a new window
    counter.clear("k")
    assert counter.peek("k").count == 0

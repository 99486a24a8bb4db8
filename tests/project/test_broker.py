"""annotator/broker.py: the filesystem broker never hands a worker a half-written message."""

from __future__ import annotations

import os
from queue import Empty

import pytest
from kombu import Connection

from annotator import broker


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
        "store_processed": False,
    }
    with Connection(
        "filesystem://", transport="annotator.broker:Transport", transport_options=options
    ) as conn:
        yield conn.default_channel


def test_a_message_is_invisible_until_written_whole(channel, monkeypatch):
    """Between the file's creation and its last byte a worker polling the queue finds
    nothing; then the whole message (kombu's own transport gives it the empty file)."""
    seen_while_writing = []
    replace = os.replace

    def poll_then_replace(src, dst):
        assert os.path.getsize(src) > 0
        try:
            seen_while_writing.append(channel._get("q"))
        except Empty:
            seen_while_writing.append(None)
        replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", poll_then_replace)
    payload = {"body": "x" * 10_000, "headers": {"id": "t1"}}
    channel._put("q", payload)
    assert seen_while_writing == [None]
    assert channel._get("q") == payload
    with pytest.raises(Empty):
        channel._get("q")


def test_every_message_arrives_on_its_queue_and_no_partial_file_is_left(channel):
    for n in range(20):
        channel._put("q", {"n": n})
    channel._put("other", {"n": "other"})
    # In the order of their names (kombu's: the millisecond, then a random id).
    assert sorted(channel._get("q")["n"] for _ in range(20)) == list(range(20))
    assert channel._get("other") == {"n": "other"}
    assert not [name for name in os.listdir(channel.data_folder_in) if name.endswith(".partial")]


def test_filesystem_urls_name_it_and_other_urls_keep_their_transport():
    from kombu.transport.redis import Transport as RedisTransport

    assert isinstance(Connection("filesystem://").transport, broker.Transport)
    assert type(Connection("redis://127.0.0.1:1/0").transport) is RedisTransport


def test_the_embedded_default_uses_it(settings):
    from annotator.celery import app

    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("the filesystem broker is the embedded default's")
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, broker.Transport)

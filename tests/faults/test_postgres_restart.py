"""PostgreSQL restarted in the middle of a label load: every acknowledged label is stored.

A private cluster, the app under gunicorn on it, eight analysts writing labels through the
API with their tokens (docs/api.md: ``PUT /api/sentences/{id}/annotation/``), and
``pg_ctl restart -m fast`` while they write. Clients retry what failed, as the labeling
screen's save queue does. At the end every write that got a 2xx is in the database with the
label and version it was acknowledged with (docs/architecture.md, invariant 3: no label is
lost), a retried write never turned into a conflict, and no answer during the outage was
Django's HTML error page: an API client gets the JSON error shape or a 503.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

import pytest

from tests.plugins.servers import django_command
from tests.plugins.worker import worker_env
from tests.waiting import wait_for

pytestmark = pytest.mark.faults

CLIENTS = 8
SENTENCES = 30
ROUNDS = 3  # each client sets every sentence, then changes it twice (versions 1, 2, 3)
LABELS = ["claim", "speculation"]

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from accounts.services import token_create
from articles.services.articles import article_create
from articles.services.segmentation import article_segment
from corpora.models import Role
from corpora.services.corpora import corpus_create, membership_set

User = get_user_model()
corpus = corpus_create(name="Restart under load", owner=User.objects.create_user("owner"))
tokens = []
for i in range({CLIENTS}):
    user = User.objects.create_user(f"analyst{{i}}")
    membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
    tokens.append(token_create(user=user, name="load")[1])
text = " ".join(
    f"Sentence {{n}} says the minister may have known more, officials said."
    for n in range({SENTENCES})
)
article = article_create(corpus=corpus, text=text, title="Restart")
article_segment(article_id=article.pk, task_id="fault-test-setup")
ids = list(
    article.sentences.filter(kind="sentence").order_by("index").values_list("pk", flat=True)
)
print(json.dumps({{"tokens": tokens, "sentences": ids}}))
"""

STORED = """
import json
from articles.models import Annotation, AnnotationEvent
print(json.dumps({
    "annotations": [
        [a.annotator.username, a.sentence_id, a.label.key, a.version]
        for a in Annotation.objects.select_related("annotator", "label")
    ],
    "events": [
        [e.annotator.username, e.sentence_id, e.new_label, e.version]
        for e in AnnotationEvent.objects.select_related("annotator")
    ],
}))
"""


@dataclass
class ClientLog:
    """What one client was told: acknowledged writes and every answer that was not a 2xx."""

    acks: list[tuple[int, str, int]] = field(default_factory=list)  # sentence, label, version
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # status, type, body
    connection_errors: int = 0
    refused: list[str] = field(default_factory=list)  # 4xx: a retry the server would not take


def label_writer(port: int, token: str, sentence_ids: list[int], log: ClientLog) -> None:
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seen: dict[int, int] = {}
    for round_ in range(ROUNDS):
        for n, sentence_id in enumerate(sentence_ids):
            label = LABELS[(round_ + n) % 2]
            body = json.dumps(
                {"label": label, "note": "", "source": "", "version": seen.get(sentence_id, 0)}
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    conn.request("PUT", f"/api/sentences/{sentence_id}/annotation/", body, headers)
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException):
                    # The answer was lost (the server dropped the connection): the write may
                    # or may not have landed, so send the same write again.
                    log.connection_errors += 1
                    conn.close()
                    time.sleep(0.1)
                    continue
                if response.status in (200, 201):
                    stored = json.loads(data)
                    seen[sentence_id] = stored["version"]
                    log.acks.append((sentence_id, stored["label"], stored["version"]))
                    break
                content_type = response.getheader("Content-Type", "")
                log.errors.append((response.status, content_type, data.decode(errors="replace")))
                if response.status < 500:
                    log.refused.append(
                        f"PUT {sentence_id} {body}: {response.status} {data[:300]!r}"
                    )
                    break
                time.sleep(0.1)
            else:
                log.refused.append(f"PUT {sentence_id} {body}: no 2xx within 60 s")
    conn.close()


def test_every_acknowledged_label_survives_a_postgres_restart_under_load(
    private_postgres, web_server, tmp_path
):
    env = worker_env(
        database_url=private_postgres.url,
        broker_url="filesystem://",  # the refresh tasks the writes queue wait in a folder
        ANNOTATOR_DATA_DIR=str(tmp_path / "data"),
        API_THROTTLE_RATE="1000000/min",
        DEBUG="false",
    )
    django_command(env, "migrate", "--verbosity=0")
    setup = json.loads(django_command(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    assert len(setup["sentences"]) == SENTENCES
    server = web_server(env)

    logs = [ClientLog() for _ in range(CLIENTS)]
    clients = [
        threading.Thread(
            target=label_writer, args=(server.port, token, setup["sentences"], log), daemon=True
        )
        for token, log in zip(setup["tokens"], logs, strict=True)
    ]
    total = CLIENTS * SENTENCES * ROUNDS

    def acked() -> int:
        return sum(len(log.acks) for log in logs)

    for client in clients:
        client.start()
    wait_for(lambda: acked() >= total // 4, timeout=60, message=server.log)
    before_restart = acked()
    private_postgres.restart(mode="fast")
    after_restart = acked()
    for client in clients:
        client.join(120)
    assert not any(client.is_alive() for client in clients), "a client never finished"

    # The restart happened in the middle of the load, not before or after it.
    assert 0 < before_restart <= after_restart < total
    refused = [line for log in logs for line in log.refused]
    assert refused == [], "writes the server would not take on retry:\n" + "\n".join(refused)
    assert acked() == total

    errors = [error for log in logs for error in log.errors]
    dropped = sum(log.connection_errors for log in logs)
    statuses = sorted({error[0] for error in errors})
    print(f"{total} writes; during the restart: {len(errors)} errors {statuses}, {dropped} dropped")
    assert errors or dropped, "the restart never reached a request: it proves nothing"
    html = [error for error in errors if "json" not in error[1]]
    assert html == [], f"answers that were not JSON during the outage: {html[:3]}"
    assert all(error[0] == 503 or "error" in json.loads(error[2]) for error in errors), errors[:3]

    stored = json.loads(django_command(env, "shell", "-c", STORED).strip().splitlines()[-1])
    annotations = {
        (user, sentence): (label, version)
        for user, sentence, label, version in stored["annotations"]
    }
    events = {tuple(event) for event in stored["events"]}
    for i, log in enumerate(logs):
        user = f"analyst{i}"
        last: dict[int, tuple[str, int]] = {}
        for sentence, label, version in log.acks:
            # Each acknowledged change is on record with the version it was answered with...
            assert (user, sentence, label, version) in events
            last[sentence] = (label, version)
        # ...and the label stored now is the last one acknowledged.
        for sentence, value in last.items():
            assert annotations[(user, sentence)] == value
    assert len(annotations) == CLIENTS * SENTENCES

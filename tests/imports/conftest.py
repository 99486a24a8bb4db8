"""Fixtures for import tests: a local web server and helpers to run jobs."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable

import pytest

from imports.models import ImportJob
from imports.services import import_job_run


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is what some tests want


class PageServer:
    """An http.server on 127.0.0.1 answering from a dict of path -> response.

    A path may hold a list of responses, answered in turn (the last one again
    and again), and a delay before answering; ``hits`` counts requests per path.
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes] | list] = {}
        self.delays: dict[str, float] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # http.server's naming
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path, (404, {}, b"not found"))
                if isinstance(route, list):
                    route = route.pop(0) if len(route) > 1 else route[0]
                status, headers, body = route
                time.sleep(server.delays.get(self.path, 0))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8"):
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = (200, {"Content-Type": content_type}, data)

    def redirect(self, path: str, location: str, status: int = 302):
        self.routes[path] = (status, {"Location": location}, b"")

    def sequence(self, path: str, *responses: tuple[int, str]):
        """Answer ``path`` with these (status, HTML body) pairs in turn."""
        self.routes[path] = [
            (status, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
            for status, body in responses
        ]

    def hang(self, path: str, seconds: float):
        """Answer ``path`` only after ``seconds``: longer than the fetch timeout."""
        self.page(path, "<p>too late</p>")
        self.delays[path] = seconds

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def page_server():
    server = PageServer()
    yield server
    server.close()


@pytest.fixture
def allow_local_server(settings):
    """Let the fetcher reach 127.0.0.1 only; other private addresses stay refused."""
    settings.IMPORT_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    return settings


@pytest.fixture
def run_job(django_capture_on_commit_callbacks) -> Callable[[ImportJob], ImportJob]:
    """Run a job in this process, as a worker would, and reload it.

    Segmentation tasks queued on commit are captured, not sent.
    """

    def run(job: ImportJob) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=False):
            import_job_run(job_id=job.pk)
        job.refresh_from_db()
        return job

    return run


NEWS_PAGE = """<!doctype html><html><head>
<title>The Cost of Waiting | The Daily Ledger</title>
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="The Daily Ledger">
<meta property="og:title" content="The Cost of Waiting">
<meta property="article:published_time" content="2025-03-04T10:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics menu</a></li></ul></nav>
<script>window.trackingPixel = "do-not-import";</script>
<article>
<h1>The Cost of Waiting</h1>
<p>The government announced a new spending plan on Monday, according to a statement
published by the finance ministry.</p>
<p>Critics argue that the plan will likely fail. It may cost billions over the next
decade, and few economists expect it to pay for itself.</p>
<p>Supporters say the delay has already cost the country dearly, pointing to figures
from the national statistics office released last week.</p>
</article>
<footer>Subscribe now for unlimited access. Copyright 2025 The Daily Ledger.</footer>
</body></html>"""

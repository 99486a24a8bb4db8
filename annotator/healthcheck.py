"""A container healthcheck: ``python -m annotator.healthcheck /healthz [BASE_URL]``.

Requests the path from the app on this machine (``http://127.0.0.1:8000`` unless
BASE_URL is given) and exits 0 on a 200, else 1 with the answer on stderr.
The Host header is the first name in ALLOWED_HOSTS, so the request passes
Django's host check whatever names the deployment answers to; /healthz and
/readyz are exempt from SECURE_SSL_REDIRECT, so plain HTTP is enough.
Standard library only: it checks the running server, and loading Django for
that every few seconds would cost more than the check.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
TIMEOUT_SECONDS = 10


def host_header() -> str:
    """The first concrete name of ALLOWED_HOSTS (".example.org" -> "example.org")."""
    for name in os.environ.get("ALLOWED_HOSTS", "localhost").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "/healthz"
    base = argv[2] if len(argv) > 2 else DEFAULT_BASE_URL
    if not base.startswith(("http://", "https://")):
        print(f"{base!r} is not an http(s) URL", file=sys.stderr)
        return 2
    # http(s) only, checked above (S310 warns of file: and custom schemes).
    request = urllib.request.Request(base + path, headers={"Host": host_header()})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except OSError as exc:
        print(f"{base}{path}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"{base}{path}: {status} {body[:2000].decode(errors='replace')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

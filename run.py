#!/usr/bin/env python3
"""Set up and run annotator with nothing but Python 3.11+.

    python3 run.py demo    create .venv, migrate, load the demo corpus, and run
                           the web server together with a Celery worker
    python3 run.py test    create .venv with the test tools and run the whole suite

Both create the virtual environment in .venv on first use. ``demo`` uses the
embedded defaults (SQLite and a filesystem broker under ./data) unless
DATABASE_URL / CELERY_BROKER_URL are set. Extra arguments after ``test`` go to
pytest.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[annotator] {message}", flush=True)


def ensure_environment(extras: str) -> None:
    """Create .venv and install the project, again only when pyproject changes."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older python3
        sys.exit("annotator needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing annotator{f' with {extras}' if extras else ''} into .venv")
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-e", spec], cwd=ROOT, check=True
    )
    stamp.write_text(digest)


def manage(*args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, check=True)


def demo() -> int:
    ensure_environment("")
    manage("migrate", "--noinput", "-v", "0")
    manage("load_demo")
    port = os.environ.get("PORT", "8000")
    worker = subprocess.Popen(
        [
            str(PYTHON),
            "-m",
            "celery",
            "-A",
            "annotator",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
        ],
        cwd=ROOT,
    )
    web = subprocess.Popen(
        [
            str(PYTHON),
            "-m",
            "gunicorn",
            "annotator.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--threads=4",
            "--preload",
            "--access-logfile=-",
        ],
        cwd=ROOT,
    )
    say(f"annotator is running at http://127.0.0.1:{port}/ (Ctrl+C stops it)")
    children = [worker, web]

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed else 0


def test(pytest_args: list[str]) -> int:
    ensure_environment("test")
    env = dict(os.environ)
    # Tests never touch the demo's data folder.
    env.setdefault("ANNOTATOR_DATA_DIR", str(ROOT / "data" / "test"))
    return subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in {"demo", "test"}:
        print(__doc__)
        return 2
    if argv[1] == "demo":
        return demo()
    return test(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Private servers for the fault tests: a redis-server and a PostgreSQL cluster of their own.

Fault tests kill, restart and stop servers; they must never do that to the shared ones
(PostgreSQL on 5432, Redis on 6379, RabbitMQ on 5672) that every other test and engineer uses.
These fixtures start their own servers on free ports, with their files in temporary folders,
and always stop them at the end:

- ``private_redis(persistent=...)``: a factory of started :class:`RedisServer` (``.url``,
  ``.kill()`` = SIGKILL, ``.start()`` / ``.restart()`` on the same port and folder, so with
  ``persistent=True`` (``--appendonly yes --appendfsync always``, or ``appendfsync=
  "everysec"`` as docker-compose.yml runs it) the queued messages survive).
- ``private_postgres``: a started :class:`PostgresCluster` from ``initdb`` (trust
  authentication, socket in its own folder) with a fresh database for each test (``.url``);
  ``.restart()``, ``.stop()``, ``.start()``. The cluster lives for the session (``initdb``
  takes a few seconds); each test gets a new, empty database in it.

And what runs on them, as separate processes: :class:`WebServer` (the app under gunicorn)
and :func:`django_command` (``manage.py`` with a given environment, e.g. ``migrate`` or
``shell -c`` to make data through the services against a private database or broker).

Tests that use these fixtures get the ``faults`` marker. Without ``redis-server`` or the
PostgreSQL binaries they skip, except under ``CI=true`` where that is a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugins import IN_CI, ROOT
from tests.waiting import stop_group, wait_started

SERVER_FIXTURES = {"private_redis", "private_postgres", "private_postgres_cluster"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.faults)


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's pick), for a server to bind next."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """A ``redis-server`` process on a private port, with its files in ``directory``."""

    def __init__(self, directory: Path, *, persistent: bool, appendfsync: str = "always") -> None:
        self.directory = directory
        self.persistent = persistent
        self.appendfsync = appendfsync
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = directory / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        command = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--daemonize",
            "no",
        ]
        if self.persistent:
            # Every write reaches the append-only file before Redis answers, so a SIGKILL
            # of the process loses nothing acknowledged (``everysec`` only delays the
            # fsync, which matters when the machine, not the process, dies).
            return [*command, "--appendonly", "yes", "--appendfsync", self.appendfsync]
        return [*command, "--appendonly", "no"]

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self, timeout: float = 15) -> RedisServer:
        if self.running:
            return self
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_started(
            self.proc,
            self.ping,
            what="redis-server",
            output=self.log,
            timeout=timeout,
            interval=0.05,
        )
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; what survives is what the append-only file holds."""
        if self.running:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> RedisServer:
        """Kill and start again on the same port and folder."""
        self.kill()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def private_redis(tmp_path_factory) -> Iterator:
    """Start private Redis servers: ``private_redis(persistent=True)``; all stopped at the end."""
    if not shutil.which("redis-server"):
        _missing("needs redis-server on PATH (apt-get install redis-server)")
    started: list[RedisServer] = []

    def start(*, persistent: bool = False, appendfsync: str = "always") -> RedisServer:
        server = RedisServer(
            tmp_path_factory.mktemp("redis"), persistent=persistent, appendfsync=appendfsync
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.kill()


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL's binaries (Debian keeps them in /usr/lib/postgresql/N/bin)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresCluster:
    """A PostgreSQL cluster from ``initdb`` in its own folder, on a private port.

    PostgreSQL refuses to run as root: when the tests run as root, its commands run as
    the ``postgres`` system user, who then owns the folder.
    """

    def __init__(self, directory: Path, bin_dir: Path) -> None:
        self.directory = directory
        self.bin_dir = bin_dir
        self.data_dir = directory / "data"
        self.log_path = directory / "postgres.log"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            owner = pwd.getpwnam(self.user)
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        self.database = "postgres"

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.directory,
            user=self.user,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{self.log()}"
            )
        return result

    def init(self) -> PostgresCluster:
        self.run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        return self

    def url_for(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """The URL of the current test's database."""
        return self.url_for(self.database)

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            # Only the OS crashing would lose what fsync protects; the tests kill and
            # restart processes, whose writes the page cache keeps either way.
            "-c fsync=off -c max_connections=100"
        )
        self.run(
            "pg_ctl", action, "-D", str(self.data_dir), "-l", str(self.log_path),
            "-o", options, "-w", "-t", "60", *extra,
        )  # fmt: skip

    def start(self) -> PostgresCluster:
        self._ctl("start")
        return self

    def restart(self, mode: str = "fast") -> PostgresCluster:
        """Stop (``fast``: roll back open transactions, drop clients; ``immediate``: crash
        and recover) and start again on the same port and data."""
        self._ctl("restart", "-m", mode)
        return self

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60")

    @property
    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists() and _port_open(self.port)

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self.run(
            "psql", "-h", str(self.directory), "-p", str(self.port), "-U", "postgres",
            "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql,
        ).stdout  # fmt: skip

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""


@pytest.fixture(scope="session")
def private_postgres_cluster() -> Iterator[PostgresCluster]:
    """One private cluster per test process, stopped and removed at the end."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        _missing("needs PostgreSQL's server binaries (initdb, pg_ctl), e.g. /usr/lib/postgresql")
    assert bin_dir is not None
    # Not under pytest's tmp_path: its folders are private to the user running the tests,
    # and the postgres user must reach the socket and data folder.
    directory = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
    directory.chmod(0o755)
    cluster = PostgresCluster(directory, bin_dir).init().start()
    yield cluster
    with contextlib.suppress(Exception):
        cluster.stop(mode="immediate")
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def private_postgres(private_postgres_cluster) -> Iterator[PostgresCluster]:
    """The private cluster, running, with a new empty database for this test (``.url``)."""
    cluster = private_postgres_cluster
    if not cluster.running:
        cluster.start()
    name = f"faults_{uuid.uuid4().hex[:10]}"
    cluster.create_database(name)
    cluster.database = name
    yield cluster
    if not cluster.running:
        cluster.start()
    with contextlib.suppress(Exception):
        cluster.drop_database(name)
    cluster.database = "postgres"


def django_command(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run ``manage.py ARGS`` in a subprocess with ``env``; return its output, raise on failure."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class WebServer:
    """The app under gunicorn (gthread workers, preloaded, as deployed), on a private port."""

    def __init__(
        self, env: dict[str, str], log_path: Path, *, workers: int = 2, threads: int = 4
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> WebServer:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "annotator.wsgi:application",
                    "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(self.workers), "--threads", str(self.threads),
                    "--worker-class", "gthread", "--timeout", "60", "--preload",
                ],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_started(
            self.proc,
            lambda: _port_open(self.port),
            what="gunicorn",
            output=self.log,
            timeout=timeout,
        )
        return self

    def stop(self) -> None:
        stop_group(self.proc, timeout=20)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def web_server(tmp_path) -> Iterator:
    """Start the app under gunicorn with an environment: ``web_server(env)``; stopped at the end."""
    started: list[WebServer] = []

    def start(env: dict[str, str], **options: int) -> WebServer:
        server = WebServer(env, tmp_path / f"gunicorn-{len(started)}.log", **options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()

"""Real servers for tests: Tamis under uvicorn in its own process, and a webhook receiver."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# A start-up on a loaded machine (imports alone took 38 s on a 2-core box at load 21; two
# workers each loading the sentence model took over 120 s at load 27).
START_SECONDS = 300
LISTENING = re.compile(rb"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.02)


class Receiver:
    """A webhook receiver on 127.0.0.1: records what it gets, answers `status`.

    Without `port` it listens where the system puts it (port 0): no port is chosen, released
    and bound again, so no other process can take it in between.
    """

    def __init__(self, port: int | None = None, status: int = 204) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port or 0), Handler)
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[dict[str, str], bytes]]:
        """The first `count` deliveries, waiting for them up to `timeout` seconds."""
        wait_until(
            lambda: len(self.received) >= count,
            timeout,
            f"{count} deliveries (got {len(self.received)})",
        )
        return self.received[:count]


class LiveServer:
    """`tamis serve` in a subprocess, for crashes and real concurrency.

    uvicorn binds port 0 and says which port it got in its log; the tests read it there, so no
    port is chosen, released and bound again (another process could take it in between).
    """

    def __init__(
        self, settings: Settings, workers: int = 1, args: tuple[str, ...] = (), **env: str
    ) -> None:
        self.workers = workers
        self.args = args
        self.port = 0
        self.url = ""
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by kill()/stop()
        self.env = {
            **os.environ,
            "TAMIS_DATABASE_URL": settings.database_url,
            "TAMIS_CRITERIA_DIR": str(settings.criteria_dir),
            "TAMIS_WEBHOOK_POLL_SECONDS": str(settings.webhook_poll_seconds),
            "TAMIS_WEBHOOK_RETRY_BASE_SECONDS": str(settings.webhook_retry_base_seconds),
            "TAMIS_WEBHOOK_ALLOWED_HOSTS": settings.webhook_allowed_hosts,
            # TAMIS_PUBLIC_URL stays the default (or a test's): the port is known only later.
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "LiveServer":
        """Start, read the port it listens on, and wait until /healthz answers."""
        return self.launch().ready()

    def launch(self) -> "LiveServer":
        """Start the process, without waiting for it."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "app.cli", "serve", "--port", "0"),
                *("--workers", str(self.workers)),
                *self.args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        return self

    def ready(self) -> "LiveServer":
        """Read the port it listens on, and wait until /healthz answers."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.output())
            if not self.port:
                listening = LISTENING.search(self.output().encode())
                if listening:
                    self.port = int(listening.group(1))
                    self.url = f"http://127.0.0.1:{self.port}"
            if self.port and self._healthy():
                return self
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start in {START_SECONDS} s:\n{self.output()}")

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def output(self) -> str:
        """What the server wrote so far (uvicorn's log, and the command's own lines)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the server and its worker processes: no shutdown code runs (a crash)."""
        if self.process and self.process.poll() is None:
            children = subprocess.run(
                ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
            self.process.send_signal(signal.SIGKILL)
            for child in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(child), signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """A graceful stop (SIGTERM)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def live_server(
    settings: Settings, workers: int = 1, args: tuple[str, ...] = (), **env: str
) -> Iterator[LiveServer]:
    """A running server, killed at the end whatever happens."""
    server = LiveServer(settings, workers, args, **env).start()
    try:
        yield server
    finally:
        server.kill()
        server.log.close()

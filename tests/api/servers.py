"""Real servers for tests: Tamis under uvicorn in its own process, and a webhook receiver."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from app.core.config import Settings
from tests.pg import free_port

ROOT = Path(__file__).resolve().parents[2]


class Receiver:
    """A webhook receiver on 127.0.0.1: records what it gets, answers `status`."""

    def __init__(self, port: int | None = None, status: int = 204) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[dict[str, str], bytes]]:
        """The first `count` deliveries, waiting for them up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count, f"got {len(self.received)} of {count} deliveries"
        return self.received[:count]


class LiveServer:
    """`tamis serve` in a subprocess on a free port, for crashes and real concurrency."""

    def __init__(self, settings: Settings, workers: int = 1, **env: str) -> None:
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TAMIS_DATABASE_URL": settings.database_url,
            "TAMIS_CRITERIA_DIR": str(settings.criteria_dir),
            "TAMIS_WEBHOOK_POLL_SECONDS": str(settings.webhook_poll_seconds),
            "TAMIS_WEBHOOK_RETRY_BASE_SECONDS": str(settings.webhook_retry_base_seconds),
            "TAMIS_WEBHOOK_ALLOWED_HOSTS": settings.webhook_allowed_hosts,
            "TAMIS_PUBLIC_URL": self.url,
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "LiveServer":
        """Start and wait until /healthz answers."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "app.cli", "serve", "--port", str(self.port)),
                *("--workers", str(self.workers)),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    self.process.stderr.read().decode() if self.process.stderr else ""
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start in 30 s")

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
def live_server(settings: Settings, workers: int = 1, **env: str) -> Iterator[LiveServer]:
    """A running server, killed at the end whatever happens."""
    server = LiveServer(settings, workers, **env).start()
    try:
        yield server
    finally:
        server.kill()

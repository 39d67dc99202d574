"""A throwaway Redis server for the tests of the Redis rate-limit storage, from Debian's binary.

It listens on a free loopback port, keeps nothing on disk, and is stopped at the end. Without
`redis-server` the tests that need it are skipped, except under CI (tests/ci.py), where they fail
(tests/ensure-services.sh installs it).
"""

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.ci import IN_CI
from tests.pg import free_port


@contextmanager
def redis_server() -> Iterator[str]:
    """The URL of a running Redis server on 127.0.0.1, stopped when the block ends."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (tests/ensure-services.sh installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory,
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            import redis

            client = redis.Redis.from_url(url)
            deadline = time.monotonic() + 20
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)

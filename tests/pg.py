"""A throwaway PostgreSQL server for the test session, started from Debian's binaries.

PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user and
its commands run through `runuser`. Each test gets its own database, copied from a migrated
template, so tests never see each other's data.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bin_dir() -> Path | None:
    """The directory of pg_ctl and initdb, newest version first."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    if candidates:
        return Path(candidates[-1])
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server on a free loopback port; yield its URL without a database name."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package 'postgresql')")
    root = Path(tempfile.mkdtemp(prefix="tamis-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-U",
        "tamis",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
    )
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    )
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(root / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://tamis@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)

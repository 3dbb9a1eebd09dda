"""`make run`'s processes under devstack's supervisor: a killed worker comes back by itself
while gunicorn keeps answering, and SIGTERM stops everything."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from config.celery_app import app
from devstack.paths import ROOT
from tests.celery_worker import worker_env

from .processes import Output, free_port, wait_for

pytestmark = pytest.mark.django_db

SUPERVISOR = """
import os, sys
from pathlib import Path
from devstack.app import processes
from devstack.paths import ROOT
from devstack.supervise import supervise
sys.exit(supervise(processes(sys.argv[1], state_dir=Path(sys.argv[2])), os.environ, ROOT))
"""


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()[0] != "Z"


def test_a_killed_worker_is_restarted_while_the_web_serves(tmp_path):
    port = free_port()
    healthz = f"http://127.0.0.1:{port}/healthz"
    env = worker_env({"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2", "HEARTBEAT_INTERVAL": "1"})
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(port), str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
    )
    output = Output(supervisor)
    node = f"registry-run@{socket.gethostname()}"
    try:
        worker_pid = int(output.wait(r"started worker \(pid (\d+)\)").group(1))
        wait_for(lambda: _status(healthz) == 200, timeout=60, what="gunicorn to serve /healthz")
        wait_for(lambda: app.control.ping([node], timeout=0.5), timeout=60, what="the worker")

        os.kill(worker_pid, signal.SIGKILL)

        output.wait(
            rf"worker \(pid {worker_pid}\) exited with status 137 \(killed by SIGKILL\)"
            r" after \d+ s; next restart in 1 s"
        )
        assert _status(healthz) == 200
        restarted = output.wait(r"restarting worker \(restart 1\)")
        assert restarted
        new_pid = int(output.wait(rf"started worker \(pid (?!{worker_pid}\))(\d+)\)").group(1))
        wait_for(lambda: app.control.ping([node], timeout=0.5), timeout=60, what="new worker")
        assert _alive(new_pid)
        assert _status(healthz) == 200
        assert output.search(r"(web|beat) \(pid \d+\) exited") is None

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=40) == 0
        assert not _alive(new_pid)
        assert _status(healthz) == 0
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()

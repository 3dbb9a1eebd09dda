"""The ``make run`` flow: prepare the database, then run the site, a Celery worker and beat."""

import os
import sys

from devstack import services
from devstack.foreground import call
from devstack.paths import ROOT, STATE_DIR
from devstack.supervise import supervise

PREPARE = (["migrate", "--noinput"], ["load_reference_data"], ["seed_demo"])
CELERY = [sys.executable, "-m", "celery", "-A", "config.celery_app"]


def run() -> int:
    """Start the services, prepare the database, then run web, worker and beat until stopped."""
    port = os.environ.get("PORT", "8000")
    with services.running() as env:
        env["PYTHONUNBUFFERED"] = "1"
        for step in PREPARE:
            code = call([sys.executable, "manage.py", *step], env, ROOT)
            if code:
                print(f"devstack: manage.py {step[0]} failed with status {code}", file=sys.stderr)
                return code
        _banner(port, env)
        return supervise(_processes(port), env, ROOT)


def _processes(port: str) -> dict[str, list[str]]:
    return {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        # A node name of its own keeps it apart from workers a test run may start on this host.
        "worker": [*CELERY, "worker", "-l", "info", "-n", "registry-run@%h"],
        "beat": [*CELERY, "beat", "-l", "info", "-s", str(STATE_DIR / "celerybeat-schedule")],
    }


def _banner(port: str, env: dict[str, str]) -> None:
    site = f"http://127.0.0.1:{port}"
    print(
        "\nCredential Registry is starting:\n"
        f"  site      {site}/\n"
        f"  admin     {site}/admin/\n"
        f"  API docs  {site}/api/docs/\n"
        f"  health    {site}/healthz\n"
        f"  database  {env['DATABASE_URL']}\n"
        f"  redis     {env['REDIS_URL']}\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )

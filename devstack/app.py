"""The ``make run`` flow: prepare the database, then run the site, a Celery worker and beat.

The site runs on gunicorn (config/gunicorn.py), as in production; ``RELOAD=1`` (``make dev``)
runs Django's autoreloading runserver instead, for editing code.
"""

import os
import sys
from pathlib import Path

from devstack import services
from devstack.foreground import call
from devstack.paths import ROOT, STATE_DIR
from devstack.supervise import supervise

PREPARE = (
    ["migrate", "--noinput"],
    ["load_reference_data"],
    ["seed_demo"],
    # The statements' signing key, in .devstack/signing-keys (config.settings.local).
    ["signing_keys", "create", "--if-missing"],
)
CELERY = [sys.executable, "-m", "celery", "-A", "config.celery_app"]


def run() -> int:
    """Start the services, prepare the database, then run web, worker and beat until stopped."""
    port = os.environ.get("PORT", "8000")
    reload = os.environ.get("RELOAD", "") not in ("", "0")
    with services.running() as env:
        env["PYTHONUNBUFFERED"] = "1"
        # gunicorn's config.wsgi defaults to production settings; `make run` is development.
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        for step in PREPARE:
            code = call([sys.executable, "manage.py", *step], env, ROOT)
            if code:
                print(f"devstack: manage.py {step[0]} failed with status {code}", file=sys.stderr)
                return code
        _banner(port, env, reload)
        return supervise(processes(port, reload=reload), env, ROOT)


def processes(
    port: str, *, reload: bool = False, state_dir: Path = STATE_DIR
) -> dict[str, list[str]]:
    """Return the commands ``make run`` supervises: web, a worker on every queue, and beat."""
    if reload:
        web = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    else:
        web = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "-c", str(ROOT / "config" / "gunicorn.py"), "--bind", f"127.0.0.1:{port}",
        ]  # fmt: skip
    return {
        "web": web,
        # No -Q: the worker consumes every queue in CELERY_TASK_QUEUES. A node name of its own
        # keeps it apart from workers a test run may start on this host.
        "worker": [*CELERY, "worker", "-l", "info", "-n", "registry-run@%h"],
        "beat": [*CELERY, "beat", "-l", "info", "-s", str(state_dir / "celerybeat-schedule")],
    }


def _banner(port: str, env: dict[str, str], reload: bool) -> None:
    site = f"http://127.0.0.1:{port}"
    server = "runserver, reloading on code changes" if reload else "gunicorn"
    print(
        "\nCredential Registry is starting:\n"
        f"  site      {site}/ ({server})\n"
        f"  admin     {site}/admin/\n"
        f"  API docs  {site}/api/docs/\n"
        f"  health    {site}/healthz\n"
        f"  database  {env['DATABASE_URL']}\n"
        f"  redis     {env['REDIS_URL']}\n"
        "A worker or beat that stops is restarted; Ctrl-C stops everything.\n",
        flush=True,
    )

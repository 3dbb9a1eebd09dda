"""Command line: ``python -m devstack up|down|status|exec -- CMD ARGS...|run``."""

import argparse
import os
import signal
import sys
from collections.abc import Callable

from devstack import services
from devstack.app import run
from devstack.errors import DevstackError
from devstack.foreground import call


def up(_args: argparse.Namespace) -> int:
    """Start whatever the environment does not already point at and print the URLs."""
    started: list[services.Service] = []
    env = services.ensure(os.environ, started)
    fresh = {service.name for service in started}
    for service in services.all_services():
        if os.environ.get(service.env_var):
            note = f"not managed, {service.env_var} is set"
        else:
            note = "started" if service.name in fresh else "already running"
        print(f"devstack: {service.name} {note}", file=sys.stderr)
        names = [service.env_var] if os.environ.get(service.env_var) else service.environment()
        for name in names:
            print(f"{name}={env[name]}")
    return 0


def down(_args: argparse.Namespace) -> int:
    """Stop every service devstack runs in this checkout, whatever the environment says."""
    stopped = {service.name for service in services.stop(services.all_services())}
    for service in services.all_services():
        print(f"{service.name}: {'stopped' if service.name in stopped else 'was not running'}")
    return 0


def status(_args: argparse.Namespace) -> int:
    """Print whether each service runs, and where."""
    for service in services.all_services():
        pid = service.pid()
        state = f"running, pid {pid}, {service.url()}" if pid else "stopped"
        if os.environ.get(service.env_var):
            state += f" (not used: {service.env_var} is set)"
        print(f"{service.name}: {state}")
    return 0


def exec_(args: argparse.Namespace) -> int:
    """Run a command with DATABASE_URL and REDIS_URL set, then stop what this call started."""
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise DevstackError("exec needs a command: python -m devstack exec -- CMD ARGS...")
    with services.running() as env:
        return call(command, env)


def run_(_args: argparse.Namespace) -> int:
    """Migrate, load reference and demo data, then run web, worker and beat until stopped."""
    return run()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="Project-local PostgreSQL and Redis, started only where DATABASE_URL and "
        "REDIS_URL are unset. Settings: DEVSTACK_PG_PORT (55432), DEVSTACK_REDIS_PORT (56379), "
        "DEVSTACK_REDIS_DB (0), DEVSTACK_PG_DURABLE (1; 0 starts PostgreSQL without fsync, "
        "for a server that holds only test databases).",
    )
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "up": up, "down": down, "status": status, "exec": exec_, "run": run_,
    }  # fmt: skip
    for name, handler in handlers.items():
        sub = commands.add_parser(name, help=(handler.__doc__ or "").splitlines()[0])
        sub.set_defaults(handler=handler)
        if name == "exec":
            sub.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    return parser


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; return the exit status."""
    args = _parser().parse_args(argv)
    # SIGTERM and SIGHUP unwind like Ctrl-C, so services this process started get stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        return args.handler(args)
    except DevstackError as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("devstack: interrupted", file=sys.stderr)
        return 130

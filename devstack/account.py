"""The unprivileged account PostgreSQL runs as when devstack itself runs as root."""

import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.errors import DevstackError

NAME = "registry-pg"


@dataclass(frozen=True)
class Account:
    """A system account to run server processes as."""

    name: str
    uid: int
    gid: int

    def popen_kwargs(self) -> dict[str, Any]:
        """Return the subprocess arguments that drop root for this account."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def own(self, path: Path) -> None:
        """Give ``path`` (not its contents) to this account."""
        os.chown(path, self.uid, self.gid)


def postgres_account() -> Account | None:
    """Return the account to run PostgreSQL as, creating it if needed; None when not root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(NAME)
    except KeyError:
        entry = _create()
    return Account(NAME, entry.pw_uid, entry.pw_gid)


def _create() -> pwd.struct_passwd:
    command = [
        "useradd", "--system", "--user-group", "--no-create-home",
        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", NAME,
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise DevstackError(f"PostgreSQL won't run as root, and useradd is missing: {exc}") from exc
    except subprocess.CalledProcessError as exc:
        if not _exists():
            raise DevstackError(f"could not create user {NAME}: {exc.stderr.strip()}") from exc
    return pwd.getpwnam(NAME)


def _exists() -> bool:
    try:
        pwd.getpwnam(NAME)
    except KeyError:
        return False
    return True


def make_traversable(path: Path) -> None:
    """Let every user walk down to ``path``: add o+x to each ancestor folder that lacks it."""
    for folder in path.resolve().parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)

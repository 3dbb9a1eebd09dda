"""The apps' import graph: no cycles, and no import from a lower layer to a higher one.

Every module under the project's packages is parsed with `ast`, imports inside functions
included, so a cycle cannot hide behind a lazy import. See
docs/decisions/0003-apps-in-layers-that-only-point-down.md.
"""

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The layer table. A module belongs to the unit of its longest prefix in UNITS; a unit may
# import its own modules, any lower layer's, and a peer's only where PEERS allows it.
LAYERS: dict[str, int] = {
    # Project plumbing every app may use: abstract models, form helpers, the Celery task
    # base, the shared Redis client. It imports no app.
    "config": 0,
    "qualifications": 1,
    "providers": 1,
    # Sign-in lockout and two-factor: user accounts, no register data.
    "accounts": 1,
    # The register: models, lifecycle, services, selectors, search, interop, public pages.
    "credentials": 2,
    "qa_reviews": 3,
    "imports": 3,
    "status_checks": 3,
    # Backup and restore of the whole database; a restore marks the search caches stale.
    "operations": 3,
    # Signed registry statements, did:web and the status lists: read the register and QA.
    "statements": 3,
    # The public change feed, its Atom view of a search, and webhook deliveries.
    "changes": 3,
    # Composes the domains into the provider workspace and the staff pages.
    "workspace": 4,
    # Following records and searches by e-mail, told from the change feed.
    "follows": 4,
    # Demo data and benchmarks load through every app's services.
    "demo": 5,
    "benchmarks": 5,
    # The URL confs mount every app.
    "site": 6,
}

UNITS: dict[str, str] = {
    **{name: name for name in LAYERS if name != "site"},
    "config.urls": "site",
    "config.api_urls": "site",
}

# Imports allowed between units of one layer, each with its reason; never both ways.
PEERS: dict[tuple[str, str], str] = {
    ("status_checks", "qa_reviews"): "open QA conditions are facts the status rules weigh",
    ("imports", "status_checks"): "imported status words fold through the register vocabulary",
    ("statements", "qa_reviews"): "a registry statement states the record's latest QA decision",
}

PACKAGES = sorted({prefix.split(".")[0] for prefix in UNITS})


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module under the project's packages, by dotted name."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = package[: len(package) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its body.

    ``from package import name`` points at the submodule when ``name`` is one, else at the
    package itself; either way the packages above it count too.
    """
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = _imported(name, path, node)
            if isinstance(node, ast.ImportFrom):
                submodules = [t for t in targets[1:] if t in modules]
                targets = submodules or targets[:1]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                # Importing a.b.c first runs a/__init__ and a/b/__init__, unless this module
                # sits inside them and they are already running.
                while target and not (name + ".").startswith(target + "."):
                    graph[name].add(target)
                    target = target.rpartition(".")[0]
    return graph


def unit(module: str) -> str:
    """The unit a module belongs to: that of its longest prefix in UNITS."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in UNITS:
            return UNITS[prefix]
    raise LookupError(f"{module} has no row in UNITS")


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def unit_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    units: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        for target in targets:
            if unit(module) != unit(target):
                units[unit(module)].add(unit(target))
    return units


def upward_imports(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports that point up a layer, or sideways without a PEERS entry."""
    wrong = []
    for module, targets in sorted(graph.items()):
        source = unit(module)
        for target in sorted(targets):
            dest = unit(target)
            if source == dest or LAYERS[dest] < LAYERS[source]:
                continue
            if LAYERS[dest] == LAYERS[source] and (source, dest) in PEERS:
                continue
            wrong.append(f"{module} ({source}, layer {LAYERS[source]}) imports {target} ({dest})")
    return wrong


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(project_modules())


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if not any(m == p or m.startswith(p + ".") for p in UNITS)] == []
    assert set(UNITS.values()) == set(LAYERS)


def test_no_module_imports_a_higher_layer(graph):
    assert upward_imports(graph) == []


def test_no_import_cycle_between_modules(graph):
    assert cycles(graph) == []


def test_no_import_cycle_between_apps(graph):
    assert cycles(unit_graph(graph)) == []


def test_peer_imports_run_one_way():
    assert [(a, b) for a, b in PEERS if (b, a) in PEERS] == []


def test_the_checks_see_a_lazy_import_cycle_and_an_upward_import(tmp_path):
    """The walker itself: an import inside a function counts, and so does its direction."""
    (tmp_path / "credentials").mkdir()
    (tmp_path / "credentials" / "__init__.py").write_text("")
    (tmp_path / "credentials" / "services.py").write_text(
        "def start():\n    from .tasks import run\n"
    )
    (tmp_path / "credentials" / "tasks.py").write_text(
        "from .services import start\nfrom workspace.views import page\n"
    )
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "__init__.py").write_text("")
    (tmp_path / "workspace" / "views.py").write_text("import credentials\n")

    graph = import_graph(project_modules(tmp_path))

    assert cycles(graph) == [["credentials.services", "credentials.tasks"]]
    assert cycles(unit_graph(graph)) == [["credentials", "workspace"]]
    assert upward_imports(graph) == [
        "credentials.tasks (credentials, layer 2) imports workspace (workspace)",
        "credentials.tasks (credentials, layer 2) imports workspace.views (workspace)",
    ]

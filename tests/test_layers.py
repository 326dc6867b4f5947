"""The parts of the code import one way (README, "How the code is organised"): a test that fails
when an import breaks the direction, forms a circle, or brings Flask into the core; and in the web
app, when a part (officer, commissioner, admin) imports another, or the core imports a part."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each part of planner/ may import, besides itself. cli and web sit on top.
MAY_IMPORT = {
    "data": set(),
    "match": {"data"},
    "forecast": {"data"},
    "simulate": {"data", "match", "forecast"},
    "sources": {"data"},
    "demo": {"data", "forecast", "simulate", "sources"},
    "cli": {"data", "match", "forecast", "simulate", "sources", "demo"},
}
# The web app: each part imports the core and the planner, never another part; the core imports
# no part. web/__init__.py (create_app) sits on top of them all.
WEB_PARTS = ("core", "officer", "commissioner", "admin")
WEB_ONLY = ("flask", "flask_login", "flask_wtf", "wtforms", "sqlalchemy", "alembic", "werkzeug", "folium")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in the file (inside functions too)."""
    found: set[str] = set()
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            # `from planner.match import batch` imports the module planner.match.batch; a name that
            # is not a module (`from web import create_app`) is taken from the package itself.
            for a in node.names:
                sub = f"{module}.{a.name}"
                found.add(sub if _is_module(sub) else module)
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for d in ("planner", "web") for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]
    modules = {_module_name(p): p for p in files}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "planner" and len(parts) > 1 else None


def _web_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "web" and len(parts) > 1 else None


GRAPH = _graph()


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _part(m) in MAY_IMPORT))
def test_each_part_of_the_planner_imports_only_the_parts_below_it(module: str) -> None:
    part = _part(module)
    assert part is not None
    wrong = sorted(m for m in GRAPH[module] if m.startswith("web") or
                   (_part(m) not in (None, part) and _part(m) not in MAY_IMPORT[part]))  # fmt: skip
    allowed = {  # `planner serve` starts the web app; `planner db|users` work on its database
        "planner.cli.web": ["web.core.serve"],
        "planner.cli.admin": [
            "web.core.accounts",
            "web.admin.backup",
            "web.admin.restore",
            "web.core.db",
            "web.admin.operations",
        ],
    }.get(module, [])
    assert [m for m in wrong if m not in allowed] == []


def test_every_module_of_the_planner_belongs_to_a_part() -> None:
    loose = [m for m in GRAPH if m.startswith("planner.") and _part(m) not in MAY_IMPORT]
    assert sorted(loose) == ["planner.__main__"]


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _web_part(m) in WEB_PARTS))
def test_each_part_of_the_web_app_imports_only_itself_the_core_and_the_planner(module: str) -> None:
    part = _web_part(module)
    may = {part, "core"}
    wrong = sorted(m for m in GRAPH[module] if m.split(".")[0] == "web" and _web_part(m) not in may)
    # `planner serve` runs the whole app: serve makes it with create_app, the one way up.
    allowed = {"web.core.serve": ["web"]}.get(module, [])
    assert [m for m in wrong if m not in allowed] == []


def test_every_module_of_the_web_app_belongs_to_the_core_or_a_part() -> None:
    loose = [m for m in GRAPH if m.split(".")[0] == "web" and _web_part(m) not in WEB_PARTS]
    assert sorted(loose) == ["web"]


def test_the_app_package_holds_only_the_factory() -> None:
    tree = ast.parse((ROOT / "web" / "__init__.py").read_text(encoding="utf-8"))
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assigned = [n for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign)]
    assert (defined, assigned) == (["create_app", "_register_blueprints"], [])


def test_each_part_keeps_its_templates_in_a_folder_of_its_own_name() -> None:
    # Flask looks for a template in every blueprint's folder in turn, so two parts' "person.html"
    # would be one of them, silently: each part's are named "<part>/...".
    stray = [
        str(p.relative_to(ROOT))
        for part in WEB_PARTS[1:]
        for p in (ROOT / "web" / part).rglob("templates/**/*.html")
        if p.relative_to(ROOT / "web" / part / "templates").parts[0] != part
    ]
    assert stray == []


def test_the_core_never_imports_the_web_stack_and_only_the_cli_imports_click() -> None:
    offenders = []
    for path in (ROOT / "planner").rglob("*.py"):
        top = {m.split(".")[0] for m in _imports(path)}
        banned = set(WEB_ONLY) | ({"click"} if "cli" not in path.parts else set())
        offenders += [f"{path.relative_to(ROOT)} imports {m}" for m in sorted(top & banned)]
    assert offenders == []


def test_no_module_imports_itself_through_a_circle() -> None:
    # Tarjan's strongly connected components: any component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert circles == []


def test_no_module_is_longer_than_one_sitting() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for d in ("planner", "web")
        for p in (ROOT / d).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}

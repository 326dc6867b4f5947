"""The command line starts at once: `planner --help` and `planner COMMAND --help` load none of the
heavy libraries, one person's options from a kept batch answer load no solver, and the parts'
packages import their names on first use (planner.data.lazy). Checked in fresh interpreters
with `python -X importtime`, which lists every module a process imports. A command also runs
with numpy's 2 MB pages off unless asked for (what a fresh process pays most for at England
scale)."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from planner.cli import cli

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "pandas",
    "ortools",
    "shapely",
    "statsmodels",
    "matplotlib",
    "geopandas",
    "scipy",
    "flask",
    "sqlalchemy",
)


# What the commands work with once their input is known to be good; reading and checking CSV and
# YAML needs pandas and PyYAML at most.
SOLVERS_AND_MODELS = ("ortools", "scipy", "statsmodels", "matplotlib", "geopandas", "shapely", "tqdm")


def _imported(*args: str, status: int = 0) -> set[str]:
    """Top-level packages `python -m planner ARGS` imports (checking it exits with `status`)."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "planner", *args],
                         capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    assert run.returncode == status, run.stderr[-2000:]
    names = {
        line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")
    }
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_loads_no_heavy_library(command: str | None) -> None:
    loaded = _imported(*([command] if command else []), "--help")
    assert "click" in loaded  # the check sees imports at all
    assert sorted(loaded & set(HEAVY)) == []


def _bad_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "young_people.csv").write_text("person_id\nYP-1\n", encoding="utf-8")
    (folder / "schemes.csv").write_text("scheme_id\nS-1\n", encoding="utf-8")
    (folder / "referrals.csv").write_text("person_id\nYP-1\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["match", "{bad}", "--date", "2026-11-23"],
        ["options", "{bad}", "YP-1", "--date", "2026-11-23"],
        ["validate", "{bad}"],
        ["forecast", "{bad}"],
        ["scenario", "{yaml}", "--out", "{out}"],
        ["scenario", "{bad_data_yaml}", "--out", "{out}"],
        ["commission", "{yaml}", "--budget", "1000", "--out", "{out}"],
        ["demo", "{out}", "--county", "Atlantis"],
        ["import-903", "{empty}", "--out", "{out}"],
    ],
    ids=lambda c: " ".join(c[:1] + [a for a in c[1:] if not a.startswith("{")]),
)
def test_bad_input_is_reported_before_any_solver_or_model_is_imported(
    tmp_path: Path, command: list[str]
) -> None:
    bad = _bad_folder(tmp_path / "bad")
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken.yaml").write_text("name: x\nstart: [\n", encoding="utf-8")
    (tmp_path / "bad_data.yaml").write_text(
        f"name: x\ndata: {bad}\nstart: 2026-11-23\nmonths: 12\nruns: 2\n", encoding="utf-8"
    )
    where = {"bad": bad, "yaml": tmp_path / "broken.yaml", "bad_data_yaml": tmp_path / "bad_data.yaml",
             "out": tmp_path / "out", "empty": tmp_path / "empty"}  # fmt: skip
    loaded = _imported(*(a.format(**where) for a in command), status=2)
    assert "click" in loaded
    assert sorted(loaded & set(SOLVERS_AND_MODELS)) == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_one_persons_options_from_a_kept_answer_load_no_solver(tmp_path: Path) -> None:
    from planner.demo.county import write_demo

    write_demo(tmp_path, people=120, seed=4)
    assert subprocess.run([sys.executable, "-m", "planner", "match", str(tmp_path), "--date", "2026-11-23"],
                          capture_output=True, cwd=ROOT, check=False).returncode == 0  # fmt: skip
    person = (tmp_path / "young_people.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    loaded = _imported("options", str(tmp_path), person, "--date", "2026-11-23")
    assert "pandas" in loaded and "ortools" not in loaded and "statsmodels" not in loaded


@pytest.mark.parametrize("package", ["planner.match", "planner.forecast", "planner.simulate"])
def test_each_parts_public_names_are_the_ones_it_types_and_all_import(package: str) -> None:
    module = importlib.import_module(package)
    source = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    typed = {
        alias.name
        for node in ast.walk(source)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for stmt in node.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    assert set(module.__all__) == typed
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_a_public_name_shared_with_its_module_stays_the_function() -> None:
    import planner.match.options  # binds the submodule on the package: the name must not change
    from planner.match import options

    assert callable(options) and not isinstance(options, types.ModuleType)
    assert planner.match.options is options


def _hugepage_after_command(env: dict[str, str]) -> str:
    """numpy's 2 MB page setting in a process that ran a `planner` command, then imported numpy."""
    code = (
        "import sys\nfrom planner.cli import main\nsys.argv = ['planner', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import numpy\nprint(numpy._core.multiarray._get_madvise_hugepage())"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"} | env
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=env, check=True)  # fmt: skip
    return run.stdout.split()[-1]


def test_commands_run_without_numpys_2mb_pages_unless_asked() -> None:
    # A command touches each page once: 2 MB pages only cost it their zeroing (benchmarks/README).
    assert _hugepage_after_command({}) == "False"
    assert _hugepage_after_command({"NUMPY_MADVISE_HUGEPAGE": "1"}) == "True"

"""Set-up for a newcomer (issue 29, finding 7): `make run PORT=...` serves on that port and says
its address; `make notebooks` installs and opens JupyterLab, `make notebooks-run` runs them; the
notebooks write their figures beside themselves (notebooks/figures/, git-ignored)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _make(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("no make")
    done = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def test_make_run_serves_on_the_port_asked_for() -> None:
    assert "planner serve --demo --date 2026-11-23 --port 5055" in _make("run", "PORT=5055")
    assert "--port 5000" in _make("run")


def test_planner_serve_prints_the_address_on_the_port_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import web.core.serve as serve

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/planner.sqlite")
    monkeypatch.setattr(serve, "run", lambda ready, host, port: None)  # not serving in a test
    monkeypatch.setattr(serve, "seed_demo", lambda app, on: {"people": 0, "schemes": 0})
    result = CliRunner().invoke(cli, ["serve", "--demo", "--date", "2026-11-23", "--port", "5055"])
    assert result.exit_code == 0, result.output
    assert "Serving the care leaver accommodation planner at http://127.0.0.1:5055/" in result.output


def test_make_notebooks_installs_jupyterlab_and_runs_or_opens_them() -> None:
    dev = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert any(line.startswith("jupyterlab==") for line in dev.splitlines())
    assert "jupyter lab --notebook-dir=notebooks" in _make("notebooks")
    assert "jupyter nbconvert --to notebook --execute" in _make("notebooks-run")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make notebooks" in readme and "make notebooks-run" in readme


def test_notebook_figures_are_written_beside_the_notebooks() -> None:
    assert "/notebooks/figures/" in (ROOT / ".gitignore").read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        code = "".join(
            "".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
        )
        assert 'Path.cwd() / "figures"' in code, path.name
        assert 'PLANNER_NOTEBOOK_OUT") or tempfile' not in code, path.name

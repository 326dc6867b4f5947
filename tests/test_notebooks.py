"""The analysts' notebooks are stored without outputs and run top to bottom, so they cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_the_four_analyst_notebooks_exist() -> None:
    assert ALL == [
        "01_capacity_forecast.ipynb",
        "02_scenarios.ipynb",
        "03_backtest.ipynb",
        "04_published_forecast.ipynb",
    ]


@pytest.mark.parametrize("name", ALL)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.notebook
@pytest.mark.parametrize("name", ALL)
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    if name.startswith("01"):
        assert (tmp_path / "fan_charts.png").stat().st_size > 10_000
        assert (tmp_path / "shortfall_map.png").stat().st_size > 10_000
        html = (tmp_path / "shortfall_map.html").read_text(encoding="utf-8")
        assert "E07000079" in html  # the districts' GeoJSON is in the page
    if name.startswith("04"):
        for png in ("published_fan.png", "published_neighbours.png", "published_places.png"):
            assert (tmp_path / png).stat().st_size > 10_000
        text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
        assert "Gloucestershire (E10000013); neighbours: South Gloucestershire (E06000025)" in text
    if name.startswith("02"):
        assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) >= 3

"""Shared fixtures. Keep them small; add yours with a short, separate edit."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "example"


@pytest.fixture
def example_dir() -> Path:
    """The shipped valid example folder (read only: copy it before changing anything)."""
    return EXAMPLE_DIR


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of data/example, for tests that break one file."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE_DIR, folder)
    return folder


def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell of a CSV file: `row` as a spreadsheet shows it (header is row 1)."""
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    records[row - 1][records[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def set_cell() -> Callable[[Path, int, str, str], None]:
    """`set_cell(path, row, column, value)`: break (or fix) one cell of a CSV file."""
    return _set_cell


# Web app fixtures (real app, SQLite and PostgreSQL): see web_support.py.
from web_support import empty_database, postgres_url, sign_in, web_app  # noqa: E402, F401

"""An SSDA903 import's history (referrals.csv and cohort.csv with district `unknown` for care
leavers without a postcode in England) uploads to the web app whole, and the forecast the map
shows reads it back, shared out over the council's districts."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
from flask import Flask
from web_support import SignIn

from planner.forecast.demand import ForecastInputs, forecast
from planner.sources import import_903, write_import
from web.core.db import get_db
from web.core.store import cohort_frame, referrals_frame, schemes_frame

RETURN = Path(__file__).resolve().parent / "data" / "ssda903"


def test_a_history_with_unknown_districts_uploads_and_forecasts(
    web_app: Flask, sign_in: SignIn, tmp_path: Path
) -> None:
    write_import(import_903(RETURN, salt="w", today=date(2026, 6, 1)), tmp_path)
    written = pd.read_csv(tmp_path / "referrals.csv", dtype=str, keep_default_na=False)
    written.loc[:4, "home_district"] = "unknown"  # as for care leavers who left before the returns
    written.to_csv(tmp_path / "referrals.csv", index=False)
    files = {
        name: (io.BytesIO((tmp_path / name).read_bytes()), name) for name in ("referrals.csv", "cohort.csv")
    }
    response = sign_in("officer").post(
        "/imports/history", data={"referrals": files["referrals.csv"], "cohort": files["cohort.csv"]}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with web_app.app_context():
        db = get_db()
        referrals, cohort, schemes = referrals_frame(db), cohort_frame(db), schemes_frame(db)
    assert (referrals["home_district"] == "unknown").any() and (cohort["district"] == "unknown").any()
    result = forecast(ForecastInputs(referrals, cohort, schemes), months=6, start="2026-04", runs=100)
    assert "unknown" not in set(result.table["district"])
    assert (referrals["home_district"] == "unknown").sum() == 5  # stored as written, nothing dropped
    assert result.table["demand_mean"].sum() > 0

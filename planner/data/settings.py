"""Configuration from the environment, read once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    secret_key: str | None
    data_dir: Path | None  # the full public tables, for analyses (PLANNER_DATA_DIR)
    log_level: str
    map_tiles_url: str | None
    map_tiles_attribution: str | None
    trusted_hosts: tuple[str, ...] = ()  # the web app's host names (TRUSTED_HOSTS, comma separated)
    proxies: int = 0  # reverse proxies in front of the web app (PLANNER_PROXIES)
    horizon_days: int = 28  # PLANNER_HORIZON_DAYS: who a batch places (data contract v1.1's horizon)
    # PLANNER_BNB_ALERT_NIGHTS: officers are alerted to anyone in B&B or emergency accommodation longer
    bnb_alert_nights: int = 7

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        data_dir = e.get("PLANNER_DATA_DIR")
        return cls(
            database_url=e.get("DATABASE_URL") or None,
            secret_key=e.get("SECRET_KEY") or None,
            data_dir=Path(data_dir) if data_dir else None,
            log_level=e.get("LOG_LEVEL", "WARNING").upper(),
            map_tiles_url=e.get("PLANNER_MAP_TILES_URL") or None,
            map_tiles_attribution=e.get("PLANNER_MAP_TILES_ATTRIBUTION") or None,
            trusted_hosts=tuple(h.strip() for h in e.get("TRUSTED_HOSTS", "").split(",") if h.strip()),
            proxies=int(e.get("PLANNER_PROXIES") or 0),
            horizon_days=_days(e.get("PLANNER_HORIZON_DAYS", "28")),
            bnb_alert_nights=_days(e.get("PLANNER_BNB_ALERT_NIGHTS", "7"), "PLANNER_BNB_ALERT_NIGHTS"),
        )


def _days(text: str, name: str = "PLANNER_HORIZON_DAYS") -> int:
    if not text.strip().isdigit() or int(text) > 366:
        raise ValueError(f"{name} must be a whole number of days from 0 to 366, not {text!r}")
    return int(text)

"""A realistic, deterministic synthetic county in data contract v1.1 (`planner demo`).

Young people are calibrated on the council's own DfE care leaver figures (numbers by age,
suitability of accommodation, activity) and spread over its districts by ONS population aged
16-25; schemes follow the types, sizes and costs of English supported accommodation, with
supply short in the east of the council. The figures and their sources are in
`planner.demo.calibration` (`calibration(county).figures`). Same seed, same bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data.contract import PEOPLE, SCHEMES, Dataset, due_within, load_folder
from planner.data.districts import find_council
from planner.data.table import format_table, read_table, with_optional
from planner.data.vocab import OWN_TENANCY, STAYING_PUT
from planner.demo import targets
from planner.demo.calibration import MIN_PEOPLE, Calibration, calibrate
from planner.demo.history import generate_history, write_tables
from planner.demo.nominations import nominations
from planner.demo.occupancy import demo_stays, in_use
from planner.demo.people import make_people
from planner.demo.schemes import TYPES, make_schemes, staying_put
from planner.demo.waiting import expected_size
from planner.forecast.history import History

log = logging.getLogger(__name__)

DEFAULT_DATE = date(2026, 11, 23)


def calibration(county: str = "Gloucestershire") -> Calibration:
    """The public figures a demo for `county` (name or ONS code) is calibrated on.

    Raises LookupError, with a message naming what was expected, for an unknown council.
    """
    return calibrate(find_council(county))


def _prefix(kind: str, council_code: str) -> str:
    # Pseudonymous and the same for every seed, so ids from one council never clash with another's.
    return f"{kind}-{hashlib.sha1(council_code.encode()).hexdigest()[:4].upper()}"


def _tables(cal: Calibration, people: int | None, seed: int, on: date, history: History) -> tuple[str, str]:
    # At least MIN_PEOPLE, so that the smallest council (Isles of Scilly) still gives a usable demo.
    n = max(MIN_PEOPLE, round(expected_size(cal))) if people is None else people
    if n < 1:
        raise ValueError(f"people must be at least 1, not {n}")
    # One generator for people, one for schemes: changing the people model leaves schemes as they were.
    rng_people, rng_schemes = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    rng_staying_put = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])
    young = make_people(cal, n, rng_people, on, _prefix("YP", cal.council.code))
    # Vacancies follow the coming weeks: those due within the horizon, but for the staying put
    # (their own carers' place is reserved for them).
    due = young[due_within(young, on=on) & (young["flow"] != "staying_put").to_numpy()]
    # Places in use as the scenario simulation will read the history: its stays, fitted.
    ref = history.referrals
    using = in_use(demo_stays(ref, on, tuple(sorted({*TYPES, OWN_TENANCY, STAYING_PUT}))), ref, on)
    schemes = make_schemes(cal, due, rng_schemes, _prefix("SC", cal.council.code), using)
    nominated = nominations(cal, using.of(OWN_TENANCY), rng_schemes, prefix=_prefix("SC", cal.council.code),
                            first=len(schemes) + 1)  # fmt: skip
    schemes = pd.concat([schemes, nominated], ignore_index=True)
    carers, _ = staying_put(young, cal, rng_staying_put, on=on, prefix=_prefix("SC", cal.council.code),
                            first=len(schemes) + 1)  # fmt: skip
    schemes = pd.concat([schemes, carers], ignore_index=True)
    log.info("demo %s: %d people, %d schemes", cal.council.name, len(young), len(schemes))
    young, schemes = with_optional(young, PEOPLE), with_optional(schemes, SCHEMES)
    people_csv = format_table(young[list(PEOPLE.names)], PEOPLE)
    return people_csv, format_table(schemes[list(SCHEMES.names)], SCHEMES)


def generate(
    county: str = "Gloucestershire", *, people: int | None = None, seed: int = 1, on: date = DEFAULT_DATE
) -> Dataset:
    """Young people and schemes for a synthetic `county`, typed and validated as contract v1.1.

    `people` defaults to the waiting list the council's flows give on the date
    (`planner.demo.waiting`: about 70 for Gloucestershire); another number scales it.
    Deterministic for a seed.
    """
    cal = calibration(county)
    people_csv, schemes_csv = _tables(cal, people, seed, on, generate_history(cal, seed=seed, on=on))
    return Dataset(
        people=read_table(people_csv.encode("utf-8"), PEOPLE),
        schemes=read_table(schemes_csv.encode("utf-8"), SCHEMES),
    )


@dataclass(frozen=True, slots=True)
class DemoCounty:
    """What `write_county` wrote: the young people and schemes as a user loads them, the history,
    and the calibration both were made from."""

    data: Dataset
    history: History
    calibration: Calibration


def write_county(
    out_dir: Path, cal: Calibration, *, people: int | None = None, seed: int = 1, on: date = DEFAULT_DATE
) -> DemoCounty:
    """Write young_people.csv, schemes.csv and the history files (referrals.csv, cohort.csv) for
    the council `cal` is calibrated on to `out_dir`, all or nothing: built and validated in a
    temporary folder first."""
    out_dir = Path(out_dir)
    history = generate_history(cal, seed=seed, on=on)
    people_csv, schemes_csv = _tables(cal, people, seed, on, history)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (tmp / PEOPLE.file).write_text(people_csv, encoding="utf-8")
        (tmp / SCHEMES.file).write_text(schemes_csv, encoding="utf-8")
        data = load_folder(tmp)  # what we hand back is exactly what a user will load
        write_tables(tmp, history)
        for f in sorted(tmp.iterdir()):
            os.replace(f, out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return DemoCounty(data, history, cal)


def write_demo(
    out_dir: Path,
    *,
    county: str = "Gloucestershire",
    people: int | None = None,
    seed: int = 1,
    on: date = DEFAULT_DATE,
) -> Dataset:
    """`write_county` for a council by name or ONS code; the young people and schemes it wrote."""
    return write_county(out_dir, calibration(county), people=people, seed=seed, on=on).data


def describe(
    data: Dataset, cal: Calibration, *, on: date, referrals: pd.DataFrame | None = None
) -> list[str]:
    """What `planner demo` prints after writing: counts, districts, shortfall, the figures beside
    their published values (`planner.demo.targets`; the referral history when given) and the
    calibration."""
    from planner.data.contract import HORIZON_DAYS
    from planner.data.summary import by_district
    from planner.data.vocab import UNSUITABLE_TYPES, URGENT_ACCOM
    from planner.forecast.shortfall import shortfall_by_level

    p, s = data.people, data.schemes
    age = (pd.Timestamp(on) - p["date_of_birth"]).dt.days / 365.25
    suitable = int(s.loc[~s["accom_type"].isin(list(UNSUITABLE_TYPES)), "vacancies"].sum())
    urgent = int(p["current_accom"].str[:1].isin(list(URGENT_ACCOM)).sum())
    lines = [
        f"  {len(p):,} young people: {int((age < 18).sum())} under 18, {urgent} now in B&B, "
        "emergency accommodation or with no fixed abode",
        f"  {len(s):,} schemes, {int(s['capacity'].sum()):,} places, "
        f"{int(s['vacancies'].sum()):,} vacancies ({suitable:,} suitable, not B&B or emergency)",
        by_district(data).to_string(index=False),
    ]
    table = shortfall_by_level(data, on=on)
    short = table[table["support_level"] == "all"]
    due, gap = int(short["due"].sum()), int(short["shortfall"].sum())
    lines.append(f"  {due:,} due within the {HORIZON_DAYS}-day horizon, {gap:,} of them without a suitable "
                 "vacancy in their district")  # fmt: skip
    short = short[short["shortfall"] > 0].sort_values("shortfall", ascending=False)
    lines.append("Short of suitable places: " + ("; ".join(
        f"{r.name} short by {r.shortfall} ({r.due} due, {r.suitable_vacancies} suitable vacancies)"
        for r in short.itertuples()) or "none"))  # fmt: skip
    levels = table[table["support_level"] != "all"].groupby("support_level", sort=False)[["due", "shortfall"]]
    lines.append("By support need (due / short, vacancies at that level or above shared out): " + ", ".join(
        f"{lvl} {r.due} / {r.shortfall}" for lvl, r in levels.sum().iterrows()))  # fmt: skip
    lines += targets.lines(targets.checks(data, cal, on=on, referrals=referrals), cal)
    lines.append("Calibrated on:")
    width = max(len(f.label) for f in cal.figures)
    lines += [f"  {f.label:<{width}}  {f.value}  [{f.source}]" for f in cal.figures]
    return lines

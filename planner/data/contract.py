"""Data contract v1.2: young_people.csv and schemes.csv, declared once, read into typed DataFrames.

Nothing is returned unless both files are valid; every problem in both is reported together.
The machinery (columns, parsing, messages, writing) is `planner.data.table`. Version 1.1 adds
`uasc` (young people) and `reserved_for` (schemes): a staying-put place (Z) is only ever for
the one young person living with their own former foster carers, so a Z row must name them; and
`postcode` (schemes), which gives the coordinates when they are not given. Version 1.2 adds, all
optional, `legal_status`, `current_until`, `staying_put`, `tenancy_ready` and `activity` (young
people) and `weekly_rent` and `weekly_support` (schemes; they add up to `weekly_cost`); with a
match date (`on`) the ages and legal statuses are checked against it (`planner.data.ages`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data.ages import check_ages
from planner.data.districts import DISTRICT_TOLERANCE_KM, district_name, in_england, km_outside_district
from planner.data.limits import CAPACITY_MAX, NAME_MAX_LENGTH, WEEKLY_COST_MAX
from planner.data.postcodes import locate, normalise, postcode_problems, pretty
from planner.data.problems import InvalidInput, Problem
from planner.data.table import (
    MAX_PROBLEMS,
    Column,
    TableSpec,
    parsed,
    read_table,
    split_records,
    with_optional,
)
from planner.data.vocab import ACCOM_LABELS, MAX_AGE, MIN_AGE, NEVER_SUITABLE, STAYING_PUT


@dataclass(frozen=True, slots=True)
class Dataset:
    """A validated folder: one row per young person and one per scheme."""

    people: pd.DataFrame
    schemes: pd.DataFrame
    digest: str = ""  # sha256 of the files' bytes as read (`load_folder`): says when they change


CONTRACT_VERSION = "1.2"
# The horizon (v1.1): a batch on date d places only people needed by d + HORIZON_DAYS (the weekly
# panel's four-week look-ahead); everyone needed later stays on the list, `not_due`.
HORIZON_DAYS = 28


def due_by(on: date, horizon_days: int = HORIZON_DAYS) -> date:
    """The last `needed_from` a batch on `on` places: `on` plus the horizon."""
    if horizon_days < 0:
        raise ValueError(f"horizon_days must be 0 or more, not {horizon_days}")
    return on + timedelta(days=horizon_days)


def due_within(people: pd.DataFrame, *, on: date, horizon_days: int = HORIZON_DAYS) -> np.ndarray:
    """Who a batch on `on` may place: `needed_from` on or before `due_by`."""
    return (people["needed_from"] <= pd.Timestamp(due_by(on, horizon_days))).to_numpy(dtype=bool)


def needed_now(people: pd.DataFrame, *, on: date) -> np.ndarray:
    """Whose need is now (`needed_from` on or before `on`): only they may be given B&B or emergency."""
    return (people["needed_from"] <= pd.Timestamp(on)).to_numpy(dtype=bool)


# ---- the two files of contract v1.2 ----


def _check_people(
    df: pd.DataFrame, rows: pd.DataFrame, on: date | None = None
) -> Iterable[tuple[int, str, str]]:
    """Checks across a person's columns; with the match date `on`, their age and legal status on it."""
    if on is not None:
        yield from check_ages(df, rows, on)
    row = rows["row"].to_numpy()
    early = (
        parsed(rows, "needed_from", "date_of_birth") & (df["needed_from"] < df["date_of_birth"]).to_numpy()
    )
    for r, v, born in zip(row[early], df["needed_from"][early], df["date_of_birth"][early], strict=True):
        yield int(r), "needed_from", f"{v:%Y-%m-%d} is before date_of_birth {born:%Y-%m-%d}"
    code = df["current_accom"]
    contradicts = parsed(rows, "current_accom") & (
        code.str[0].isin(list(NEVER_SUITABLE)) & (code.str[1] == "1")
    ).to_numpy(dtype=bool)
    for r, v in zip(row[contradicts], code[contradicts], strict=True):
        yield (
            int(r),
            "current_accom",
            (
                f"{v!r} says {ACCOM_LABELS[v[0]].lower()} is suitable, "
                f"but {v[0]} is never suitable (use {v[0]}2)"
            ),
        )


def _check_schemes(
    df: pd.DataFrame, rows: pd.DataFrame, people_ids: frozenset[str] | None = None
) -> Iterable[tuple[int, str, str]]:
    """Checks across a scheme's columns, and `reserved_for` against young_people.csv's ids
    (`people_ids`, when that file could be read)."""
    row = rows["row"].to_numpy()
    over = parsed(rows, "vacancies", "capacity") & (df["vacancies"] > df["capacity"]).to_numpy()
    for r, v, c in zip(row[over], df["vacancies"][over], df["capacity"][over], strict=True):
        yield int(r), "vacancies", f"{v} is more than capacity {c}"
    yield from _check_parts(df, rows)
    ages = parsed(rows, "min_age", "max_age") & (df["min_age"] > df["max_age"]).to_numpy()
    for r, lo, hi in zip(row[ages], df["min_age"][ages], df["max_age"][ages], strict=True):
        yield int(r), "min_age", f"{lo} is more than max_age {hi}"
    yield from _check_location(df, rows)
    reserved = df["reserved_for"]
    staying_put = (df["accom_type"] == STAYING_PUT) & (reserved == "")
    unnamed = parsed(rows, "accom_type", "reserved_for") & staying_put.to_numpy()
    for r in row[unnamed]:
        yield (
            int(r),
            "reserved_for",
            "is empty, but a staying-put place (Z) is only ever for the young person living with their own "
            "former foster carers: give their person_id (data contract v1.1)",
        )
    if people_ids is not None:
        # A full place may name someone already living there, who is no longer on the list.
        unknown = parsed(rows, "reserved_for", "vacancies") & (
            (reserved != "") & ~reserved.isin(people_ids) & (df["vacancies"] > 0)
        ).to_numpy(dtype=bool)
        for r, v in zip(row[unknown], reserved[unknown], strict=True):
            yield (
                int(r),
                "reserved_for",
                f"{v!r} is not in young_people.csv: a reserved place with a vacancy must name a young "
                "person on the list",
            )


def _check_parts(df: pd.DataFrame, rows: pd.DataFrame) -> Iterable[tuple[int, str, str]]:
    """weekly_rent and weekly_support (v1.2): both or neither, adding up to weekly_cost to the penny.
    Who pays which part is not the planner's business here; only that the figures agree."""
    row = rows["row"].to_numpy()
    rent, support = df["weekly_rent"].to_numpy(dtype=float), df["weekly_support"].to_numpy(dtype=float)
    given = parsed(rows, "weekly_rent", "weekly_support")
    one = given & (np.isnan(rent) ^ np.isnan(support))
    for r, rent_given in zip(row[one], ~np.isnan(rent[one]), strict=True):
        missing, other = ("weekly_support", "weekly_rent")[:: 1 if rent_given else -1]
        yield int(r), missing, f"is empty but {other} is given: give both parts of weekly_cost, or neither"
    both = given & parsed(rows, "weekly_cost") & ~np.isnan(rent) & ~np.isnan(support)
    pence = np.rint(np.where(both, rent + support - df["weekly_cost"].to_numpy(dtype=float), 0) * 100)
    off = both & (pence != 0)
    for r, a, b, c in zip(row[off], rent[off], support[off], df["weekly_cost"][off], strict=True):
        yield (
            int(r),
            "weekly_support",
            f"weekly_rent £{a:,.2f} and weekly_support £{b:,.2f} add up to £{a + b:,.2f}, not the "
            f"weekly_cost £{c:,.2f}: the two parts must add up to it",
        )


def _check_location(df: pd.DataFrame, rows: pd.DataFrame) -> Iterable[tuple[int, str, str]]:
    """Coordinates in England and near the row's district, or a postcode in that district (v1.1).
    A value given but not parsed is reported as such already: here it counts as given.

    The postcodes are looked up once, here: a row's empty coordinates are filled from its postcode
    when found (`read_table` returns the frame only when no problem was found)."""
    row = rows["row"].to_numpy()
    lat, lon = df["latitude"].to_numpy(dtype=float), df["longitude"].to_numpy(dtype=float)
    district, postcode = df["district"].to_numpy(dtype=object), df["postcode"].to_numpy(dtype=object)
    lat_ok, lon_ok = parsed(rows, "latitude"), parsed(rows, "longitude")
    has_lat, has_lon = np.isfinite(lat) | ~lat_ok, np.isfinite(lon) | ~lon_ok
    has_code = (postcode != "") | ~parsed(rows, "postcode")
    known = parsed(rows, "district")
    for r in row[~has_lat & ~has_lon & ~has_code]:
        yield int(r), "latitude", "is empty: give latitude and longitude, or a postcode"
    for r, lat_given in zip(row[has_lat ^ has_lon], has_lat[has_lat ^ has_lon], strict=True):
        missing, given = ("longitude", "latitude") if lat_given else ("latitude", "longitude")
        yield int(r), missing, f"is empty but {given} is given: give both, or neither and a postcode"
    both = has_lat & has_lon & lat_ok & lon_ok
    outside = both & ~in_england(lat, lon)
    for r, y, x in zip(row[outside], lat[outside], lon[outside], strict=True):
        yield int(r), "latitude", f"({y:g}, {x:g}) is outside England (latitude, longitude in degrees)"
    inside = np.flatnonzero(both & ~outside & known)
    km = km_outside_district(lat[inside], lon[inside], district[inside])
    for i, d in zip(inside[km > DISTRICT_TOLERANCE_KM], km[km > DISTRICT_TOLERANCE_KM], strict=True):
        yield (
            int(row[i]),
            "latitude",
            f"({lat[i]:g}, {lon[i]:g}) is {d:.1f} km outside {district_name(district[i])} "
            f"({district[i]}), the row's district",
        )
    coded = np.flatnonzero((postcode != "") & parsed(rows, "postcode") & known)
    found = locate(postcode[coded])
    for i, message in postcode_problems(found, district[coded]):
        yield int(row[coded[i]]), "postcode", message
    where = ["latitude", "longitude"]
    fill = (found["status"] == "found").to_numpy() & ~(np.isfinite(lat) & np.isfinite(lon))[coded]
    df.loc[df.index[coded[fill]], where] = found.loc[fill, where].to_numpy()


def _pretty_postcodes(df: pd.DataFrame) -> pd.DataFrame:
    """Postcodes written as 'GL50 1HX'."""
    df["postcode"] = df["postcode"].map(lambda p: pretty(normalise(p)))
    return df


PEOPLE = TableSpec(
    file="young_people.csv",
    id_column="person_id",
    check_rows=_check_people,
    columns=(
        Column("person_id", "id"),
        Column("date_of_birth", "date"),
        Column("gender", "gender"),
        Column("home_district", "lad"),
        Column("connection_districts", "lad_list", required=False),
        Column("avoid_districts", "lad_list", required=False),
        Column("support_need", "support"),
        Column("wheelchair", "bool", required=False),
        Column("parent_with_child", "bool", required=False),
        Column("high_risk", "bool", required=False),
        Column("risks", "risk_list", required=False),
        Column("needed_from", "date"),
        Column("current_accom", "accom_code", required=False),
        Column("uasc", "bool", required=False),
        Column("legal_status", "legal_status", required=False),  # v1.2; empty: from age
        Column("current_until", "date", required=False),  # v1.2; empty: may stay until placed
        Column("staying_put", "optional_bool", required=False),  # v1.2; empty: agreed
        Column("tenancy_ready", "bool", required=False),  # v1.2
        Column("activity", "activity", required=False),  # v1.2
    ),
)

SCHEMES = TableSpec(
    file="schemes.csv",
    id_column="scheme_id",
    check_rows=_check_schemes,
    complete=_pretty_postcodes,
    columns=(
        Column("scheme_id", "id"),
        Column("name", "text", max_length=NAME_MAX_LENGTH),
        Column("provider", "text", max_length=NAME_MAX_LENGTH),
        Column("accom_type", "accom_type"),
        Column("district", "lad"),
        # Either both coordinates or a postcode (v1.1); `_check_location` says which is missing.
        Column("latitude", "latitude", required=False, minimum=-90, maximum=90, what="degrees"),
        Column("longitude", "longitude", required=False, minimum=-180, maximum=180, what="degrees"),
        Column("postcode", "text", required=False),
        Column("capacity", "int", minimum=0, maximum=CAPACITY_MAX, what="places in total"),
        Column("vacancies", "int", minimum=0, maximum=CAPACITY_MAX, what="places free"),
        Column("min_age", "int", minimum=MIN_AGE, maximum=MAX_AGE, what="ages 16 to 25"),
        Column("max_age", "int", minimum=MIN_AGE, maximum=MAX_AGE, what="ages 16 to 25"),
        Column("gender", "scheme_gender"),
        Column("support_level", "support"),
        Column("wheelchair_accessible", "bool", required=False),
        Column("parent_and_child", "bool", required=False),
        Column("accepts_high_risk", "bool", required=False),
        Column("excluded_risks", "risk_list", required=False),
        Column("ofsted_registered", "bool", required=False),
        Column("weekly_cost", "decimal", minimum=0, maximum=WEEKLY_COST_MAX, what="a weekly cost in GBP"),
        Column("reserved_for", "id", required=False),
        # v1.2: the parts of weekly_cost, when known; empty stays unknown.
        Column(
            "weekly_rent",
            "decimal",
            required=False,
            minimum=0,
            maximum=WEEKLY_COST_MAX,
            what="a weekly rent in GBP",
            default="",
        ),  # fmt: skip
        Column(
            "weekly_support",
            "decimal",
            required=False,
            minimum=0,
            maximum=WEEKLY_COST_MAX,
            what="a weekly cost of support in GBP",
            default="",
        ),  # fmt: skip
    ),
)


def people_on(on: date) -> TableSpec:
    """young_people.csv checked against the match date `on` too (ages 15 to 25, legal status by
    age): for a file read with a date, or one referral typed in the web app."""
    return replace(PEOPLE, check_rows=partial(_check_people, on=on))


def read_dataset(
    people: bytes | None,
    schemes: bytes | None,
    *,
    folder: str | Path = "",
    max_problems: int = MAX_PROBLEMS,
    on: date | None = None,
) -> Dataset:
    """Parse and validate both files' bytes (None: the file is missing from `folder`); every
    problem in either is reported together (up to `max_problems`), `reserved_for` against the ids
    young_people.csv gives even when some of its rows have problems. With the match date `on`,
    ages and legal statuses are checked on it too. The dataset's digest is of these bytes."""
    found: list[Problem] = []
    truncated = False
    frames: dict[str, pd.DataFrame] = {}
    # young_people.csv is split into records once: for its ids (as written, even in a file with
    # problems elsewhere) and for reading it.
    people_records = split_records(people, PEOPLE) if people is not None else None
    ids = people_records.values("person_id") if people_records is not None else None
    for spec, data in ((PEOPLE, people_records), (SCHEMES, schemes)):
        if spec is PEOPLE and on is not None:
            spec = people_on(on)
        if spec is SCHEMES:
            spec = replace(SCHEMES, check_rows=partial(_check_schemes, people_ids=ids))
        try:
            if data is None:
                raise InvalidInput([Problem(spec.file, None, None, f"file is missing from {folder}")])
            frames[spec.file] = read_table(data, spec, max_problems=max_problems)
        except InvalidInput as e:
            found += e.problems
            truncated = truncated or e.truncated
    if found:
        raise InvalidInput(found[:max_problems], truncated or len(found) > max_problems)
    digest = hashlib.sha256()
    for data in (people, schemes):
        digest.update(hashlib.sha256(data or b"").digest())
    return Dataset(people=frames[PEOPLE.file], schemes=frames[SCHEMES.file], digest=digest.hexdigest())


def load_folder(folder: str | Path, *, on: date | None = None) -> Dataset:
    """Read and validate `young_people.csv` and `schemes.csv` from a folder (with the match date
    `on`, ages and legal statuses on it too).

    Problems in both files are reported together; nothing is returned unless both are valid.
    """
    folder = Path(folder)
    files = [folder / spec.file for spec in (PEOPLE, SCHEMES)]
    people, schemes = (f.read_bytes() if f.is_file() else None for f in files)
    return read_dataset(people, schemes, folder=folder, on=on)


def complete_people(people: pd.DataFrame) -> pd.DataFrame:
    """A people frame with every optional column of the contract, those it lacks as empty cells
    read (a frame built before v1.2, e.g. from a database without its columns)."""
    return with_optional(people, PEOPLE)

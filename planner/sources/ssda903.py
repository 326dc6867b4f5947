"""Import a council's SSDA903 return (DfE children looked after collection) into cohort.csv and a
care leavers' accommodation history in the referrals.csv format, so the forecast can run on it.

Files are recognised by their columns, not their names: Header (CHILD, SEX, DOB, ETHNIC, UPN,
MOTHER, MC_DOB), Episodes (CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN), OC3 (CHILD, DOB, IN_TOUCH, ACTIV, ACCOM) and,
when present, UASC (CHILD, SEX, DOB, DUC). Several years may sit side by side (sub-folders).

Every invalid code or date is listed (file, row, column, value); the row is skipped, or with
`on_error="reject"` nothing is written. Nothing identifying is kept: CHILD becomes a salted hash,
UPN, MOTHER and MC_DOB are dropped, dates of birth keep the month and year only (the 1st of the
month), and postcodes become a district (see `planner.sources.ssda903_codes.POSTCODE_DISTRICTS`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from planner.data.problems import InvalidInput, Problem
from planner.data.table import format_table, read_table
from planner.forecast.history import COHORT, PLACEMENT_TYPES, REFERRALS
from planner.sources.ssda903_codes import (
    ACCOM_903,
    ACTIV,
    CIN,
    ETHNIC,
    IN_TOUCH,
    LEGAL_STATUS,
    OUTCOME_BY_REC,
    PLACE_PROVIDER,
    REASON_NEW_EPISODE,
    REASON_PLACE_CHANGE,
    REASONS_EPISODE_CEASED,
    SEX,
    district_of_postcode,
    support_from_place,
)

log = logging.getLogger(__name__)

OnError = Literal["skip", "reject"]
TABLES = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),  # fmt: skip
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
}
# The columns that tell the tables apart (a UASC file also has SEX and DOB, like the Header).
SIGNATURE = {"episodes": "DECOM", "oc3": "IN_TOUCH", "uasc": "DUC", "header": "ETHNIC"}
# Rules per column: (codes or "date", required).
RULES: dict[str, dict[str, tuple[object, bool]]] = {
    "header": {"CHILD": (None, True), "SEX": (SEX, True), "DOB": ("date", True), "ETHNIC": (ETHNIC, False)},
    "episodes": {
        "CHILD": (None, True), "DECOM": ("date", True), "RNE": (REASON_NEW_EPISODE, True),
        "LS": (LEGAL_STATUS, True), "CIN": (CIN, True), "PLACE": (PLACEMENT_TYPES, True),
        "PLACE_PROVIDER": (PLACE_PROVIDER, False), "DEC": ("date", False),
        "REC": (REASONS_EPISODE_CEASED, False), "REASON_PLACE_CHANGE": (REASON_PLACE_CHANGE, False),
    },
    "oc3": {"CHILD": (None, True), "DOB": ("date", True), "IN_TOUCH": (IN_TOUCH, True),
            "ACTIV": (ACTIV, False), "ACCOM": (ACCOM_903, False)},
    "uasc": {"CHILD": (None, True), "DOB": ("date", True), "DUC": ("date", False)},
}  # fmt: skip
EXAMPLES = {"PLACE": "U1 to U6 foster placements, K2 children's home, H5 semi-independent living"}
COHORT_AGES = (13, 18)
LEAVING_AGE = 17.5  # episodes ending from this age on are moves out of care


@dataclass(frozen=True, slots=True)
class ImportResult:
    cohort: pd.DataFrame  # cohort.csv
    referrals: pd.DataFrame  # referrals.csv: care leavers' moves out of care and OC3 accommodation
    problems: list[Problem]  # invalid values found (rows skipped)
    notes: list[str] = field(default_factory=list)  # what was left out and why (not errors)
    files: dict[str, list[str]] = field(default_factory=dict)  # table -> files read
    on: date = date(1970, 1, 1)


def _read_csv(path: Path) -> pd.DataFrame:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return pd.DataFrame()
    header = [h.strip().upper() for h in rows[0]]
    body = [r + [""] * (len(header) - len(r)) for r in rows[1:] if any(v.strip() for v in r)]
    df = pd.DataFrame([[v.strip() for v in r[: len(header)]] for r in body], columns=header, dtype=object)
    df["_row"] = [i + 2 for i, r in enumerate(rows[1:]) if any(v.strip() for v in r)]
    return df


def find_tables(folder: Path) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]]:
    """Read every CSV under `folder` and sort them into the SSDA903 tables by their columns."""
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLES}
    files: dict[str, list[str]] = {k: [] for k in TABLES}
    for path in sorted(folder.rglob("*.csv")):
        df = _read_csv(path)
        kind = next((k for k, col in SIGNATURE.items() if col in df.columns), None)
        if kind is None:
            log.info("%s: not an SSDA903 table, ignored", path.name)
            continue
        name = str(path.relative_to(folder))
        df["_file"] = name
        frames[kind].append(df)
        files[kind].append(name)
    out = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in frames.items()}
    return out, files


def _validate(kind: str, df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse dates (dd/mm/yyyy) and check codes; return the frame with a `_bad` flag and problems."""
    problems: list[Problem] = []
    bad = np.zeros(len(df), dtype=bool)
    for col in TABLES[kind]:
        if col not in df.columns:
            if RULES[kind].get(col, (None, False))[1] and not df.empty:
                problems.append(Problem(df["_file"].iloc[0], 1, col, "required column is missing"))
                bad[:] = True
            df[col] = ""
    where = list(zip(df["_file"].astype(str).tolist(), df["_row"].astype(int).tolist(), strict=True))

    def at(i: int, col: str, message: str) -> Problem:
        return Problem(where[i][0], where[i][1], col, message)

    for col, (rule, required) in RULES[kind].items():
        raw = df[col].astype(str)
        values = raw.tolist()
        empty = (raw == "").to_numpy()
        wrong = np.zeros(len(df), dtype=bool)
        if rule == "date":
            parsed = pd.to_datetime(raw, format="%d/%m/%Y", errors="coerce")
            wrong = parsed.isna().to_numpy() & ~empty
            df[col] = parsed
            what = "is not a date (SSDA903 dates are dd/mm/yyyy, e.g. 23/11/2026)"
        elif rule is not None:
            codes = rule if isinstance(rule, dict) else {}
            wrong = ~raw.isin(list(codes)).to_numpy() & ~empty
            examples = EXAMPLES.get(col, ", ".join(list(codes)[:4]))
            what = f"is not an SSDA903 {col} code (e.g. {examples})"
        problems += [at(int(i), col, f"{values[i]!r} {what}") for i in np.flatnonzero(wrong)]
        missing = empty & required
        problems += [at(int(i), col, "is empty but required") for i in np.flatnonzero(missing)]
        bad |= wrong | missing
    if kind == "episodes":
        backwards = (df["DEC"].notna() & (df["DEC"] < df["DECOM"])).to_numpy()
        dec, decom = df["DEC"].tolist(), df["DECOM"].tolist()
        for i in np.flatnonzero(backwards):
            problems.append(at(int(i), "DEC", f"{dec[i]:%d/%m/%Y} is before DECOM {decom[i]:%d/%m/%Y}"))
        bad |= backwards
    return df.assign(_bad=bad), problems


def pseudonym(child: str, salt: str) -> str:
    """A stable pseudonymous id for a CHILD id: salted SHA-256, 12 hex digits."""
    return "P-" + hashlib.sha256(f"{salt}:{child}".encode()).hexdigest()[:12]


def _month_of_birth(dob: pd.Series) -> pd.Series:
    return dob.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def import_903(
    folder: str | Path,
    *,
    on: date | None = None,
    on_error: OnError = "skip",
    salt: str | None = None,
) -> ImportResult:
    """Read an SSDA903 return and derive the cohort and the care leavers' accommodation history.

    `on` is the date the cohort is taken on (default: 31 March after the latest date in the
    return, the end of its collection year). `salt` makes ids stable across imports (default:
    $PLANNER_903_SALT, else a random one, so ids do not link across imports).
    """
    folder = Path(folder)
    tables, files = find_tables(folder)
    if tables["header"].empty or tables["episodes"].empty:
        message = (
            "no SSDA903 Header and Episodes files found (CSV files with CHILD, SEX, DOB, ETHNIC, ... columns)"
        )
        raise InvalidInput([Problem(str(folder), None, None, message)])
    problems: list[Problem] = []
    checked: dict[str, pd.DataFrame] = {}
    for kind, df in tables.items():
        if df.empty:
            checked[kind] = df
            continue
        checked[kind], found = _validate(kind, df.copy())
        problems += found
    known = set(checked["header"]["CHILD"])
    unknown = checked["episodes"][~checked["episodes"]["CHILD"].isin(known)]
    for f, row, child in zip(
        unknown["_file"].astype(str), unknown["_row"].astype(int), unknown["CHILD"], strict=True
    ):
        problems.append(Problem(f, row, "CHILD", f"{child!r} is not in the Header file"))
    problems.sort(key=lambda p: (p.file, p.row or 0))
    if problems and on_error == "reject":
        raise InvalidInput(problems[:50], len(problems) > 50)
    salt = salt or os.environ.get("PLANNER_903_SALT") or secrets.token_hex(16)
    notes: list[str] = []
    head = checked["header"]
    bad_children = set(head.loc[head["_bad"], "CHILD"])
    head = head[~head["_bad"]].drop_duplicates("CHILD", keep="last").set_index("CHILD")
    eps = checked["episodes"]
    eps = eps[~eps["_bad"] & eps["CHILD"].isin(head.index)].sort_values(["CHILD", "DECOM"])
    if bad_children:
        notes.append(
            f"{len(bad_children)} children with an invalid Header row left out with all their episodes"
        )
    dates = pd.concat([eps["DECOM"], eps["DEC"].dropna()])
    as_of = pd.Timestamp(on) if on is not None else _year_end(dates.max())
    eps = eps[eps["DECOM"] <= as_of]
    district = (
        eps["HOME_POST"]
        .map(district_of_postcode)
        .where(lambda s: s != "", eps["PL_POST"].map(district_of_postcode))
    )
    eps = eps.assign(district=district)
    uasc_children = _uasc(checked["uasc"], as_of)
    cohort = _cohort(head, eps, as_of, uasc_children, salt, notes)
    referrals = _referrals(head, eps, checked["oc3"], as_of, salt, notes)
    # Self-check: what we write must read back under the formats' own rules.
    cohort = read_table(format_table(cohort, COHORT).encode(), COHORT)
    referrals = read_table(format_table(referrals, REFERRALS).encode(), REFERRALS)
    log.info(
        "SSDA903 import: %d in cohort, %d history rows, %d problems",
        len(cohort),
        len(referrals),
        len(problems),
    )
    return ImportResult(cohort, referrals, problems, notes, files, as_of.date())


def _year_end(latest: pd.Timestamp) -> pd.Timestamp:
    year = latest.year if latest.month <= 3 else latest.year + 1
    return pd.Timestamp(year=year, month=3, day=31)


def _uasc(uasc: pd.DataFrame, as_of: pd.Timestamp) -> set[str]:
    if uasc.empty:
        return set()
    ok = uasc[~uasc["_bad"]]
    return set(ok.loc[ok["DUC"].isna() | (ok["DUC"] > as_of), "CHILD"])


def _cohort(
    head: pd.DataFrame, eps: pd.DataFrame, as_of: pd.Timestamp, uasc: set[str], salt: str, notes: list[str]
) -> pd.DataFrame:
    last = eps.groupby("CHILD").tail(1)
    current = last[last["DEC"].isna() | (last["DEC"] > as_of)]
    dob = head.loc[current["CHILD"], "DOB"].to_numpy()
    age = (as_of - pd.Series(dob, index=current.index)).dt.days / 365.25
    teen = current[(age >= COHORT_AGES[0]) & (age < COHORT_AGES[1])]
    nowhere = teen["district"] == ""
    if nowhere.any():
        notes.append(f"{int(nowhere.sum())} looked-after children aged 13-17 left out of cohort.csv: neither "
                     "HOME_POST nor PL_POST is in the shipped postcode-district lookup")  # fmt: skip
    teen = teen[~nowhere]
    if not uasc:
        notes.append("no UASC file: uasc is false for every child")
    return pd.DataFrame(
        {
            "child_id": [pseudonym(c, salt) for c in teen["CHILD"]],
            "date_of_birth": _month_of_birth(head.loc[teen["CHILD"], "DOB"].reset_index(drop=True)),
            "gender": head.loc[teen["CHILD"], "SEX"].map(SEX).to_numpy(),
            "district": teen["district"].to_numpy(),
            "placement_type": teen["PLACE"].to_numpy(),
            "support_need": teen["PLACE"].map(support_from_place).to_numpy(),
            "uasc": teen["CHILD"].isin(uasc).to_numpy(),
        }
    )


def _referrals(
    head: pd.DataFrame, eps: pd.DataFrame, oc3: pd.DataFrame, as_of: pd.Timestamp, salt: str, notes: list[str]
) -> pd.DataFrame:
    dob = eps["CHILD"].map(head["DOB"])
    age = (eps["DEC"] - dob).dt.days / 365.25
    leaving = eps[
        eps["DEC"].notna()
        & (eps["DEC"] <= as_of)
        & (age >= LEAVING_AGE)
        & eps["REC"].isin(list(OUTCOME_BY_REC))
    ]
    accom: dict[str, str] = {}
    if not oc3.empty:
        ok = oc3[~oc3["_bad"] & (oc3["ACCOM"] != "") & oc3["CHILD"].isin(head.index)]
        accom = dict(zip(ok["CHILD"], ok["ACCOM"], strict=False))
    cols = (leaving["CHILD"].astype(str), leaving["DEC"], leaving["REC"].astype(str), leaving["district"],
            leaving["PLACE"])  # fmt: skip
    rows = [
        {
            "child": c,
            "when": d,
            "accom": accom.get(c) or OUTCOME_BY_REC[rec],
            "district": dist,
            "place": place,
        }
        for c, d, rec, dist, place in zip(*cols, strict=True)
    ]
    last_district = eps.groupby("CHILD")["district"].last()
    last_place = eps.groupby("CHILD")["PLACE"].last()
    if not oc3.empty:
        left_at = {row["child"] for row in rows}
        ok = oc3[
            ~oc3["_bad"] & (oc3["IN_TOUCH"] == "YES") & (oc3["ACCOM"] != "") & oc3["CHILD"].isin(head.index)
        ]
        ok = ok[~ok["CHILD"].isin(left_at)]
        dobs = ok["CHILD"].map(head["DOB"]).tolist()
        for c, code, dob in zip(ok["CHILD"].astype(str), ok["ACCOM"].astype(str), dobs, strict=True):
            birthday = dob + pd.DateOffset(years=int((as_of - dob).days // 365.25))
            place, dist = last_place.get(c, ""), last_district.get(c, "")
            rows.append({"child": c, "when": birthday, "accom": code, "place": place, "district": dist})
    df = pd.DataFrame(rows, columns=["child", "when", "accom", "district", "place"])
    df["accom"] = df["accom"].where(df["accom"].str[0].isin(list("BCDEKRSTUVWXYZ")), "")
    unusable = (df["district"] == "") | (df["accom"] == "")
    if unusable.any():
        notes.append(f"{int(unusable.sum())} care leavers' records left out of referrals.csv: district not "
                     "in the postcode lookup, or gone abroad or deported (ACCOM G, H)")  # fmt: skip
    df = df[~unusable].sort_values(["when", "child"]).reset_index(drop=True)
    birth = pd.Series(df["child"].map(head["DOB"]), dtype="datetime64[ns]")
    return pd.DataFrame(
        {
            "referral_id": [f"R-{i:06d}" for i in range(1, len(df) + 1)],
            "person_id": [pseudonym(c, salt) for c in df["child"]],
            "referral_date": df["when"].astype("datetime64[ns]"),
            "date_of_birth": _month_of_birth(birth),
            "gender": df["child"].map(head["SEX"]).map(SEX),
            "home_district": df["district"],
            "support_need": df["place"].map(support_from_place),
            "wheelchair": False,
            "parent_with_child": False,
            "high_risk": False,
            "risks": [()] * len(df),
            "outcome_accom": df["accom"],
            "placed_date": df["when"].astype("datetime64[ns]"),
            "left_date": pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]"),
        }
    )


def write_import(result: ImportResult, out_dir: str | Path) -> list[Path]:
    """Write cohort.csv and referrals.csv (all or nothing: temporary files, then renamed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    tables = ((COHORT, result.cohort), (REFERRALS, result.referrals))
    parts = [(out / spec.file, format_table(df, spec)) for spec, df in tables]
    for path, text in parts:
        path.with_name(path.name + ".part").write_text(text, encoding="utf-8")
    for path, _ in parts:
        path.with_name(path.name + ".part").replace(path)
        written.append(path)
    return written

"""Care leavers' referrals for a place from SSDA903 returns: the events that need one, not the
snapshots.

The return records two things about a care leaver. The Episodes say when and how they left care
(`DEC`, `REC`). OC3 is a snapshot: where they lived (`ACCOM`) around each birthday from the 17th
to the 21st, for those who were looked after for at least 13 weeks after their 14th birthday and
some time after their 16th (DfE, "Children looked after return 2025 to 2026: guide", OC3). A
snapshot is not a request for a place: it shows where the young person is, and most are where
they were a year before. So the rules (data/README.md, "What counts as a referral"):

1. **Left care** at 16 to 18 (an episode ending with a care-leaver `REC`, DfE guide's codes:
   `E5`, `E6`, `E13`, `E17`, ...): an event, dated `DEC`, with where they went: the OC3 of the
   same collection year when they are in touch, else what `REC` says. It is demand unless they
   went to family (`B`), stayed put (`Z`) or into custody (`X`) (`planner.data.vocab`).
2. **Moved**: an OC3 snapshot whose accommodation type differs from the last one known (the
   previous snapshot, or where they went on leaving) and is a type the council provides (`C`,
   `D`, `E`, `K`, `T`, `U`, `Y`) or B&B, emergency accommodation or no fixed abode (`W`, `V`, `S`):
   an event dated at the birthday (the latest day the move can have been). B&B, emergency
   accommodation or no fixed abode with nothing known before is an event too: a need either way.
3. **Released from custody**: the last type known was custody (`X`) and this snapshot is
   somewhere else: an event, demand unless they went to family.

Not events, each counted apart: a snapshot of the same type as before (they stayed, as far as
the return can tell), a move back to family, and "not known" (`R`: not in touch, refuses contact,
returned home for six months or more, no longer requires services, `ACCOM` `0`), which is never
demand. The first snapshot of someone who left care before the returns loaded only says where
they are. Moves need two snapshots, so the events start with the second collection year loaded.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from planner.data.formats import plural, uk_date
from planner.data.vocab import NEVER_SUITABLE, NOT_PLACE_DEMAND, PROVIDED_TYPES, URGENT_ACCOM
from planner.sources.collection_years import birthday_in, year_label, year_of
from planner.sources.ssda903_codes import HOUSED_LETTERS, LISTS, NOT_CARE_LEAVERS, OUTCOME_BY_REC
from planner.sources.ssda903_history import Tally, at

LEAVING_AGES: Final = (16.0, 19.0)  # "leaving care at 16 to 18"
FOURTEEN_WEEKS_DAYS: Final = 91  # 13 weeks looked after since the 14th birthday
MOVE_INTO: Final = PROVIDED_TYPES | URGENT_ACCOM
UNSUITABLE_AS_SUITABLE: Final = {f"{t}1": f"{t}2" for t in NEVER_SUITABLE}
EVENT_COLUMNS: Final = ["child", "dob", "when", "year", "accom", "rule", "source", "activity"]


def _age(on: pd.Series, dob: pd.Series) -> pd.Series:
    return (on - dob).dt.days / 365.25


def _care_leavers(eps: pd.DataFrame, dob: pd.Series, first_day: pd.Timestamp, in_oc3: set[str]) -> pd.Series:
    """Whether each ending closes at least 13 weeks looked after since the 14th birthday. The
    returns loaded may not go back far enough to tell: a child with an OC3 record (the council
    counts them as a care leaver) or already looked after when the first return loaded begins is
    taken to be one."""
    fourteen = dob + pd.DateOffset(years=14)
    start = eps["DECOM"].where(eps["DECOM"] > fourteen, fourteen)
    days = (eps["DEC"].fillna(start) - start).dt.days.clip(lower=0)
    enough = days.groupby(eps["CHILD"]).cumsum() >= FOURTEEN_WEEKS_DAYS
    earlier = eps.groupby("CHILD")["DECOM"].transform("min") < first_day
    return enough | earlier | eps["CHILD"].isin(in_oc3)


def leavings(head: pd.DataFrame, eps: pd.DataFrame, oc3: pd.DataFrame, on: pd.Timestamp,
             first_day: pd.Timestamp, tally: Tally) -> pd.DataFrame:  # fmt: skip
    """Rule 1: endings at 16 to 18 that make a care leaver, with where they went."""
    dob = at(head["DOB"], eps["CHILD"])
    closed = eps["DEC"].notna() & (eps["DEC"] <= on) & ~eps["REC"].isin(["", "X1"])
    leaving_age = _age(eps["DEC"], dob).between(*LEAVING_AGES, inclusive="left")
    stayed = _care_leavers(eps, dob, first_day, set(oc3["CHILD"]))
    ended = eps[closed & leaving_age]
    not_leavers = ended["REC"].isin(list(NOT_CARE_LEAVERS))
    if not_leavers.any():
        labels = LISTS["REC"].labels
        by_rec = ended.loc[not_leavers, "REC"].value_counts().sort_index()
        listed = "; ".join(f"{rec} {labels[str(rec)].lower()}: {n}" for rec, n in by_rec.items())
        tally.notes.append(
            f"{plural(int(not_leavers.sum()), 'episode')} ending at 16 to 18 not written, as the ending does "
            f"not make a care leaver: {listed}"
        )
    short = ~not_leavers & ~stayed[ended.index]
    if short.any():
        tally.notes.append(
            f"{plural(int(short.sum()), 'episode')} ending at 16 to 18 after less than 13 weeks looked after "
            "since the 14th birthday not written: qualifying, not former relevant, care leavers"
        )
    left = ended[~not_leavers & ~short & ended["REC"].isin(list(OUTCOME_BY_REC))]
    out = pd.DataFrame({
        "child": left["CHILD"].to_numpy(), "dob": dob[left.index].to_numpy(), "when": left["DEC"].to_numpy(),
        "year": year_of(left["DEC"]).to_numpy(), "accom": left["REC"].map(OUTCOME_BY_REC).to_numpy(),
        "rule": "left care", "source": ("left care: episode ended " + left["REC"]).to_numpy(), "activity": "",
    })  # fmt: skip
    # The OC3 of the year they left, when they are in touch, says where they live: it wins.
    said = oc3[_known(oc3)].set_index(["CHILD", "_year"])
    keys = pd.MultiIndex.from_arrays([out["child"], out["year"]])
    out["accom"] = pd.Series(said["ACCOM"].reindex(keys).to_numpy(), index=out.index).fillna(out["accom"])
    out["activity"] = pd.Series(said["ACTIV"].reindex(keys).to_numpy(), index=out.index).fillna("")
    return out


def _known(oc3: pd.DataFrame) -> pd.Series:
    """OC3 records that say where a care leaver lives (in touch, somewhere in England)."""
    letter = oc3["ACCOM"].str[:1]
    return (oc3["IN_TOUCH"] == "YES") & letter.isin(list(HOUSED_LETTERS - {"R"}))


def snapshots(head: pd.DataFrame, oc3: pd.DataFrame, on: pd.Timestamp, tally: Tally) -> pd.DataFrame:
    """OC3 records dated at the birthday in their year; those of care leavers who died or went
    abroad are left out, each counted."""
    oc3 = oc3.assign(_dob=at(head["DOB"], oc3["CHILD"]).fillna(oc3["DOB"]))
    oc3 = oc3[oc3["_dob"].notna()]
    oc3 = oc3.assign(_when=birthday_in(oc3["_year"], oc3["_dob"]))
    oc3 = oc3[oc3["_when"] <= on]
    died = oc3["IN_TOUCH"] == "DIED"
    abroad = (oc3["IN_TOUCH"] == "YES") & oc3["ACCOM"].str[:1].isin(["G", "H"])
    for mask, what in ((died, "of care leavers who died (IN_TOUCH DIED)"),
                       (abroad, "of care leavers gone abroad or deported (ACCOM G, H)")):  # fmt: skip
        if mask.any():
            tally.notes.append(f"{plural(int(mask.sum()), 'OC3 record')} {what}: not in referrals.csv")
    return oc3[~died & ~abroad]


def events(head: pd.DataFrame, eps: pd.DataFrame, oc3: pd.DataFrame, on: pd.Timestamp,
           years: list[int], tally: Tally) -> pd.DataFrame:  # fmt: skip
    """Every event of the three rules, with where the young person went (an OC3 ACCOM code)."""
    first_day = pd.Timestamp(min(years), 4, 1)
    left = leavings(head, eps, oc3, on, first_day, tally)
    snaps = snapshots(head, oc3, on, tally)
    merged = pd.MultiIndex.from_arrays([snaps["CHILD"], snaps["_year"]]).isin(
        pd.MultiIndex.from_arrays([left["child"], left["year"]])
    )
    snaps = snaps[~merged]  # the OC3 of the year they left is the leaving's outcome
    known = _known(snaps)
    seen = pd.DataFrame({
        "child": snaps["CHILD"].to_numpy(), "dob": snaps["_dob"].to_numpy(),
        "when": snaps["_when"].to_numpy(), "year": snaps["_year"].to_numpy(),
        "accom": snaps["ACCOM"].where(known, "").to_numpy(), "rule": "",
        "activity": snaps["ACTIV"].to_numpy(), "source": [f"OC3 {year_label(y)}" for y in snaps["_year"]],
    })  # fmt: skip
    timeline = pd.concat([left.assign(order=0), seen.assign(order=1)], ignore_index=True)
    timeline = timeline.sort_values(["child", "when", "order"], kind="stable").reset_index(drop=True)
    letter = timeline["accom"].str[:1].replace({"R": ""})
    before = letter.where(letter != "").groupby(timeline["child"]).shift(1)
    before = before.groupby(timeline["child"]).ffill()
    snapshot, now = timeline["order"] == 1, letter
    released = snapshot & (before == "X") & (now != "X") & (now != "")
    # B&B, emergency accommodation or no fixed abode with nothing known before is a need too.
    crisis = before.isna() & now.isin(list(URGENT_ACCOM))
    moved = snapshot & ~released & (before.notna() | crisis) & (now != before) & now.isin(list(MOVE_INTO))
    timeline.loc[released, "rule"] = "released from custody"
    timeline.loc[moved, "rule"] = "moved"
    was = before.fillna("not known")
    timeline.loc[released | moved, "source"] = (
        timeline["rule"] + ": " + timeline["source"] + " " + timeline["accom"] + " after " + was
    )[released | moved]
    _count(tally, timeline, letter, before, snapshot & ~released & ~moved, left)
    out = timeline[(timeline["rule"] != "") & (letter != "")]
    return _observed(out, years, tally)[EVENT_COLUMNS]


def _count(tally: Tally, timeline: pd.DataFrame, letter: pd.Series, before: pd.Series,
           quiet: pd.Series, left: pd.DataFrame) -> None:  # fmt: skip
    """What was not an event, for the summary."""
    c = tally.counts
    c["not_known"] = int((letter == "").sum())
    c["left_not_known"] = int((left["accom"].str[:1] == "R").sum())
    c["stayed"] = int((quiet & (letter != "") & (letter == before)).sum())
    c["to_family"] = int((quiet & (letter == "B") & before.notna() & (before != "B")).sum())
    c["first_seen"] = int((quiet & (letter != "") & before.isna()).sum())


def _observed(out: pd.DataFrame, years: list[int], tally: Tally) -> pd.DataFrame:
    """Events from the second collection year loaded (the first, when only one is): a move shows
    only against an earlier snapshot, so earlier months would look quieter than they were."""
    start = pd.Timestamp(sorted(years)[1] if len(years) > 1 else years[0], 4, 1)
    early = (out["when"] < start) & (len(years) > 1)
    if early.any():
        tally.notes.append(
            f"{plural(int(early.sum()), 'event')} before {uk_date(start)} not written: a move shows only "
            f"against the year before, so the history starts with the second year loaded, "
            f"{year_label(start.year)}"
        )
    if len(years) == 1:
        tally.notes.append(
            "one collection year loaded: a move shows only against where the young person went on "
            "leaving care in the episodes loaded, not against an earlier year's OC3; load the earlier "
            "years' returns too"
        )
    kept = out[~early].copy()
    softened = kept["accom"].isin(list(UNSUITABLE_AS_SUITABLE))
    if softened.any():  # SSDA903 lets a council call B&B or emergency accommodation suitable
        tally.notes.append(
            f"{plural(int(softened.sum()), 'record')} of B&B or emergency accommodation marked suitable "
            "(W1, V1) written as not suitable (W2, V2): the planner counts both as unsuitable"
        )
        kept.loc[softened, "accom"] = kept.loc[softened, "accom"].map(UNSUITABLE_AS_SUITABLE)
    demand = ~kept["accom"].str[:1].isin(list(NOT_PLACE_DEMAND))
    for rule in ("left care", "moved", "released from custody"):
        mine = kept["rule"] == rule
        tally.counts[f"events_{rule}"] = int(mine.sum())
        tally.counts[f"demand_{rule}"] = int((mine & demand).sum())
    return kept

"""The sentences of a batch's reasons (`explain`): a place and why it, staying put, the last
resort, and what happens meanwhile to someone left without a place (data contract v1.2: someone
housed stays where they are, someone in B&B is not moved to another, someone with no roof is
referred to the district housing authority)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.districts import district_names, districts, haversine_km
from planner.data.formats import plural, timestamps, uk_date
from planner.data.funding import share_phrase, short_phrase
from planner.data.roof import no_roof_from
from planner.data.vocab import (
    ACCOM_LABELS,
    NO_ROOF_ACCOM,
    STAYING_PUT_UNTIL_AGE,
    STUDYING,
    SUPPORT_RANK,
    WORKING,
)

# A place this close to the centre of a district where they study or work is "near" it (about
# half an hour by bus; an assumption), as is any place in that district.
NEAR_KM: Final = 10.0


@dataclass(frozen=True, slots=True)
class Held:
    """The places in the schemes a placed person would have preferred: held by people more
    urgent, as urgent or less urgent than them, and free."""

    more: int
    same: int
    less: int
    free: int
    optimal: bool


def _by(count: int, who: str) -> str:
    """`1 by a referral as urgent`, `3 by more urgent referrals`."""
    if who == "as urgent":
        return f"{count:,} by {'a referral' if count == 1 else 'referrals'} as urgent"
    return f"{count:,} by {'a ' if count == 1 else ''}{who} referral{'' if count == 1 else 's'}"


def ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


@dataclass(frozen=True, slots=True)
class Money:
    """Per person, of the place the batch gives them (`funding.shares`): the council's share (GBP
    a week), the rent not met, why not, and whether the council meets it; under 18 it pays all."""

    council: list[float]
    short: list[float]
    why: list[str]
    under_18: list[bool]
    council_meets: bool = False


class Wording:
    """Plain lists of the columns the sentences use: pandas scalar access is slow in a loop."""

    def __init__(
        self,
        people: pd.DataFrame,
        schemes: pd.DataFrame,
        objective: str,
        on: date,
        money: Money | None = None,
    ) -> None:
        self.on = on
        self.money = money
        self.names = district_names()
        self.home = people["home_district"].tolist()
        self.connections = people["connection_districts"].tolist()
        self.need = people["support_need"].tolist()
        self.activity = people["activity"].tolist()
        self.current = people["current_accom"].tolist()
        self.needed = timestamps(people["needed_from"])
        self.born = timestamps(people["date_of_birth"])
        self.until = timestamps(people["current_until"])
        self.roof_from = timestamps(no_roof_from(people, on=on))
        self.scheme_id = schemes["scheme_id"].tolist()
        self.scheme_name = schemes["name"].tolist()
        self.district = schemes["district"].tolist()
        self.level = schemes["support_level"].tolist()
        self.accom = schemes["accom_type"].tolist()
        self.cost = schemes["weekly_cost"].tolist()
        self.lat, self.lon = schemes["latitude"].tolist(), schemes["longitude"].tolist()
        self.by = {"cost": "weekly cost", "council": "cost to the council"}.get(objective, "combined cost")

    def _name(self, code: str) -> str:
        return self.names.get(code, code)

    def placed(
        self, i: int, j: int, km: float, option_rank: int, options: int, held: Held | None = None
    ) -> str:
        home, where = self.home[i], self.district[j]
        if where == home:
            loc = f"in their home district, {self._name(home)}, {km:.1f} km from its centre"
        elif where in self.connections[i]:
            loc = f"in {self._name(where)}, a connection district, {km:.1f} km from home"
        else:
            loc = f"{km:.1f} km from home ({self._name(home)}) in {self._name(where)}"
        near = self.near(i, j)
        if near:
            loc += f", {near}"
        need, level = self.need[i], self.level[j]
        extra = SUPPORT_RANK[level] - SUPPORT_RANK[need]
        if extra == 0:
            fit = f"support {level} meets need {need}"
        else:
            fit = f"support {level} for need {need} ({extra} level{'s' if extra > 1 else ''} above)"
        if option_rank == 1:
            choice = f"best of {options} suitable option{'s' if options > 1 else ''} by {self.by}"
        else:
            choice = f"{ordinal(option_rank)} of {options} by {self.by}, " + self.better_full(
                option_rank - 1, held
            )
        return f"{self.scheme_name[j]}: {loc}; {self.paid(i, j)}; {fit}; {choice}"

    def paid(self, i: int, j: int) -> str:
        """`£620 a week, £250 to the council`, and the rent not met of someone in work (or a
        student); `£620 a week` without the shares."""
        m = self.money
        if m is None:
            return f"£{self.cost[j]:,.0f} a week"
        text = share_phrase(round(self.cost[j]), round(m.council[i]), under_18=m.under_18[i])
        short = short_phrase(m.why[i], m.short[i], council_meets=m.council_meets)
        return f"{text}; {short}" if short else text

    def better_full(self, better: int, held: Held | None) -> str:
        """Why not one of the `better` schemes cheaper for them: who holds their places, by the
        batch's urgency order (`explain`); when a holder is not more urgent, only that the whole
        list costs least this way (what the optimum says, and nothing more)."""
        head = (
            "because the better scheme is full"
            if better == 1
            else f"because the {better:,} better schemes are full"
        )
        if held is None:
            return head
        if held.free:  # only when the solver stopped at its time limit
            free = plural(held.free, "place")
            return f"although {free} in better schemes stayed free (not optimal: time limit)"
        if held.more and not held.same and not held.less:
            if held.more == 1:
                return f"{head}, its place held by a more urgent referral"
            return f"{head}, all {held.more:,} places there held by more urgent referrals"
        groups = [(held.more, "more urgent"), (held.same, "as urgent"), (held.less, "less urgent")]
        parts = ", ".join(_by(c, who) for c, who in groups if c)
        why = f"the whole list's {self.by} is least this way" if held.optimal else "not optimal: time limit"
        return f"{head}, their places held {parts} ({why})"

    def near(self, i: int, j: int) -> str:
        """ "near college (Stroud)" or "near work (Stroud)" when they study or work (`activity`) and
        the place is in, or within `NEAR_KM` of the centre of, one of their connection districts."""
        activity = self.activity[i]
        what = "college" if activity in STUDYING else "work" if activity in WORKING else ""
        if not what or not self.connections[i]:
            return ""
        if self.district[j] in self.connections[i]:
            return f"near {what} ({self._name(self.district[j])})"
        codes = list(self.connections[i])
        centre = districts().loc[codes]
        km = haversine_km(self.lat[j], self.lon[j], centre["lat"].to_numpy(), centre["lon"].to_numpy())
        k = int(np.argmin(km))
        return f"near {what} ({self._name(codes[k])}, {km[k]:.1f} km)" if km[k] <= NEAR_KM else ""

    def staying_put(self, i: int, j: int) -> str:
        start = max(pd.Timestamp(self.needed[i]), pd.Timestamp(self.on))
        born = pd.Timestamp(self.born[i])
        end = born + pd.DateOffset(years=STAYING_PUT_UNTIL_AGE)
        where = self._name(self.district[j])
        return (
            f"staying put with own former foster carers: {self.scheme_name[j]} ({where}), "
            f"from {uk_date(start)} to their {ordinal(STAYING_PUT_UNTIL_AGE)} birthday ({uk_date(end)}); "
            f"{self.paid(i, j)}; a continuation of their foster placement, not ranked against "
            "other places"
        )

    def staying_put_ahead(self, j: int) -> str:
        return f"staying put with own former foster carers then: {self.scheme_id[j]} is reserved for them"

    def declined(self, j: int) -> str:
        return (
            f"staying put declined: their place with former foster carers ({self.scheme_id[j]}) stays "
            "reserved for them"
        )

    def last_resort(self, i: int, j: int, km: float) -> str:
        label = ACCOM_LABELS[self.accom[j]].lower()
        return (
            f"{label} at {self.scheme_name[j]} as a last resort, a roof for someone with none "
            f"({km:.1f} km from home, {self.paid(i, j)})"
        )

    def no_roof(self, i: int) -> str:
        home = self.home[i]
        return (
            f"no B&B or emergency place fits either: no roof from {uk_date(self.roof_from[i])}; refer them "
            f"to {self._name(home)}'s housing authority ({home}) as homeless (Housing Act 1996, Part 7)"
        )

    def in_emergency(self, i: int) -> str:
        code = self.current[i]
        label = ACCOM_LABELS[code[0]].lower()
        return (
            f"stays in {label} ({code}) for now, still unsuitably housed: never moved to another B&B "
            "or emergency place"
        )

    def _home(self, i: int) -> str:
        code = self.current[i]
        return f"their current home, {code} {ACCOM_LABELS[code[0]].lower()}," if code else "their home"

    def housed(self, i: int) -> str:
        if pd.isna(self.until[i]):
            return f"stays in {self._home(i)} until a place is found"
        return (
            f"stays in {self._home(i)} until it ends on {uk_date(self.until[i])}: no roof from then unless "
            "a place is found"
        )

    def roofless_then(self, i: int) -> bool:
        """No roof by the day they need a place: nowhere recorded, no fixed abode, in custody until
        release, or their home ends by then."""
        ends = not pd.isna(self.until[i]) and pd.Timestamp(self.until[i]) <= pd.Timestamp(self.needed[i])
        return self.current[i][:1] in ("", *NO_ROOF_ACCOM) or ends

    def later(self, i: int) -> str:
        when = ""
        if self.current[i][:1] == "X":
            when = " (released from custody then)"
        elif not pd.isna(self.until[i]):
            home = self._home(i).rstrip(",")
            same = pd.Timestamp(self.until[i]) == pd.Timestamp(self.needed[i])
            when = f", when {home} ends" if same else f" ({home} ends on {uk_date(self.until[i])})"
        return (
            f"needed from {uk_date(self.needed[i])}{when}: B&B and emergency accommodation are used only "
            "when the need is now"
        )

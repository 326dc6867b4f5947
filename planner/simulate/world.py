"""The simulated county: schemes over time, the demand model, lengths of stay and roofs.

Everything is turned into numpy arrays once (`build_world`), so a run is array arithmetic.
Time is in weeks from the scenario's start; week w covers days 7w to 7w+6. The people of a run
are drawn by `planner.simulate.population`.

Demand is today's waiting list (young_people.csv) plus arrivals drawn from the referral rate.
The list already holds part of the coming weeks' demand (the demo's holds everyone needing a
place in the next 12 months), so drawn arrivals only make up what the list falls short of the
demand model's expected referrals, cumulatively (`unlisted_arrivals`): a list that front-loads
its year (people needing a place soon are the best known) has brought that demand forward, not
added to it. People already waiting on the start date are past demand and offset nothing.

A young person needs a place from their need date until they get one, and then holds it for a
stay drawn from the history's stay model (`planner.forecast.stays`: by type of place and support
need, censored stays included) for the type they got. While they wait they live where they live
(`planner.simulate.roofs`): only adults with no roof spend nights in B&B or emergency
accommodation. The council's DfE figures for care leavers aged 17-21 (`planner.forecast.suitability`)
are kept for the report to set the simulation beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planner.data.contract import Dataset, complete_people
from planner.data.districts import districts, haversine_km
from planner.data.problems import InvalidInput, Problem
from planner.data.vocab import RISKS, STAYING_PUT, SUPPORT_RANK, UNKNOWN_DISTRICT, UNSUITABLE_TYPES
from planner.forecast.history import NOT_PLACE_DEMAND
from planner.forecast.model import fit_counts, monthly_counts
from planner.forecast.stays import StayModel, fit_stays, history_end
from planner.forecast.suitability import CareLeavers17To21
from planner.match.staying_put import reserved_rows
from planner.simulate.calibration import council_care_leavers
from planner.simulate.roofs import ListedRoofs, RoofProfiles, listed_roofs, roof_profiles
from planner.simulate.scenario import AddPlaces, ChangeScheme, CloseScheme, Scenario, YamlProblem

RISK_BIT = {r: 1 << i for i, r in enumerate(RISKS)}
GENDER_CODE = {"F": 0, "M": 1, "X": 2, "any": 3}


def _bits(lists: pd.Series) -> np.ndarray:
    return np.fromiter((sum(RISK_BIT[r] for r in t) for t in lists), dtype=np.int64, count=len(lists))


@dataclass(frozen=True, slots=True)
class Schemes:
    """Suitable schemes (W and V are the fallback, not part of the pool), existing then added."""

    scheme_id: np.ndarray
    name: np.ndarray
    district: np.ndarray
    district_index: np.ndarray  # into World.district_codes
    accom_type: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    gender: np.ndarray  # GENDER_CODE, 3 = any
    support: np.ndarray  # SUPPORT_RANK
    wheelchair: np.ndarray
    parent_child: np.ndarray
    high_risk: np.ndarray
    excluded: np.ndarray  # risk bitmask
    ofsted: np.ndarray
    staying_put: np.ndarray  # type Z: ends at the 21st birthday
    stay_type: np.ndarray  # row of the type in World.stays' tables
    reserved_for: np.ndarray  # waiting-list row the place is reserved for; -1 not reserved; -2 its occupant's
    block: np.ndarray  # paid for every place whether used or not (added block contracts)
    added: np.ndarray
    capacity: np.ndarray  # (schemes, weeks)
    cost: np.ndarray  # (schemes, weeks) GBP per place per week
    occupied0: np.ndarray  # places taken on the start date

    def __len__(self) -> int:
        return len(self.scheme_id)


@dataclass(frozen=True, slots=True)
class Profiles:
    """Attributes of young people, one row each (referral history rows or a run's population)."""

    gender: np.ndarray
    home: np.ndarray  # index into World.district_codes
    need: np.ndarray
    wheelchair: np.ndarray
    parent_child: np.ndarray
    high_risk: np.ndarray
    risks: np.ndarray
    tenancy_ready: np.ndarray  # may be nominated to an own tenancy (U) from 18 (contract v1.2)

    def take(self, idx: np.ndarray) -> Profiles:
        return Profiles(*(getattr(self, f)[idx] for f in Profiles.__slots__))


@dataclass(frozen=True, slots=True)
class World:
    """A scenario prepared for simulation: read-only, shared by every run."""

    name: str
    start: date
    weeks: int
    schemes: Schemes
    district_codes: np.ndarray
    distance_km: np.ndarray  # (district, scheme) from the district centroid to the scheme
    pool: Profiles  # referral profiles to draw arrivals from
    pool_age_days: np.ndarray
    pool_weight: np.ndarray
    arrivals_per_week: np.ndarray  # expected referrals for a place, by week (the demand model)
    drawn_per_week: np.ndarray  # expected drawn arrivals: the part the waiting list does not hold
    stays: StayModel  # lengths of stay by type of place and support need
    waiting: Profiles  # young_people.csv: today's referrals
    waiting_dob_day: np.ndarray
    waiting_arrive: np.ndarray
    waiting_avoid: tuple[tuple[int, int], ...]  # (waiting row, district index) pairs
    waiting_roofs: ListedRoofs
    arrival_roofs: RoofProfiles  # what drawn arrivals' roofs are drawn from
    care_leavers: CareLeavers17To21 | None  # DfE's figures for the council(s), None if unpublished
    bnb_weekly: float
    emergency_weekly: float


def _profiles(df: pd.DataFrame, index: dict[str, int]) -> Profiles:
    return Profiles(
        gender=df["gender"].map(GENDER_CODE).to_numpy(np.int8),
        home=df["home_district"].map(index).to_numpy(np.int32),
        need=df["support_need"].map(SUPPORT_RANK).to_numpy(np.int8),
        wheelchair=df["wheelchair"].to_numpy(bool),
        parent_child=df["parent_with_child"].to_numpy(bool),
        high_risk=df["high_risk"].to_numpy(bool),
        risks=_bits(df["risks"]),  # below, the referral history's: whoever moved into their own tenancy
        tenancy_ready=(df["outcome_accom"].str[:1] == "U" if "outcome_accom" in df
                       else complete_people(df)["tenancy_ready"]).to_numpy(bool),
    )  # fmt: skip


def _schemes(data: Dataset, scenario: Scenario, weeks: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Scheme rows (existing suitable ones, then scenario additions) and capacity/cost by week."""
    s = data.schemes[~data.schemes["accom_type"].isin(list(UNSUITABLE_TYPES))].reset_index(drop=True)
    s = s.assign(block=False, added=False)
    rows = []
    cent = districts()
    for i, c in enumerate(scenario.changes):
        if isinstance(c, AddPlaces):
            rows.append({
                "scheme_id": f"NEW-{i + 1:02d}", "district": c.district, "accom_type": c.accom_type,
                "name": f"New {c.contract} places ({c.accom_type}, {c.support_level}) in "
                        f"{cent.at[c.district, 'name']!s}",
                "latitude": cent.loc[c.district, "lat"], "longitude": cent.loc[c.district, "lon"],
                "capacity": c.places, "vacancies": 0, "min_age": c.min_age, "max_age": c.max_age,
                "gender": c.gender, "support_level": c.support_level,
                "wheelchair_accessible": c.wheelchair_accessible, "parent_and_child": c.parent_and_child,
                "accepts_high_risk": c.accepts_high_risk, "excluded_risks": (),
                "ofsted_registered": c.ofsted_registered, "weekly_cost": c.weekly_cost,
                "block": c.contract == "block", "added": True, "from_week": _week(scenario.start, c.start),
            })  # fmt: skip
    if rows:
        s = pd.concat([s, pd.DataFrame(rows)], ignore_index=True)
    n = len(s)
    cap = np.repeat(s["capacity"].to_numpy(np.int32)[:, None], weeks, axis=1)
    cost = np.repeat(s["weekly_cost"].to_numpy(float)[:, None], weeks, axis=1)
    added = s["added"].to_numpy(bool)
    for k in np.flatnonzero(added):
        cap[k, : max(0, min(weeks, int(s["from_week"].iloc[k])))] = 0
    ids: dict[str, int] = {str(sid): j for j, sid in enumerate(s["scheme_id"])}
    problems: list[Problem] = []
    for c in scenario.changes:
        if isinstance(c, CloseScheme | ChangeScheme):
            j = ids.get(c.scheme_id)
            if j is None or added[j]:
                problems.append(YamlProblem(scenario.file, c.line, "scheme_id", f"{c.scheme_id!r} is not "
                                            f"a suitable scheme in {data_dir_name(scenario)}"))  # fmt: skip
                continue
            w = max(0, _week(scenario.start, c.start))
            if isinstance(c, CloseScheme):
                cap[j, w:] = 0
            else:
                if c.capacity is not None:
                    cap[j, w:] = c.capacity
                if c.weekly_cost is not None:
                    cost[j, w:] = c.weekly_cost
    if problems:
        raise InvalidInput(problems)
    assert cap.shape == (n, weeks)
    return s, cap, cost


def data_dir_name(scenario: Scenario) -> str:
    return f"{scenario.data_dir.name}/schemes.csv"


def _week(start: date, day: date | pd.Timestamp) -> int:
    return (pd.Timestamp(day) - pd.Timestamp(start)).days // 7


def place_referrals(referrals: pd.DataFrame) -> pd.DataFrame:
    """Referrals for a place: not those ending with family, staying put or custody."""
    return referrals[~referrals["outcome_accom"].str[:1].isin(list(NOT_PLACE_DEMAND))]


def referral_rate(referrals: pd.DataFrame, start: date, weeks: int) -> np.ndarray:
    """Expected referrals for a place in each week from `start`: the count model fitted to the
    complete months of `referrals` (referrals for a place) up to the start, as `_demand` says."""
    end = history_end(referrals, start)
    last_full = end.to_period("M") - (0 if end.is_month_end else 1)
    dates = referrals["referral_date"]
    model = fit_counts(monthly_counts(dates, dates.min().to_period("M"), last_full))
    week_starts = pd.Timestamp(start) + pd.to_timedelta(7 * np.arange(weeks), unit="D")
    month = pd.PeriodIndex(week_starts, freq="M")
    return np.asarray(model.mean(month) * 7 / month.days_in_month.to_numpy(float))


def _demand(
    referrals: pd.DataFrame, scenario: Scenario, index: dict[str, int]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Referral profiles with weights, and expected arrivals by week.

    Rate: the forecast's count model (`planner.forecast.model.fit_counts`: negative binomial with
    a trend and month-of-year seasonality, both shrunk by weak priors) fitted to the complete
    months of referrals for a place, its monthly means spread evenly over each month's days.
    One demand model for the forecast and the simulation. Referrals of unknown district count in
    the rate; arrivals are drawn from the profiles of those whose district is known.
    """
    r = place_referrals(referrals)
    r = r[r["home_district"].isin([*index, UNKNOWN_DISTRICT])].reset_index(drop=True)
    if len(r) < 10:
        raise InvalidInput([YamlProblem(scenario.file, None, "data",
                                        f"referrals.csv has {len(r)} referrals for places in this county; "
                                        "at least 10 are needed to estimate demand")])  # fmt: skip
    rate = referral_rate(r, scenario.start, scenario.weeks)
    d = scenario.demand
    factor = (1 + r["home_district"].map(d.by_district).fillna(0.0).to_numpy() / 100) * (
        1 + r["support_need"].map(d.by_need).fillna(0.0).to_numpy() / 100
    )
    rate = rate * (1 + d.growth_percent / 100) * factor.mean()
    known = (r["home_district"] != UNKNOWN_DISTRICT).to_numpy()
    return r[known].assign(weight=factor[known]), rate


def _stays(
    referrals: pd.DataFrame, scenario: Scenario, index: dict[str, int], letters: np.ndarray
) -> StayModel:
    """The county's stay model: every placement of its history, whatever the outcome (staying put
    too), censored at the history's end; stays of a referral of unknown district count too."""
    r = referrals[referrals["home_district"].isin([*index, UNKNOWN_DISTRICT])]
    try:
        return fit_stays(r, end=history_end(r, scenario.start), types=tuple(sorted(set(letters))))
    except ValueError as e:
        raise InvalidInput([YamlProblem(scenario.file, None, "data", f"referrals.csv: {e}")]) from None


def unlisted_arrivals(expected: np.ndarray, week_needed: np.ndarray) -> np.ndarray:
    """Expected arrivals by week that are not on the waiting list already.

    `expected` is the demand model's referrals for a place by week; `week_needed` each listed
    person's week of need from the start (negative: already waiting, past demand). Drawn
    arrivals make up the list's shortfall against the expected cumulative demand:
    G(w) = max over s <= w of (expected up to s - listed up to s), at least 0, and week w gets
    G(w) - G(w-1). A list that knows the next k weeks fully gets no draws for them; one that
    knows a whole year (the demo's) gets only what its year falls short of the model's.
    """
    weeks = len(expected)
    future = week_needed[(week_needed >= 0) & (week_needed < weeks)]
    listed = np.cumsum(np.bincount(future, minlength=weeks)[:weeks])
    gap = np.maximum.accumulate(np.maximum(np.cumsum(expected) - listed, 0.0))
    return np.asarray(np.diff(gap, prepend=0.0))


def build_world(scenario: Scenario, data: Dataset, referrals: pd.DataFrame) -> World:
    """Prepare a scenario for simulation; raise InvalidInput for a change that names no scheme."""
    weeks = scenario.weeks
    s, cap, cost = _schemes(data, scenario, weeks)
    seen = set(s["district"]) | set(data.people["home_district"]) | set(referrals["home_district"])
    codes = sorted(seen - {UNKNOWN_DISTRICT})
    # Districts of the council(s) present in the data: referrals elsewhere are not this county's.
    utlas = set(districts().loc[sorted(set(s["district"]) | set(data.people["home_district"])), "utla_code"])
    in_scope = set(districts().index[districts()["utla_code"].isin(list(utlas))])
    codes = sorted(set(codes) | in_scope)
    index = {c: i for i, c in enumerate(codes)}
    r, rate = _demand(referrals, scenario, {c: index[c] for c in in_scope})
    stays = _stays(referrals, scenario, {c: index[c] for c in in_scope}, s["accom_type"].to_numpy(str))
    cent = districts().loc[codes]
    dist = haversine_km(
        cent["lat"].to_numpy()[:, None], cent["lon"].to_numpy()[:, None],
        s["latitude"].to_numpy(float)[None, :], s["longitude"].to_numpy(float)[None, :],
    )  # fmt: skip
    schemes = Schemes(
        scheme_id=s["scheme_id"].to_numpy(str), name=s["name"].to_numpy(str),
        district=s["district"].to_numpy(str), district_index=s["district"].map(index).to_numpy(np.int32),
        accom_type=s["accom_type"].to_numpy(str),
        lat=s["latitude"].to_numpy(float), lon=s["longitude"].to_numpy(float),
        min_age=s["min_age"].to_numpy(np.int32), max_age=s["max_age"].to_numpy(np.int32),
        gender=s["gender"].map(GENDER_CODE).to_numpy(np.int8),
        support=s["support_level"].map(SUPPORT_RANK).to_numpy(np.int8),
        wheelchair=s["wheelchair_accessible"].to_numpy(bool),
        parent_child=s["parent_and_child"].to_numpy(bool),
        high_risk=s["accepts_high_risk"].to_numpy(bool), excluded=_bits(s["excluded_risks"]),
        ofsted=s["ofsted_registered"].to_numpy(bool),
        staying_put=(s["accom_type"] == STAYING_PUT).to_numpy(bool),
        stay_type=stays.index(s["accom_type"].to_numpy(str)),
        reserved_for=reserved_rows(s, data.people),
        block=s["block"].to_numpy(bool),
        added=s["added"].to_numpy(bool), capacity=cap, cost=cost,
        occupied0=(s["capacity"] - s["vacancies"]).to_numpy(np.int32) * ~s["added"].to_numpy(bool),
    )  # fmt: skip
    start = pd.Timestamp(scenario.start)
    p = data.people
    week_needed = ((p["needed_from"] - start).dt.days // 7).to_numpy(np.int64)
    arrive = np.clip(week_needed, 0, None).astype(np.int32)
    avoid = tuple((i, index[c]) for i, t in enumerate(p["avoid_districts"]) for c in t if c in index)
    return World(
        name=scenario.name, start=scenario.start, weeks=weeks, schemes=schemes,
        district_codes=np.asarray(codes), distance_km=dist, pool=_profiles(r, index),
        pool_age_days=(r["referral_date"] - r["date_of_birth"]).dt.days.to_numpy(np.int32),
        pool_weight=r["weight"].to_numpy(float) / r["weight"].sum(), arrivals_per_week=rate,
        drawn_per_week=unlisted_arrivals(rate, week_needed), stays=stays, waiting=_profiles(p, index),
        waiting_dob_day=(p["date_of_birth"] - start).dt.days.to_numpy(np.int32),
        waiting_arrive=arrive, waiting_avoid=avoid, waiting_roofs=listed_roofs(p, scenario.start),
        arrival_roofs=roof_profiles(p, data.schemes, scenario.start),
        care_leavers=council_care_leavers(set(s["district"]) | set(p["home_district"])),
        bnb_weekly=scenario.bnb_weekly, emergency_weekly=scenario.emergency_weekly,
    )  # fmt: skip

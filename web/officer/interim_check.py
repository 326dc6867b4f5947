"""The check before B&B or emergency accommodation (W, V): the suitable places the planner finds
for the young person today, each of which the officer must say why it does not suit, and the
record of what they said (kept with the placement and in the audit log). With none found, the
officer's reason and their word that no suitable place exists today."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from planner.match.eligibility import eligible_pairs
from web.core.store import people_frame, schemes_frame

REASON_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class Found:
    """A scheme with a place free today that the young person could take suitably."""

    scheme_id: str
    name: str
    weekly_cost: float
    distance_km: float


@dataclass(frozen=True, slots=True)
class Refused:
    """A suitable place the officer says does not suit, and why."""

    scheme_id: str
    name: str
    reason: str


def suitable_places(db: Session, person_id: str, *, on: date) -> list[Found]:
    """The schemes with a place free on `on` this person could take suitably (not B&B or
    emergency), cheapest first: what the B&B check asks the officer about, one by one."""
    people = people_frame(db, person_id=person_id)
    if people.empty:
        return []
    schemes = schemes_frame(db, with_vacancies_only=True, on=on)
    pairs = eligible_pairs(people, schemes, on=on)
    pairs = pairs[pairs["suitable"].to_numpy()].sort_values(["weekly_cost", "home_km"])
    j = pairs["scheme"].to_numpy(dtype=np.int64)
    return [
        Found(str(sid), str(name), float(cost), round(float(km), 1))
        for sid, name, cost, km in zip(schemes["scheme_id"].to_numpy()[j], schemes["name"].to_numpy()[j],
                                       pairs["weekly_cost"], pairs["home_km"], strict=True)
    ]  # fmt: skip


def field_name(scheme_id: str) -> str:
    return f"refuse-{scheme_id}"


def read(found: Sequence[Found], form: Mapping[str, str]) -> tuple[list[Refused], list[dict[str, str]]]:
    """The officer's reason for each place found, and an error for each one missing or too long."""
    given, errors = [], []
    for f in found:
        text = (form.get(field_name(f.scheme_id)) or "").strip()
        href = f"#{field_name(f.scheme_id)}"
        if not text:
            errors.append({"href": href, "text": f"Say why {f.name} does not suit them"})
        elif len(text) > REASON_MAX:
            errors.append(
                {"href": href, "text": f"Say why {f.name} does not suit in {REASON_MAX:,} characters or less"}
            )
        given.append(Refused(f.scheme_id, f.name, text))
    return given, errors


def missing(found: Sequence[Found], refused: Sequence[Refused]) -> list[Found]:
    """The places found that the officer gave no reason for."""
    said = {r.scheme_id for r in refused if r.reason.strip()}
    return [f for f in found if f.scheme_id not in said]


def to_json(refused: Sequence[Refused]) -> str:
    return json.dumps([{"scheme_id": r.scheme_id, "name": r.name, "reason": r.reason} for r in refused])


def from_json(text: str) -> list[Refused]:
    return [Refused(**r) for r in json.loads(text)] if text else []


def described(refused: Sequence[Refused]) -> str:
    """For the audit log: each place and why it did not suit."""
    return "; ".join(f"{r.scheme_id} {r.name}: {r.reason}" for r in refused)

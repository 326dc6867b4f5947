"""One young person's referral, added or corrected in the web: the form's fields (one per column
of young_people.csv), read from a request and checked by the same contract rules as a file
(`planner.data.contract.PEOPLE`, the age and legal status on the match date included), each
problem said on its field. Districts are lists with "add another" (GOV.UK's pattern, done on the
server: a button adds an empty choice, another removes one), so it works without JavaScript."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from werkzeug.datastructures import MultiDict

from planner.data.contract import PEOPLE, people_on
from planner.data.districts import district_names
from planner.data.problems import InvalidInput
from planner.data.table import read_table
from planner.data.vocab import (
    ACCOM_LABELS,
    ACTIVITY_LABELS,
    LEGAL_STATUS_LABELS,
    NEVER_SUITABLE,
    RISKS,
    SUPPORT_LEVELS,
    accom_label,
)
from web.core.dates import DateField
from web.core.models import YoungPerson
from web.core.store import records

LISTS: Final = ("connection_districts", "avoid_districts")
FLAGS: Final = ("wheelchair", "parent_with_child", "high_risk", "uasc", "tenancy_ready")
DATES: Final = {
    "date_of_birth": "Date of birth",
    "needed_from": "Needed from",
    "current_until": "Living there until",
}
MOST_DISTRICTS: Final = 10  # connection or avoid districts: "add another" stops here
LABELS: Final = {
    "person_id": "Person id",
    "gender": "Gender",
    "home_district": "Home district",
    "connection_districts": "Connection districts",
    "avoid_districts": "Districts to avoid",
    "support_need": "Support need",
    "risks": "Risks",
    "current_accom": "Living now",
    "legal_status": "Legal status",
    "staying_put": "Staying put",
    "activity": "Education, training or work",
    **dict.fromkeys(FLAGS, "Needs"),
    **DATES,
}


def accom_codes() -> list[tuple[str, str]]:
    """SSDA903 ACCOM codes an officer may record (S, X, W and V never suitable: only 2)."""
    codes = [f"{k}{d}" for k in ACCOM_LABELS for d in "12" if not (k in NEVER_SUITABLE and d == "1")]
    return [(c, accom_label(c)) for c in codes]


def choices() -> dict[str, Any]:
    """What the form's selects, radios and checkboxes offer."""
    names = sorted(district_names().items(), key=lambda t: t[1])
    return {
        "districts": names,
        "needs": SUPPORT_LEVELS,
        "risks": RISKS,
        "accom": accom_codes(),
        "legal": LEGAL_STATUS_LABELS,
        "activity": ACTIVITY_LABELS,
    }


@dataclass
class Referral:
    """The form as typed: `values` by column (lists for the district lists and risks), the date
    boxes, and an error per field (`errors`, in the order of the form)."""

    values: dict[str, Any]
    dates: dict[str, DateField]
    errors: dict[str, str] = field(default_factory=dict)

    def summary(self) -> list[dict[str, str]]:
        """The error summary's links, in the order of the form."""
        first = {name: f"#{name}-day" for name in DATES} | {c: f"#{c}-0" for c in LISTS}
        return [{"href": first.get(c, f"#{c}"), "text": t} for c, t in self.errors.items()]


def blank(person_id: str = "") -> Referral:
    values: dict[str, Any] = {c: "" for c in PEOPLE.names} | {c: [""] for c in LISTS} | {"risks": []}
    values["person_id"] = person_id
    return Referral(values, {n: DateField(n, label) for n, label in DATES.items()})


def of(person: YoungPerson) -> Referral:
    """The form filled with a stored young person."""
    out = blank(person.person_id)
    for c in PEOPLE.names:
        value = getattr(person, c)
        if c in LISTS:
            out.values[c] = [v for v in value.split(";") if v] or [""]
        elif c == "risks":
            out.values[c] = [v for v in value.split(";") if v]
        elif c in DATES:
            if value is not None:
                out.dates[c] = DateField.showing(c, DATES[c], value)
        elif c == "staying_put":
            out.values[c] = "" if value is None else "true" if value else "false"
        elif c in FLAGS:
            out.values[c] = "true" if value else ""
        else:
            out.values[c] = value
    return out


def read(form: MultiDict[str, str], *, person_id: str | None = None) -> Referral:
    """The form as posted; `person_id` when correcting (the id cannot change). A press of "add
    another" or "remove" changes the lists only (`changed_lists`)."""
    out = blank(person_id or (form.get("person_id") or "").strip())
    for c in PEOPLE.names:
        if c in LISTS:
            out.values[c] = [(form.get(f"{c}-{k}") or "").strip() for k in range(MOST_DISTRICTS)
                             if f"{c}-{k}" in form]  # fmt: skip
        elif c == "risks":
            out.values[c] = [r for r in form.getlist("risks") if r in RISKS]
        elif c in FLAGS:
            out.values[c] = "true" if form.get(c) == "true" else ""
        elif c not in DATES and c != "person_id":
            out.values[c] = (form.get(c) or "").strip()
    for name, box in out.dates.items():
        box.typed = {p: (form.get(f"{name}-{p}") or "").strip() for p in ("day", "month", "year")}
    return out


def change_lists(referral: Referral, action: str) -> bool:
    """Apply "add another" (`add:<column>`) or "remove" (`remove:<column>:<k>`); False if `action`
    is neither."""
    verb, _, rest = action.partition(":")
    column, _, k = rest.partition(":")
    if column not in LISTS or verb not in ("add", "remove"):
        return False
    items = referral.values[column]
    if verb == "add" and len(items) < MOST_DISTRICTS:
        items.append("")
    elif verb == "remove" and k.isdigit() and int(k) < len(items):
        items.pop(int(k))
    referral.values[column] = items or [""]
    return True


def check(referral: Referral, *, on: date) -> dict[str, Any] | None:
    """The referral as the database stores it (`web.core.store.records`), or None with
    `referral.errors` set: the dates as GOV.UK's date input says, the rest by the contract."""
    row: dict[str, str] = {}
    for c in PEOPLE.names:
        value = referral.values[c]
        row[c] = ";".join(v for v in value if v) if isinstance(value, list) else str(value)
    for name, box in referral.dates.items():
        optional = name == "current_until" and not any(box.typed.values())
        if optional:
            continue
        parsed = box.read(MultiDict({f"{name}-{p}": v for p, v in box.typed.items()}))
        if parsed is None:
            referral.errors[name] = box.error
            row[name] = on.isoformat()  # a stand-in, so that the rest is still checked
        else:
            row[name] = parsed.isoformat()
    if not row["person_id"]:
        referral.errors["person_id"] = "Enter the young person's pseudonymous id"
    try:
        frame = read_table(_csv(row), people_on(on), max_problems=100)
    except InvalidInput as e:
        for p in e.problems:
            column = p.column or "person_id"
            if column not in referral.errors:
                referral.errors[column] = f"{LABELS.get(column, column)}: {p.message}"
        frame = None
    for name, box in referral.dates.items():  # the contract's word on a date marks its boxes too
        if name in referral.errors and not box.error:
            box.error, box.wrong = referral.errors[name], ("day", "month", "year")
    order = {c: k for k, c in enumerate(PEOPLE.names)}
    referral.errors = dict(sorted(referral.errors.items(), key=lambda t: order.get(t[0], 0)))
    if referral.errors or frame is None:
        return None
    return records(frame, PEOPLE)[0]


def _csv(row: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, PEOPLE.names, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()

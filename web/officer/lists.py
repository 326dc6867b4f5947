"""What the waiting list and the proposals list read from a request (their filters, each refused
with a GOV.UK error message naming the field, never a bare error page) and what they give to a
spreadsheet: CSV files made safe to open (`planner.data.formats.spreadsheet_safe`)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import pandas as pd
from flask import Response

from planner.data.districts import district_name
from planner.data.formats import ages_on, spreadsheet_safe
from planner.data.limits import ID_MAX_LENGTH
from planner.data.roof import ROOF_LABELS, URGENCY_GROUPS
from planner.data.vocab import LEGAL_STATUS_LABELS, SUPPORT_LEVELS, accom_label
from web.core.models import YoungPerson
from web.officer.queues import URGENCY_FILTERS

MAX_WEEKS: Final = 52
OUTCOMES: Final = {
    "placed": "Suitable place",
    "unsuitable": "Unsuitable (B&B or emergency)",
    "unplaced": "No place",
}
STATES: Final = {"proposed": "open", "confirmed": "confirmed", "declined": "declined", "all": "all"}
PRINT_MOST: Final = 2_000  # rows on a printed list; a longer one is for the CSV file


@dataclass
class Filters:
    """The filters of a list as typed, and a message for each one that cannot be used."""

    values: dict[str, str]
    errors: list[dict[str, str]] = field(default_factory=list)

    def __getattr__(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError as e:
            raise AttributeError(name) from e

    def refuse(self, name: str, text: str) -> None:
        self.errors.append({"href": f"#f-{name}", "text": text})
        self.values[name] = ""


def _search(args: Mapping[str, str], f: Filters) -> None:
    text = (args.get("q") or "").strip()
    f.values["q"] = text
    if len(text) > ID_MAX_LENGTH or not re.fullmatch(r"[A-Za-z0-9_.-]*", text):
        f.refuse("q", "Enter part of a person id: letters, digits, '-', '_' or '.'")


def waiting_filters(args: Mapping[str, str], districts: Sequence[str]) -> Filters:
    f = Filters({k: (args.get(k) or "").strip() for k in ("district", "need")})
    f.values["urgency"] = (args.get("urgency") or "all").strip()
    if f.district and f.district not in districts:
        f.refuse("district", "Choose a home district from the list")
    if f.need and f.need not in SUPPORT_LEVELS:
        f.refuse("need", "Choose a support need from the list")
    if f.urgency not in URGENCY_FILTERS:
        f.refuse("urgency", "Choose how urgent from the list")
        f.values["urgency"] = "all"
    _search(args, f)
    return f


def proposal_filters(args: Mapping[str, str], districts: Sequence[str]) -> Filters:
    f = Filters({k: (args.get(k) or "").strip() for k in ("outcome", "district", "weeks")})
    f.values["state"] = (args.get("state") or "proposed").strip()
    if f.state not in STATES:
        f.refuse("state", "Choose a decision from the list")
        f.values["state"] = "proposed"
    if f.outcome and f.outcome not in OUTCOMES:
        f.refuse("outcome", "Choose an outcome from the list")
    if f.district and f.district not in districts:
        f.refuse("district", "Choose a home district from the list")
    if f.weeks and not (f.weeks.isdigit() and 1 <= int(f.weeks) <= MAX_WEEKS):
        f.refuse("weeks", f"Due within must be a whole number of weeks from 1 to {MAX_WEEKS}")
    _search(args, f)
    return f


def horizon_error(text: str, most: int) -> str | None:
    """Why a horizon typed on the waiting list cannot be used, or None."""
    if text.isdigit() and int(text) <= most:
        return None
    return f"Place young people needed within must be a whole number of days from 0 to {most}"


def csv_response(frame: pd.DataFrame, name: str, on: date) -> Response:
    """A CSV download that opens safely in a spreadsheet (no cell runs as a formula)."""
    out = io.StringIO()
    spreadsheet_safe(frame).to_csv(out, index=False, lineterminator="\n")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-{on.isoformat()}.csv"'},
    )


def waiting_csv(
    people: Sequence[YoungPerson], about: Mapping[str, Mapping[str, str]], on: date
) -> pd.DataFrame:
    """The waiting list as officers read it, one row a person, in the urgency order."""
    born = pd.Series([p.date_of_birth for p in people], dtype="datetime64[ns]")
    ages: list[int] = ages_on(born, on).tolist() if len(people) else []
    return pd.DataFrame(
        {
            "position": range(1, len(people) + 1),
            "person_id": [p.person_id for p in people],
            "urgency": [URGENCY_GROUPS[about[p.person_id]["group"]] for p in people],
            "age": ages,
            "legal_status": [LEGAL_STATUS_LABELS.get(about[p.person_id]["legal"], "") for p in people],
            "gender": [p.gender for p in people],
            "home_district": [p.home_district for p in people],
            "home_district_name": [district_name(p.home_district) for p in people],
            "support_need": [p.support_need for p in people],
            "needs": ["; ".join(_needs(p)) for p in people],
            "needed_from": [p.needed_from.isoformat() for p in people],
            "living_now": [accom_label(p.current_accom) for p in people],
            "living_until": [p.current_until.isoformat() if p.current_until else "" for p in people],
            "roof": [ROOF_LABELS[about[p.person_id]["roof"]] for p in people],
        }
    )


def _needs(p: YoungPerson) -> list[str]:
    flags = [(p.wheelchair, "wheelchair"), (p.parent_with_child, "parent and child"),
             (p.high_risk, "high risk"), (p.uasc, "UASC"), (p.tenancy_ready, "tenancy-ready")]  # fmt: skip
    return [name for on, name in flags if on]


def proposals_csv(rows: Sequence[Any], about: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Proposals as the list shows them: `rows` of `queues.proposal_rows`."""
    return pd.DataFrame(
        {
            "person_id": [r.Proposal.person_id for r in rows],
            "urgency": [
                URGENCY_GROUPS.get(about.get(r.Proposal.person_id, {}).get("group", ""), "") for r in rows
            ],
            "scheme_id": [r.Proposal.scheme_id or "" for r in rows],
            "scheme_name": [r.Scheme.name if r.Scheme is not None else "" for r in rows],
            "outcome": [r.Proposal.outcome for r in rows],
            "accom_code": [r.Proposal.accom_code for r in rows],
            "weekly_cost": [r.Proposal.weekly_cost for r in rows],
            "distance_km": [r.Proposal.distance_km for r in rows],
            "reason": [r.Proposal.reason for r in rows],
            "decision": [r.Proposal.state for r in rows],
            "decline_reason": [r.Proposal.decline_reason for r in rows],
        }
    )

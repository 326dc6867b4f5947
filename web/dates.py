"""Dates typed in the GOV.UK date input pattern (day, month and year boxes) and its error
messages: "Enter the move-in date", "Move-in date must include a year", "Move-in date must be a
real date", "... must be on or after 23 Nov 2026"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from werkzeug.datastructures import MultiDict

from planner.data.formats import uk_date

PARTS = ("day", "month", "year")


@dataclass
class DateField:
    """One date input: its name (the boxes are `name-day`, `name-month`, `name-year`), the label
    used in messages, what was typed, and the error (with the boxes it is about)."""

    name: str
    label: str  # "Move-in date"
    typed: dict[str, str] = field(default_factory=dict)
    error: str = ""
    wrong: tuple[str, ...] = ()  # the boxes to mark

    @classmethod
    def showing(cls, name: str, label: str, value: date) -> DateField:
        return cls(name, label, {"day": str(value.day), "month": str(value.month), "year": str(value.year)})

    def given(self, form: MultiDict[str, str]) -> bool:
        return any(f"{self.name}-{p}" in form for p in PARTS)

    def read(
        self, form: MultiDict[str, str], *, earliest: date | None = None, latest: date | None = None
    ) -> date | None:
        """The date typed, or None with `error` set as the GOV.UK pattern words it."""
        self.typed = {p: (form.get(f"{self.name}-{p}") or "").strip() for p in PARTS}
        missing = tuple(p for p in PARTS if not self.typed[p])
        if len(missing) == 3:
            return self._fail(f"Enter the {self.label.lower()}", PARTS)
        if missing:
            return self._fail(f"{self.label} must include a {' and '.join(missing)}", missing)
        if not all(re.fullmatch(r"\d{1,4}", self.typed[p]) for p in PARTS) or len(self.typed["year"]) != 4:
            return self._fail(f"{self.label} must be a real date", PARTS)
        try:
            value = date(int(self.typed["year"]), int(self.typed["month"]), int(self.typed["day"]))
        except ValueError:
            return self._fail(f"{self.label} must be a real date", PARTS)
        if earliest is not None and value < earliest:
            return self._fail(f"{self.label} must be on or after {uk_date(earliest)}", PARTS)
        if latest is not None and value > latest:
            return self._fail(f"{self.label} must be on or before {uk_date(latest)}", PARTS)
        return value

    def _fail(self, message: str, wrong: tuple[str, ...]) -> date | None:
        self.error, self.wrong = message, wrong
        return None

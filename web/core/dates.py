"""Dates typed in the GOV.UK date input pattern (day, month and year boxes) and its error
messages: "Enter the move-in date", "Move-in date must include a year", "Move-in date must be a
real date", "... must be on or after 23 Nov 2026". `DateField` reads the boxes of a plain form;
`UKDateField` is the same for a WTForms form (the scenario form)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import DateField as WTFormsDateField
from wtforms.utils import unset_value
from wtforms.validators import Optional, StopValidation

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


class UKDateField(WTFormsDateField):
    """A date in the GOV.UK date input pattern: day, month and year boxes (`start-day`, ...), with
    its messages ("Start date must be a real date"). A single value typed as 23/11/2026 or
    2026-11-23 (a script, a bookmarked query) is read too. `boxes` is what the boxes show."""

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.boxes = DateField(self.name, self.label.text)
        if formdata is None or not self.boxes.given(formdata):
            super().process(formdata, data, extra_filters)
            return
        self.process_errors, self.data = [], None
        typed = [formdata.get(f"{self.name}-{p}", "").strip() for p in ("day", "month", "year")]
        self.raw_data = ["/".join(typed)] if any(typed) else []
        if any(typed):
            self.data = self.boxes.read(formdata)
            if self.boxes.error:
                self.process_errors.append(self.boxes.error)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date") from None

    def shown(self) -> DateField:
        """The boxes for the page: what was typed, marked with the field's first error, or the
        date the field holds (a saved scenario's)."""
        value: Any = self.data
        if not self.boxes.typed and isinstance(value, date):
            self.boxes = DateField.showing(self.name, self.label.text, value)
        if self.errors:
            self.boxes.error = str(self.errors[0])
            self.boxes.wrong = self.boxes.wrong or ("day", "month", "year")
        return self.boxes


class _Required:
    """A date must be given; one typed but not real keeps its own message ("must be a real date")."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


def date_field(label: str, required: bool = False) -> UKDateField:
    need = _Required(f"Enter the {label.lower()}") if required else Optional()
    return UKDateField(label, validators=[need], format=["%d/%m/%Y", "%Y-%m-%d"])

"""How people in an English council read dates, money and counts: `23 Nov 2026`, `£1,234`, `2 schemes`."""

from __future__ import annotations

from datetime import date, datetime


def uk_date(value: date | datetime | None) -> str:
    """`23 Nov 2026` (no leading zero on the day); empty for no date."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 episode`, `2,140 episodes`; `many` for an irregular plural (`plural(3, "person", "people")`)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def gbp(value: float | int | None) -> str:
    """`£1,234`; pence only when there are any (`£1,234.50`)."""
    if value is None:
        return ""
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if round(amount, 2) == round(amount):
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def parse_date(text: str) -> date:
    """A date as people type it in England, `23/11/2026`, or as ISO, `2026-11-23`.

    Raises ValueError for anything else, or a date that does not exist."""
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%d/%m/%Y").date()
    return date.fromisoformat(text)

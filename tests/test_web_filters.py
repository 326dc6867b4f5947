"""What people read: UK dates and times, pounds, SSDA903 labels, district names."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from web.core.filters import (
    accom_type,
    age_on,
    district,
    district_list,
    gbp,
    km,
    tokens,
    uk_date,
    uk_datetime,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234, "£1,234"), (1234.5, "£1,234.50"), (0, "£0"), (450.0, "£450"), (-20, "-£20"), (None, "")],
)
def test_pounds_are_shown_with_thousands_separators_and_pence_only_when_present(value, shown):
    assert gbp(value) == shown


def test_dates_read_the_uk_way_and_times_are_uk_local():
    assert uk_date(date(2026, 11, 3)) == "3 Nov 2026"
    assert uk_datetime(datetime(2026, 11, 23, 14, 5)) == "23 Nov 2026 14:05"  # GMT in winter
    assert uk_datetime(datetime(2026, 7, 1, 14, 5)) == "1 Jul 2026 15:05"  # BST in summer


def test_ages_count_whole_years_to_the_match_date():
    assert age_on(date(2009, 3, 14), date(2026, 11, 23)) == 17
    assert age_on(date(2008, 11, 23), date(2026, 11, 23)) == 18
    assert age_on(date(2008, 11, 24), date(2026, 11, 23)) == 17


def test_codes_are_shown_with_their_names():
    assert district("E07000081") == "Gloucester (E07000081)"
    assert district_list("E07000081;E07000082") == "Gloucester, Stroud"
    assert accom_type("W") == "W Bed and breakfast"
    assert tokens("self_harm;going_missing") == "self harm, going missing"
    assert km(2.94) == "2.9 km" and km(float("nan")) == ""


def test_dates_are_read_as_typed_in_england_or_as_iso() -> None:
    from planner.data.formats import parse_date

    assert parse_date("23/11/2026") == parse_date("2026-11-23") == date(2026, 11, 23)
    for wrong in ("30/02/2026", "11/23/2026", "23 Nov 2026", ""):
        with pytest.raises(ValueError):
            parse_date(wrong)

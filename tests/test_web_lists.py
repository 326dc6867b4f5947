"""Long lists come from the database already filtered, sorted and paged: the waiting list in the
optimiser's urgency order, the schemes by name with their totals. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import numpy as np
import pandas as pd
import pytest
from flask import Flask
from matching_instances import people
from web_support import EXAMPLE, ON, SignIn

import web.core.paging
from planner.data.contract import Dataset, load_folder
from planner.data.formats import ages_on
from planner.data.vocab import URGENT_ACCOM
from web.core.db import get_db
from web.core.store import replace_all
from web.officer.queues import adult_born_by as _adult_born_by


def _listed(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/people/([^"]+)">', html.split("<tbody")[1])


def test_the_waiting_list_comes_in_the_optimisers_urgency_order_page_after_page(
    web_app: Flask, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
):
    waiting = people(90, 12)
    waiting.loc[:5, "date_of_birth"] = pd.Timestamp(ON.replace(year=ON.year - 18))  # 18 today: adults
    waiting.loc[6:9, "date_of_birth"] = pd.Timestamp(ON.replace(year=ON.year - 18)) + pd.Timedelta(days=1)
    with web_app.app_context():
        db = get_db()
        replace_all(db, Dataset(waiting, load_folder(EXAMPLE).schemes))
        db.commit()
    adult = ages_on(waiting["date_of_birth"], ON) >= 18
    urgent = waiting["current_accom"].str[:1].isin(list(URGENT_ACCOM)).to_numpy()
    order = np.lexsort((waiting["person_id"], waiting["needed_from"], ~urgent, adult))
    expected = waiting["person_id"].to_numpy()[order].tolist()
    monkeypatch.setattr(web.core.paging, "PAGE_SIZE", 25)
    officer = sign_in("officer")
    shown = [
        pid
        for n in range(1, 5)
        for pid in _listed(officer.get(f"/waiting-list?page={n}").get_data(as_text=True))
    ]
    assert shown == expected
    due = officer.get("/waiting-list?urgency=due&page=2").get_data(as_text=True)
    last = ON + pd.Timedelta(days=28)
    want = [p for p in expected if waiting.set_index("person_id").at[p, "needed_from"] <= pd.Timestamp(last)]
    assert _listed(due) == want[25:50]
    assert f"{len(want)} shown (page 2 of {-(-len(want) // 25)}" in due
    assert f"<strong>{len(want)} are due by" in due


def test_the_latest_birth_date_of_an_adult_counts_birthdays_on_29_february_from_1_march():
    assert _adult_born_by(date(2026, 11, 23)) == date(2008, 11, 23)
    assert _adult_born_by(date(2028, 2, 29)) == date(2010, 2, 28)  # no 29 February in 2010
    born = pd.Series(pd.to_datetime(["2008-02-29", "2008-02-28"]))
    assert ages_on(born, date(2026, 2, 28)).tolist() == [17, 18]  # as the planner counts ages
    assert date(2008, 2, 29) > _adult_born_by(date(2026, 2, 28))


def _names(html: str) -> list[str]:
    return [
        unescape(n)
        for n in re.findall(
            r'<td class="govuk-table__cell"><a [^>]*href="/schemes/[^"]+">([^<]+)</a>'
            r'<span class="app-secondary">',
            html,
        )
    ]


def test_schemes_are_filtered_summed_and_paged_by_name(sign_in: SignIn, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(web.core.paging, "PAGE_SIZE", 3)
    schemes = load_folder(EXAMPLE).schemes.sort_values(["name", "scheme_id"])
    officer = sign_in("officer")
    first = officer.get("/schemes").get_data(as_text=True)
    places, free = int(schemes["capacity"].sum()), int(schemes["vacancies"].sum())
    assert f"7 of 7 schemes shown: {places} places, {free} free today." in first
    assert "Page 1 of 3: 1 to 3, by name" in first
    assert _names(first) == schemes["name"].tolist()[:3]
    assert _names(officer.get("/schemes?page=3").get_data(as_text=True)) == schemes["name"].tolist()[6:]
    vacant = schemes[schemes["vacancies"] > 0]
    html = officer.get("/schemes?vacancies=yes").get_data(as_text=True)
    assert f"{len(vacant)} of 7 schemes shown: {int(vacant['capacity'].sum())} places" in html


def test_schemes_are_found_by_id_or_part_of_the_name(sign_in: SignIn):
    officer = sign_in("officer")
    by_id = officer.get("/schemes?q=SCH-005").get_data(as_text=True)
    assert "1 of 7 schemes shown" in by_id and "Tewkesbury Move-On Flats" in by_id
    by_name = officer.get("/schemes?q=move-on").get_data(as_text=True)
    assert "1 of 7 schemes shown" in by_name and 'value="move-on"' in by_name
    assert "0 of 7 schemes shown" in officer.get("/schemes?q=50%25_off").get_data(
        as_text=True
    )  # % and _ are text

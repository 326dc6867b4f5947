"""Free places by one rule (web.core.vacancies): the reported figure less the placements confirmed
since it, plus those undone or ended since, within the capacity less those living there; the
same figure on every page and in every calculation; the vacancies form refuses a stale save."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import select
from web_support import EXAMPLE, ON, SignIn, import_files

from web.core.clock import ledger_now
from web.core.db import get_db
from web.core.models import Placement, Scheme
from web.core.store import schemes_frame
from web.core.vacancies import count_for, free_on, history, set_figure

FOYER = "SCH-002"  # 30 places, 3 free in the example


def _now(app: Flask) -> datetime:
    """The ledger's clock, on the app's calendar (`TODAY` in the tests)."""
    return ledger_now(app)


def _place(
    app: Flask, person: str, scheme: str = FOYER, *, at: datetime | None = None, **more: object
) -> int:
    with app.app_context():
        db = get_db()
        p = Placement(person_id=person, scheme_id=scheme, accom_code="T1", weekly_cost=450,
                      confirmed_at=at or _now(app), start_date=ON, **more)  # fmt: skip
        db.add(p)
        db.commit()
        return p.id


def _count(app: Flask, scheme: str = FOYER, on: date = ON):  # type: ignore[no-untyped-def]
    with app.app_context():
        return count_for(get_db(), scheme, on)


def _refigure(app: Flask, vacancies: int, scheme: str = FOYER) -> None:
    with app.app_context():
        db = get_db()
        set_figure(db, db.get(Scheme, scheme), vacancies, source="edit", user=None)
        db.commit()


def test_placements_confirmed_after_the_figure_take_places_and_ending_gives_them_back(web_app: Flask):
    assert _count(web_app).free == 3
    first = _place(web_app, "YP-0001")
    _place(web_app, "YP-0003")
    c = _count(web_app)
    assert (c.figure, c.taken, c.freed, c.live, c.free) == (3, 2, 0, 2, 1)
    with web_app.app_context():
        db = get_db()
        db.get(Placement, first).end_date = ON + timedelta(days=5)
        db.commit()
    assert _count(web_app).free == 1 and _count(web_app, on=ON + timedelta(days=5)).free == 2


def test_a_figure_taken_after_a_placement_counts_it_and_an_end_after_the_figure_frees_it(web_app: Flask):
    placed = _place(web_app, "YP-0001", at=_now(web_app) - timedelta(days=3))
    _refigure(web_app, 2)  # the provider's count now, with YP-0001 living there
    assert _count(web_app).free == 2
    with web_app.app_context():
        db = get_db()
        p = db.get(Placement, placed)
        p.end_date, p.ended_at = ON + timedelta(days=1), _now(web_app)
        db.commit()
    assert _count(web_app).free == 2
    c = _count(web_app, on=ON + timedelta(days=1))
    assert (c.taken, c.freed, c.free) == (0, 1, 3)


def test_a_move_out_before_the_figure_is_not_counted_twice(web_app: Flask):
    placed = _place(web_app, "YP-0001", at=_now(web_app) - timedelta(days=10))
    with web_app.app_context():  # she moved out last week, recorded only today
        db = get_db()
        p = db.get(Placement, placed)
        p.end_date, p.ended_at = ON - timedelta(days=7), _now(web_app)
        db.commit()
    # The figure came after she left, so it counts her place as free already.
    assert _count(web_app).free == 3


def test_never_more_free_than_capacity_less_those_living_there(web_app: Flask):
    _refigure(web_app, 8, "SCH-001")  # Westgate: capacity 8, "all free"
    _place(web_app, "YP-0004", "SCH-001", at=_now(web_app) - timedelta(days=1))  # before the figure
    c = _count(web_app, "SCH-001")
    assert (c.figure, c.taken, c.live, c.free) == (8, 0, 1, 7)


def test_matching_the_map_and_the_schemes_page_see_the_same_free_places(web_app: Flask, sign_in: SignIn):
    _place(web_app, "YP-0001")
    with web_app.app_context():
        frame = schemes_frame(get_db(), on=ON)
        assert dict(zip(frame["scheme_id"], frame["vacancies"], strict=True))[FOYER] == 2
        total = int(frame["vacancies"].sum())
        suitable = int(frame.loc[~frame["accom_type"].isin(["W", "V"]), "vacancies"].sum())
    officer, commissioner = sign_in("officer"), sign_in("commissioner")
    listing = officer.get("/schemes").get_data(as_text=True)
    assert f"7 of 7 schemes shown: 61 places, {total} free today" in listing
    assert re.search(r"<strong>2</strong> of 30", officer.get("/schemes?type=T").get_data(as_text=True))
    csv = commissioner.get("/map.csv").get_data(as_text=True).splitlines()
    at = csv[0].split(",").index("suitable_vacancies")
    assert sum(int(r.split(",")[at]) for r in csv[1:]) == suitable


def test_matching_proposes_no_place_the_ledger_has_taken(web_app: Flask, sign_in: SignIn):
    _refigure(web_app, 1)
    _place(web_app, "YP-0003")  # the foyer's last place
    officer = sign_in("officer")
    officer.post("/matching/run")
    with web_app.app_context():
        from web.core.models import Proposal

        proposed = set(get_db().scalars(select(Proposal.scheme_id).where(Proposal.state == "proposed")))
    assert FOYER not in proposed and "SCH-001" in proposed


def test_reimporting_a_changed_figure_takes_it_the_same_figure_keeps_the_count(
    web_app: Flask, sign_in: SignIn
):
    officer = sign_in("officer")
    _place(web_app, "YP-0001")
    people, schemes = (EXAMPLE / "young_people.csv").read_bytes(), (EXAMPLE / "schemes.csv").read_bytes()
    assert import_files(officer, people, schemes).status_code == 303
    assert _count(web_app).free == 2  # the same 3: no news
    row = "SCH-002,Cheltenham Foyer,YMCA Cotswold Group,T,E07000078,51.89810,-2.07820,30,"
    changed = schemes.decode().replace(row + "3,", row + "4,")
    assert import_files(officer, people, changed.encode()).status_code == 303
    assert _count(web_app).free == 4  # the provider's new count, which knows YP-0001


def test_the_scheme_page_shows_its_placements_and_places_over_time(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/people/YP-0001/place", data={"scheme_id": FOYER})
    page = officer.get(f"/schemes/{FOYER}").get_data(as_text=True)
    assert "Cheltenham Foyer" in page and "YMCA Cotswold Group" in page
    assert '<span class="govuk-!-font-size-48 govuk-!-font-weight-bold">2</span> places free of 30' in page
    assert 'href="/people/YP-0001"' in page and ">Live</strong>" in page
    assert "YP-0001 confirmed" in page and "Places free over time" in page and '<path d="M' in page
    with web_app.app_context():
        points = history(get_db(), FOYER, today=ON)
    assert [p.free for p in points] == [2]  # imported 3 and a placement, both today: 2 at the day's end
    reader = sign_in("analyst").get(f"/schemes/{FOYER}").get_data(as_text=True)
    assert "YP-0001" not in reader and "Who is placed here" not in reader  # people are for officers


def test_the_vacancies_form_refuses_a_save_from_a_page_older_than_the_places(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    form = officer.get(f"/schemes/{FOYER}/vacancies").get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"', form)[1]
    _place(web_app, "YP-0001")  # another officer confirmed a placement meanwhile
    stale = officer.post(f"/schemes/{FOYER}/vacancies", data={"vacancies": "3", "seen": seen})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "changed since you opened this page" in body
    assert "<strong>2</strong> (from the figure of 3" in body and "less 1 confirmed since" in body
    assert _count(web_app).free == 2
    fresh = re.search(r'name="seen" type="hidden" value="([^"]+)"', body)[1]
    assert (
        officer.post(f"/schemes/{FOYER}/vacancies", data={"vacancies": "5", "seen": fresh}).status_code == 303
    )
    c = _count(web_app)
    assert (c.figure, c.taken, c.free) == (5, 0, 5)
    with web_app.app_context():
        assert get_db().scalar(select(Scheme.reported_vacancies).where(Scheme.scheme_id == FOYER)) == 5
        assert free_on(get_db(), FOYER, ON) == 5


def test_the_scheme_page_says_how_its_free_places_are_counted_in_words(web_app: Flask, sign_in: SignIn):
    _place(web_app, "YP-0001")
    page = sign_in("officer").get(f"/schemes/{FOYER}").get_data(as_text=True)
    assert "1 place taken" in page and "0 places freed" in page
    assert "2</span> places free of 30" in page  # the figure of 3 less the one taken

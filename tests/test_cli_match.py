"""`planner match` and `planner options` on a small demo county, as a user runs them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.demo.county import write_demo
from planner.match.batch import MATCH_COLUMNS


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county")
    write_demo(folder, people=150, seed=3)
    return folder


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_match_writes_matches_csv_and_prints_the_summary(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"
    code, text = _run("match", str(county), "--date", "2026-11-23", "--out", str(out))
    assert code == 0, text
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == MATCH_COLUMNS
    assert len(rows) == 150
    assert {r["outcome"] for r in rows} <= {"placed", "unsuitable", "unplaced", "not_due"}
    assert "due by 21 Dec 2026 (28-day horizon)" in text and "not due (needed later)" in text
    for label in ("placed in a suitable place", "unsuitable (B&B/emergency)", "unplaced", "total weekly cost",
                  "mean distance from home", "solve time", "Placement rates", "age band", "16-17",
                  "home district", "Cheltenham (E07000078)"):  # fmt: skip
        assert label in text
    assert "optimal" in text and f"Wrote {out}" in text
    assert list(tmp_path.glob(".matches-*")) == []  # the temporary file was renamed into place


def test_match_defaults_to_data_dir_and_accepts_cost_and_time_limit(county: Path) -> None:
    code, text = _run(
        "match", str(county), "--date", "2026-11-23", "--objective", "cost", "--time-limit", "30"
    )
    assert code == 0, text
    assert (county / "matches.csv").is_file()
    code, text = _run("match", str(county), "--date", "2026-11-23", "--time-limit", "0.000001")
    assert code == 0 and "TIME LIMIT reached" in text


def test_match_rejects_invalid_data_with_exit_2_and_writes_nothing(county: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "young_people.csv").write_text((county / "young_people.csv").read_text(encoding="utf-8"))
    lines = (county / "schemes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(csv.reader([lines[1]]))
    row[header.index("vacancies")] = "-3"
    lines[1] = ",".join(f'"{v}"' if "," in v else v for v in row)
    (bad / "schemes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = _run("match", str(bad), "--date", "2026-11-23")
    assert code == 2
    assert "schemes.csv row 2, column vacancies" in text
    assert not (bad / "matches.csv").exists()


def test_options_ranks_places_and_explains_a_scheme(county: Path) -> None:
    people = list(csv.DictReader((county / "young_people.csv").open(encoding="utf-8")))
    schemes = list(csv.DictReader((county / "schemes.csv").open(encoding="utf-8")))
    staying_put = {s["reserved_for"] for s in schemes}  # their carers' place alone: not a ranking
    person = next(
        p["person_id"]
        for p in people
        if p["needed_from"] <= "2026-12-21" and p["person_id"] not in staying_put
    )
    later = next(p for p in people if p["needed_from"] > "2026-12-21")
    scheme = next(csv.DictReader((county / "schemes.csv").open(encoding="utf-8")))["scheme_id"]
    code, text = _run("options", str(county), person, "--date", "2026-11-23", "--top", "3", "--why", scheme)
    assert code == 0, text
    assert text.startswith(f"{person}: age ")
    assert "The batch match for the whole waiting list:" in text
    assert "displaces" in text and "score" in text
    assert scheme in text.splitlines()[-1]
    code, text = _run("options", str(county), later["person_id"], "--date", "2026-11-23")
    assert code == 0 and "Not due: needed from" in text and "after the 28-day horizon" in text
    code, text = _run(
        "options", str(county), later["person_id"], "--date", "2026-11-23", "--horizon-days", "366"
    )
    assert code == 0 and "Not due" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [(("nobody",), "person_id 'nobody' is not in the data"),
     (("{person}", "--why", "nope"), "scheme_id 'nope' is not in the data")],
)  # fmt: skip
def test_options_names_an_unknown_id_and_exits_2(county: Path, args: tuple[str, ...], message: str) -> None:
    person = next(csv.DictReader((county / "young_people.csv").open(encoding="utf-8")))["person_id"]
    code, text = _run(
        "options", str(county), *(a.format(person=person) for a in args), "--date", "2026-11-23"
    )
    assert code == 2
    assert message in text and "Traceback" not in text


def _copy(county: Path, to: Path) -> Path:
    to.mkdir()
    for name in ("young_people.csv", "schemes.csv"):
        (to / name).write_bytes((county / name).read_bytes())
    return to


def _first_due(folder: Path) -> str:
    people = csv.DictReader((folder / "young_people.csv").open(encoding="utf-8"))
    return next(p["person_id"] for p in people if p["needed_from"] <= "2026-12-21")


def test_options_reuse_the_answer_match_kept_and_solve_again_when_anything_changes(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(county, tmp_path / "county")
    person = _first_due(folder)
    code, solved = _run("options", str(folder), person, "--date", "2026-11-23")  # nothing kept yet: solves
    assert code == 0, solved
    (folder / ".planner-cache" / "batch-answer.npz").unlink()
    assert _run("match", str(folder), "--date", "2026-11-23")[0] == 0
    assert (folder / ".planner-cache" / "batch-answer.npz").is_file()

    from planner.match import batch

    calls: list[object] = []
    real = batch.solve
    monkeypatch.setattr(batch, "solve", lambda *a, **k: calls.append(k) or real(*a, **k))
    code, reused = _run("options", str(folder), person, "--date", "2026-11-23")
    assert code == 0 and calls == []  # the kept answer: no solver
    assert reused == solved  # and the same numbers
    for other in (("--date", "2026-11-24"), ("--date", "2026-11-23", "--horizon-days", "7"),
                  ("--date", "2026-11-23", "--objective", "cost")):  # fmt: skip
        assert _run("options", str(folder), person, *other)[0] == 0
    assert len(calls) == 3  # another date, horizon or objective is solved, not taken from the kept one
    assert _run("options", str(folder), person, "--date", "2026-11-23")[0] == 0
    assert len(calls) == 4  # the last one asked for is what is kept

    # Editing a file (one vacancy fewer) is a new batch: its answer is solved and kept.
    lines = (folder / "schemes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = next(
        k for k, line in enumerate(lines[1:], 1) if next(csv.reader([line]))[header.index("vacancies")] != "0"
    )
    row = next(csv.reader([lines[at]]))
    row[header.index("vacancies")] = str(int(row[header.index("vacancies")]) - 1)
    lines[at] = ",".join(f'"{v}"' if "," in v else v for v in row)
    (folder / "schemes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _run("options", str(folder), person, "--date", "2026-11-23")[0] == 0
    assert len(calls) == 5
    assert _run("options", str(folder), person, "--date", "2026-11-23")[0] == 0
    assert len(calls) == 5


def test_options_work_when_nothing_can_be_kept_beside_the_data(county: Path, tmp_path: Path) -> None:
    folder = _copy(county, tmp_path / "no-cache")
    (folder / ".planner-cache").write_text(
        "a file where the cache folder would go"
    )  # fails as read-only does
    code, text = _run("options", str(folder), _first_due(folder), "--date", "2026-11-23")
    assert code == 0 and "The batch match for the whole waiting list:" in text
    assert _run("match", str(folder), "--date", "2026-11-23")[0] == 0


def test_a_damaged_kept_answer_is_solved_again(county: Path, tmp_path: Path) -> None:
    folder = _copy(county, tmp_path / "damaged")
    person = _first_due(folder)
    code, first = _run("options", str(folder), person, "--date", "2026-11-23")
    kept = folder / ".planner-cache" / "batch-answer.npz"
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 2])  # a half-written file, as after a full disc
    code, again = _run("options", str(folder), person, "--date", "2026-11-23")
    assert code == 0 and again == first


HOLD_PEOPLE = """person_id,date_of_birth,gender,home_district,support_need,needed_from,current_accom
YP-0101,2006-05-01,F,E07000081,low,2026-11-23,U1
YP-0102,2009-06-01,M,E07000081,low,2026-12-28,
"""
HOLD_SCHEMES = (
    "scheme_id,name,provider,accom_type,district,latitude,longitude,capacity,vacancies,min_age,max_age,"
    "gender,support_level,ofsted_registered,weekly_cost\n"
    "SCH-101,Westgate Supported Flats,Severn Housing Trust,D,E07000081,51.86430,-2.25030,4,1,16,21,any,"
    "high,true,300.00\n"
    "SCH-102,Kingsholm Lodgings,Provider Two,E,E07000081,51.86430,-2.25030,4,1,18,25,any,high,false,400.00\n"
)


def test_match_anticipate_says_in_plain_words_which_place_is_held_and_for_whom(tmp_path: Path) -> None:
    (tmp_path / "young_people.csv").write_text(HOLD_PEOPLE, encoding="utf-8")
    (tmp_path / "schemes.csv").write_text(HOLD_SCHEMES, encoding="utf-8")
    code, plain = _run("match", str(tmp_path), "--date", "2026-11-23")
    assert code == 0, plain
    assert "Planning for the coming weeks" not in plain
    code, text = _run("match", str(tmp_path), "--date", "2026-11-23", "--anticipate")
    assert code == 0, text
    assert (
        "Planning for the coming weeks: 1 place held back:\n"
        "  Westgate Supported Flats (SCH-101): held for a 17-year-old due on 28 Dec who has no other "
        "registered place (YP-0102)"
    ) in text
    with (tmp_path / "matches.csv").open(encoding="utf-8") as f:
        rows = {r["person_id"]: r for r in csv.DictReader(f)}
    assert rows["YP-0101"]["scheme_id"] == "SCH-102"  # the adult due now takes the other place
    assert rows["YP-0102"]["outcome"] == "not_due" and "held for them" in rows["YP-0102"]["reason"]


def test_match_anticipate_says_when_no_place_needs_holding(county: Path) -> None:
    code, text = _run("match", str(county), "--date", "2026-11-23", "--anticipate")
    assert code == 0, text
    line = next(x for x in text.splitlines() if x.startswith("Planning for the coming weeks:"))
    assert line.endswith("held back:") or line.endswith("(everyone due soon has a place left free).")

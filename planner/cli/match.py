"""Commands for placement officers: `match` (the whole waiting list) and `options` (one person).

`match` keeps the batch's answer beside the data folder (`planner.data.folder_cache`), keyed by
the files' bytes, the date, the horizon and the objective; `options` reuses it while they are the
same, and otherwise solves the batch once and keeps that answer for the next person.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planner.cli.common import DATA_DIR, DATE, OUT_FILE, BadInput, cannot_write, folder_for, load

if TYPE_CHECKING:
    from planner.data.contract import Dataset
    from planner.data.funding import FundingSettings
    from planner.match.solution import BatchAnswer

ANSWER_FILE = "batch-answer.npz"

OBJECTIVE = click.Choice(["default", "cost", "council"])
OBJECTIVE_HELP = (
    "Level 3 of the objective, among places for as many people as possible, most urgent first. "
    "default: the place's whole weekly cost (rent and support, whoever pays them) plus £10 a week per km "
    "from home or connections and £100 a week per support level above the need; cost: the whole weekly "
    "cost alone; council: the council's share of it alone (support, and the rent under 18; from 18 "
    "housing benefit meets the rent, less what assumed pay takes away: data/README.md, 'Who pays')."
)
HORIZON = click.option(
    "--horizon-days",
    type=click.IntRange(0, 366),
    default=28,
    show_default=True,
    help="Place only people needed within this many days of --date; the others are not due.",
)


@click.command("match")
@click.argument("data_dir", type=DATA_DIR)
@click.option("--date", "on", type=DATE, required=True, help="Match date: ages and vacancies on it.")
@click.option("--objective", type=OBJECTIVE, default="default", show_default=True, help=OBJECTIVE_HELP)
@click.option("--out", type=OUT_FILE, default=None,
              help="Where to write matches.csv [default: DATA_DIR/matches.csv].")  # fmt: skip
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds; on reaching it the best answer found is returned and marked.")  # fmt: skip
@HORIZON
@click.option("--anticipate", is_flag=True, default=False,
              help="Plan for the coming weeks: hold a place for someone due soon after the horizon who "
                   "would have no other, when everyone placed now can still be placed.")  # fmt: skip
def match_cmd(
    data_dir: Path,
    on: datetime,
    objective: str,
    out: Path | None,
    time_limit: float | None,
    horizon_days: int,
    anticipate: bool,
) -> None:
    """Match everyone in DATA_DIR due within the horizon to places at once and write matches.csv.

    Most people due in suitable places, then the most under-18s, then the most of those now in
    B&B, emergency accommodation or with no fixed abode, then the soonest needed, then the least
    cost (PRODUCT.md s.3); B&B and emergency places only for adults needing a place now whom
    nobody could place suitably; people needed after the horizon are `not_due`. Prints outcomes,
    cost, distance, solve time and placement rates by gender, age band, support need, UASC and
    district.

    With --anticipate, places are held for people due in the eight weeks after the horizon who
    would otherwise have none (an under-18 with no other registered place, a wheelchair user),
    only where everyone placed now can still be placed; each hold is listed with why.

    Example: planner match demo --date 2026-11-23 --out demo/matches.csv
    """
    data = load(data_dir, on.date())  # the files are checked before the solver is imported
    from planner.match import answer_of, format_summary, match, write_matches
    from planner.match.anticipate import LOOKAHEAD_DAYS, hold_lines
    from planner.match.threads import in_background

    funding = _funding()
    result = match(data.people, data.schemes, on=on.date(), objective=objective,  # type: ignore[arg-type]
                   time_limit=time_limit, horizon_days=horizon_days, funding=funding,
                   anticipate_days=LOOKAHEAD_DAYS if anticipate else 0)  # fmt: skip
    path = folder_for(out) if out is not None else data_dir / "matches.csv"
    key = _key(data, on.date(), horizon_days, objective, funding) + (" anticipate" if anticipate else "")
    sol = result.solution if result.status == "optimal" else None  # a time-limited answer is not kept
    # The answer kept for `planner options` (megabytes of sorted arcs at England scale) is
    # written beside matches.csv and the summary, not before them.
    kept = (
        in_background(lambda: _keep(data_dir, key, answer_of(sol, data.people, data.schemes)))
        if sol is not None
        else None
    )
    try:
        write_matches(result.matches, path)
    except OSError as e:
        raise cannot_write(path, e) from None
    summary = format_summary(
        result, data.people, on=on.date(), council_meets=funding.council_meets_rent_shortfall
    )
    if kept is not None:
        kept.result()
    click.echo(summary)
    if anticipate:
        click.echo("\n".join(hold_lines(result.holds)))
    click.echo(f"Wrote {path}")


def _keep(data_dir: Path, key: str, answer: BatchAnswer) -> None:
    from planner.data import folder_cache

    folder_cache.write(data_dir, ANSWER_FILE, key, answer.to_bytes())


@click.command("options")
@click.argument("data_dir", type=DATA_DIR)
@click.argument("person_id")
@click.option("--date", "on", type=DATE, required=True, help="Match date: ages and vacancies on it.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Places to list.")
@click.option("--why", "why_scheme", metavar="SCHEME_ID", default=None, help="Rules this scheme breaks.")
@click.option("--objective", type=OBJECTIVE, default="default", show_default=True, help=OBJECTIVE_HELP)
@HORIZON
def options_cmd(data_dir: Path, person_id: str, on: datetime, top: int, why_scheme: str | None,
                objective: str, horizon_days: int) -> None:  # fmt: skip
    """Rank the places PERSON_ID could take, with the score broken down and, for each, how many
    others on the waiting list would lose a suitable place if it is taken.

    Example: planner options demo YP-0001 --date 2026-11-23 --why SCH-003
    """
    from planner.match import UnknownId, format_options, options, why_not

    funding = _funding()
    data = load(data_dir, on.date())
    # Unknown ids are refused before the batch is solved (seconds at England scale).
    if not (data.people["person_id"] == person_id).any():
        raise BadInput(f"person_id {person_id!r} is not in the data")
    if why_scheme is not None and not (data.schemes["scheme_id"] == why_scheme).any():
        raise BadInput(f"scheme_id {why_scheme!r} is not in the data")
    batch = _batch(data_dir, data, on.date(), horizon_days, objective, funding)
    try:
        opts = options(data.people, data.schemes, person_id, on=on.date(), top=top, objective=objective,  # type: ignore[arg-type]
                       horizon_days=horizon_days, batch=batch, funding=funding)  # fmt: skip
        why = None
        if why_scheme is not None:
            why = (why_scheme, why_not(data.people, data.schemes, person_id, why_scheme, on=on.date()))
    except UnknownId as e:
        raise BadInput(str(e)) from None
    click.echo(format_options(opts, why=why))


def _funding() -> FundingSettings:
    """Who pays: the settings from the environment (PLANNER_UC_TAPER, ...), or exit 2 naming a bad one."""
    from planner.data.funding import FundingSettings

    try:
        return FundingSettings.from_env()
    except ValueError as e:
        raise BadInput(str(e)) from None


def _key(data: Dataset, on: date, horizon_days: int, objective: str, funding: FundingSettings) -> str:
    from planner.match.cost import DEFAULT_WEIGHTS
    from planner.match.solution import ANSWER_FORMAT

    w = DEFAULT_WEIGHTS
    paid = f" funding {funding.key()}" if objective == "council" else ""  # only the council's cost reads it
    return (f"answer {ANSWER_FORMAT} files {data.digest} date {on.isoformat()} horizon {horizon_days} "
            f"objective {objective} weights {w.gbp_per_km!r} {w.gbp_per_extra_support_level!r}"
            f"{paid}")  # fmt: skip


def _batch(
    data_dir: Path, data: Dataset, on: date, horizon_days: int, objective: str, funding: FundingSettings
) -> BatchAnswer:
    """The batch answer kept for these files, date, horizon, objective (and who pays), or a new one (kept)."""
    from planner.data import folder_cache
    from planner.match import BatchAnswer, batch_answer

    key = _key(data, on, horizon_days, objective, funding)
    kept = folder_cache.read(data_dir, ANSWER_FILE, key)
    answer = BatchAnswer.from_bytes(kept) if kept is not None else None
    if answer is None:
        answer = batch_answer(data.people, data.schemes, on=on, objective=objective,  # type: ignore[arg-type]
                              horizon_days=horizon_days, funding=funding)  # fmt: skip
        folder_cache.write(data_dir, ANSWER_FILE, key, answer.to_bytes())
    return answer

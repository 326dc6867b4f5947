"""Scenario outputs: the three CSV files and a self-contained HTML report with charts and a map.

Charts are drawn with matplotlib and embedded as inline SVG; the map is district boundaries from
data/reference drawn with geopandas, so the report needs no network to open.
"""

from __future__ import annotations

import html
import io
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planner.data.contract import Dataset
from planner.data.districts import boundaries
from planner.data.formats import spreadsheet_safe, uk_date
from planner.forecast.shortfall import DESCRIPTION, shortfall_by_level
from planner.simulate.calibration import MONTH_COLUMNS, baseline_by_month, calibrate, lines
from planner.simulate.gaps import GAP_LABELS, GAP_METRICS, gap_lines, gap_table
from planner.simulate.scenario import Scenario, ScenarioInputs, load_inputs
from planner.simulate.simulation import SimulationResult, simulate

if TYPE_CHECKING:  # the commissioning model (CP-SAT) loads only for `planner commission`
    from planner.simulate.commissioning import Plan

log = logging.getLogger(__name__)

LABELS = {
    "bnb_nights": "B&B nights",
    "emergency_nights": "Emergency accommodation nights",
    "unsuitable_nights": "B&B and emergency nights",
    "unsuitable_per_night": "In B&B or emergency accommodation on an average night",
    "unsuitable_share_17_21": "Care leavers aged 17-21 in B&B or emergency accommodation, average night "
    "(share of DfE's count)",
    "under18_waiting_nights": "Nights an under-18 waits past their need date (in their placement or care)",
    "housed_waiting_nights": "Nights an adult waits past their need date, housed",
    "people_unplaced": "Young people ever waiting past their need date",
    "people_unsuitably_housed": "Young people ever in B&B or emergency accommodation",
    "weekly_cost": "Cost per week",
    "total_cost": "Total cost",
    "council_weekly_cost": "Cost per week to the council",
    "housing_benefit_weekly_cost": "Cost per week met by housing benefit",
    "mean_distance_km": "Mean distance from home (km)",
}
POLICY_LABELS = {"fcfs": "First come, first served", "optimised": "Optimised panel",
                 "anticipatory": "Panel planning for the coming weeks", "hindsight": "Hindsight bound",
                 "clairvoyant": "Clairvoyant bound"}  # fmt: skip
MONTH_LABELS = {
    "unsuitable_nights": "B&B and emergency nights",
    "unsuitable_per_night": "Average night in B&B or emergency",
    "unsuitable_share_17_21": "Care leavers 17-21 in B&B or emergency (of DfE's count)",
    "under18_waiting_nights": "Under-18 nights waiting past need date",
    "housed_waiting_nights": "Adult nights waiting, housed",
    "waiting": "Waiting past need date, average week",
}


def _fmt(metric: str, v: float) -> str:
    if pd.isna(v):
        return "–"
    if metric.endswith("cost"):
        return f"£{v:,.0f}"
    if metric.startswith("unsuitable_share"):
        return f"{100 * v:.1f}%"
    if metric == "ratio_to_hindsight":
        return f"{v:,.2f}×"
    if metric in ("mean_distance_km", "unsuitable_per_night", "waiting"):
        return f"{v:,.1f}"
    return f"{v:,.0f}"


def _svg(fig: object) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    text = buf.getvalue()
    return text[text.index("<svg") :]


def chart_by_month(by_month: pd.DataFrame, metric: str = "unsuitable_nights") -> str:
    """Mean B&B and emergency nights (or `metric`) by month for each scenario and policy, with the
    80% band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6))
    rows = by_month[by_month["metric"] == metric]
    for (scenario, policy), g in rows.groupby(["scenario", "policy"], sort=False):
        x = pd.PeriodIndex(g["month"], freq="M").to_timestamp()
        ax.plot(x, g["mean"], label=f"{scenario}: {POLICY_LABELS.get(str(policy), policy)}")
        ax.fill_between(x, g["lo80"], g["hi80"], alpha=0.2)
    from matplotlib.dates import DateFormatter

    ax.set_ylabel(f"{LABELS.get(metric, metric)} per month")
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))  # UK style: "Jan 2027"
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _svg(fig)


def chart_policies(summary: pd.DataFrame) -> str:
    """B&B, emergency and both together by policy and scenario, means with 80% intervals (the
    clairvoyant bound has only the total)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["bnb_nights", "emergency_nights", "unsuitable_nights"]
    rows = summary[summary["metric"].isin(metrics)]
    keys = list(dict.fromkeys(zip(rows["scenario"], rows["policy"], strict=True)))
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.7 * len(keys)))
    for k, metric in enumerate(metrics):
        m = rows[rows["metric"] == metric].set_index(["scenario", "policy"]).reindex(keys).fillna(0.0)
        y = [i + 0.27 * k for i in range(len(keys))]
        err = [(m["mean"] - m["lo80"]).clip(lower=0), (m["hi80"] - m["mean"]).clip(lower=0)]
        ax.barh(y, m["mean"], height=0.26, xerr=err, label=LABELS[metric], capsize=3)
    ax.set_yticks([i + 0.27 for i in range(len(keys))],
                  [f"{s}: {POLICY_LABELS.get(p, p)}" for s, p in keys], fontsize=8)  # fmt: skip
    ax.set_xlabel("Nights over the whole period (mean, bars show the 80% interval)")
    ax.legend(fontsize=7, frameon=False)
    ax.invert_yaxis()
    return _svg(fig)


def map_shortfall(by_district: pd.DataFrame, scenario: str, policy: str) -> str:
    """A static map: B&B and emergency nights by home district (mean over runs)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = by_district[(by_district["scenario"] == scenario) & (by_district["policy"] == policy)]
    nights = rows[rows["metric"].isin(["bnb_nights", "emergency_nights"])].groupby("district")["mean"].sum()
    gdf = boundaries()
    gdf = gdf[gdf["code"].isin(list(nights.index))].to_crs(27700)
    gdf = gdf.assign(nights=gdf["code"].map(nights).fillna(0.0))
    fig, ax = plt.subplots(figsize=(6, 5))
    gdf.plot(column="nights", cmap="Reds", edgecolor="#555", linewidth=0.6, legend=True, ax=ax,
             legend_kwds={"label": "B&B + emergency nights (mean)", "shrink": 0.6})  # fmt: skip
    for _, r in gdf.iterrows():
        p = r.geometry.representative_point()
        ax.annotate(f"{r['name']}\n{r['nights']:,.0f}", (p.x, p.y), ha="center", fontsize=7)
    ax.set_axis_off()
    ax.set_title(f"{scenario}: {POLICY_LABELS.get(policy, policy)}", fontsize=9)
    return _svg(fig)


def summary_table(summary: pd.DataFrame) -> str:
    head = "<tr><th>Scenario</th><th>Policy</th>" + "".join(f"<th>{LABELS[m]}</th>" for m in LABELS) + "</tr>"
    body = []
    for (scenario, policy), g in summary.groupby(["scenario", "policy"], sort=False):
        cells = []
        for m in LABELS:
            r = g[g["metric"] == m].iloc[0]
            cells.append(f"<td>{_fmt(m, r['mean'])}<br><small>{_fmt(m, r['lo80'])} to "
                         f"{_fmt(m, r['hi80'])}</small></td>")  # fmt: skip
        body.append(f"<tr><td>{html.escape(str(scenario))}</td>"
                    f"<td>{POLICY_LABELS.get(str(policy), policy)}</td>{''.join(cells)}</tr>")  # fmt: skip
    return f"<table>{head}{''.join(body)}</table>"


STYLE = """body{font-family:Arial,sans-serif;margin:2em;max-width:70em;color:#0b0c0c}
table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #b1b4b6;padding:4px 6px;
text-align:right;vertical-align:top}th{background:#f3f2f1}td:first-child,td:nth-child(2){text-align:left}
small{color:#505a5f}figure{margin:1em 0}"""


def start_shortfall(data: Dataset, on: date) -> pd.DataFrame:
    """Shortfall by district and support need on the scenario's start date, counted as the map's
    today view counts it (`planner.forecast.shortfall`): columns district, name, support_level,
    due, suitable_vacancies, shortfall, spare."""
    cols = ["district", "name", "support_level", "due", "suitable_vacancies", "shortfall", "spare"]
    return shortfall_by_level(data, on=on)[cols]


def _start_section(table: pd.DataFrame | None, on: date) -> str:
    if table is None:
        return ""
    rows = table[table["support_level"] == "all"]
    body = "".join(f"<tr><td>{html.escape(str(r.name))} ({r.district})</td><td>{r.due}</td>"
                   f"<td>{r.suitable_vacancies}</td><td>{r.shortfall}</td><td>{r.spare}</td></tr>"
                   for r in rows.itertuples())  # fmt: skip
    levels = (
        table[table["support_level"] != "all"]
        .groupby("support_level", sort=False)[["due", "shortfall"]]
        .sum()
    )
    by_need = ", ".join(f"{lvl} {int(r.shortfall)} of {int(r.due)}" for lvl, r in levels.iterrows())
    return f"""<h2>Shortfall of suitable places at the start, {uk_date(on)}</h2>
<p>{html.escape(DESCRIPTION)} The same figures as the commissioners' map for that day.</p>
<table><tr><th>District</th><th>Due</th><th>Suitable vacancies</th><th>Shortfall</th><th>Spare</th></tr>
{body}</table><p>Short by support need (short of due): {by_need}.</p>"""


def baseline_section(result: SimulationResult) -> str:
    """The baseline against DfE's figures, and month by month (CLI and web show the same)."""
    cal = calibrate(result.summary, result.care_leavers)
    months = baseline_by_month(result.by_month, policy=cal.policy)
    head = "".join(f"<th>{html.escape(MONTH_LABELS[c])}</th>" for c in MONTH_COLUMNS)
    body = "".join(
        f"<tr><td>{html.escape(month_name(str(r['month'])))}</td>"
        + "".join(f"<td>{_fmt(c, float(r[c]))}</td>" for c in MONTH_COLUMNS)
        + "</tr>"
        for _, r in months.iterrows()
    )
    notes = "".join(f"<li>{html.escape(line.strip())}</li>" for line in lines(cal)[1:])
    return f"""<h2>The baseline month by month, beside DfE's figures</h2>
<p>{POLICY_LABELS.get(cal.policy, cal.policy)}, means over the runs. Only adults with no roof (or there
already) spend nights in B&amp;B or emergency accommodation; those housed wait where they live, under-18s
in their placement or care.</p><ul>{notes}</ul>
<table><tr><th>Month</th>{head}</tr>{body}</table>"""


def gap_section(summary: pd.DataFrame) -> str:
    """Each policy's distance from the hindsight bound (empty when it was not simulated)."""
    t = gap_table(summary)
    if t.empty:
        return ""
    cols = (t[c] for c in ("scenario", "policy", "unsuitable_nights", *GAP_METRICS))
    body = "".join(f"<tr><td>{html.escape(str(scenario))}</td>"
                   f"<td>{POLICY_LABELS.get(str(policy), policy)}</td>"
                   f"<td>{_fmt('unsuitable_nights', float(nights))}</td>"
                   f"<td>{_fmt('ratio_to_hindsight', float(ratio))}</td>"
                   f"<td>{_fmt('gap_per_100_referred', float(per))}</td></tr>"
                   for scenario, policy, nights, ratio, per in zip(*cols, strict=True))  # fmt: skip
    return f"""<h2>Distance from the hindsight bound</h2><p>Means over the same runs.</p>
<table><tr><th>Scenario</th><th>Policy</th><th>B&amp;B and emergency nights</th>
<th>{html.escape(GAP_LABELS["ratio_to_hindsight"])}</th><th>{html.escape(GAP_LABELS["gap_per_100_referred"])}</th>
</tr>{body}</table>"""


def scenario_lines(result: SimulationResult) -> list[str]:
    """What `planner scenario` prints: B&B and emergency nights of each scenario and policy, the
    weekly cost to the council and that met by housing benefit, the baseline against DfE's figures
    and month by month."""
    s = result.summary
    out = []
    for metric in ("bnb_nights", "emergency_nights", "under18_waiting_nights", "council_weekly_cost",
                   "housing_benefit_weekly_cost"):  # fmt: skip
        rows = s[(s["metric"] == metric) & s["mean"].notna()]
        cols = (rows[c] for c in ("scenario", "policy", "mean", "lo80", "hi80"))
        u = "£" if metric.endswith("cost") else ""
        for scenario, policy, mean, lo, hi in zip(*cols, strict=True):
            out.append(f"{scenario!s:>20} {policy!s:>12} {metric:<27} {u}{mean:>10,.0f} "
                       f"(80%: {u}{lo:,.0f} to {u}{hi:,.0f})")  # fmt: skip
    out += gap_lines(s)
    cal = calibrate(s, result.care_leavers)
    out += lines(cal)
    months = baseline_by_month(result.by_month, policy=cal.policy)
    table = pd.DataFrame({
        "month": [month_name(str(m)) for m in months["month"]],
        "B&B+emergency nights": months["unsuitable_nights"].round().astype(int),
        "average night": months["unsuitable_per_night"].round(1),
        "17-21 share": [_fmt("unsuitable_share_17_21", v) for v in months["unsuitable_share_17_21"]],
        "under-18 nights waiting": months["under18_waiting_nights"].round().astype(int),
        "housed nights waiting": months["housed_waiting_nights"].round().astype(int),
    })  # fmt: skip
    out.append("Baseline month by month (means over runs):")
    out += ["  " + line for line in table.to_string(index=False).splitlines()]
    return out


def month_name(period: str) -> str:
    """'2026-11' as 'Nov 2026'."""
    return pd.Period(period, freq="M").strftime("%b %Y")


def render_report(
    scenario: Scenario, result: SimulationResult, *, extra: str = "", start: pd.DataFrame | None = None
) -> str:
    policy = "optimised" if "optimised" in scenario.policies else scenario.policies[0]
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Scenario {html.escape(scenario.name)}</title><style>{STYLE}</style></head><body>
<h1>Scenario: {html.escape(scenario.name)}</h1>
<p>{html.escape(scenario.description)}</p>
<p>From {uk_date(scenario.start)} for {scenario.months} months; {int(result.runs["run"].max()) + 1}
Monte Carlo runs per policy (seed {scenario.seed}); figures are means, with the range 80% of runs
fell in underneath. The baseline is the same county with no changes. Simulated in
{result.seconds:.1f} s ({result.county_years_per_second:.0f} county-years per second).</p>
{extra}
{_start_section(start, scenario.start)}
<h2>Summary</h2>{summary_table(result.summary)}
{baseline_section(result)}
<h2>B&amp;B and emergency nights by month</h2><figure>{chart_by_month(result.by_month)}</figure>
<h2>Policies compared</h2><figure>{chart_policies(result.summary)}</figure>
<p>The clairvoyant bound knows every arrival in advance and may move anyone every week: no
policy can have fewer B&amp;B and emergency nights in total. The hindsight bound knows the future too
but moves nobody once placed, as a panel does: no panel can have fewer.</p>
{gap_section(result.summary)}
<h2>Where people were without a suitable place</h2>
<figure>{map_shortfall(result.by_district, scenario.name, policy)}</figure>
<p>District boundaries: ONS, Open Government Licence (see data/reference/ATTRIBUTION.md).</p>
</body></html>"""


def write_outputs(
    scenario: Scenario,
    result: SimulationResult,
    out_dir: Path,
    *,
    extra: str = "",
    data: Dataset | None = None,
) -> None:
    """DIR/summary.csv, by_district.csv, by_month.csv, report.html and, given the data, the shortfall
    at the start, shortfall_start.csv (all written after all is ready)."""
    start = start_shortfall(data, scenario.start) if data is not None else None
    page = render_report(scenario, result, extra=extra, start=start)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = [("summary", result.summary), ("by_district", result.by_district), ("by_month", result.by_month)]
    if start is not None:
        tables.append(("shortfall_start", start))
    for name, table in tables:
        spreadsheet_safe(table).to_csv(out_dir / f"{name}.csv", index=False)
    (out_dir / "report.html").write_text(page, encoding="utf-8")


def run_scenario(
    source: Path | ScenarioInputs, out_dir: Path, *, runs: int | None = None, workers: int = 1,
    dask_scheduler: str | None = None, progress: Callable[[int, int], None] | None = None,
    data_dir: Path | None = None,
) -> SimulationResult:  # fmt: skip
    """Simulate a scenario file (or its inputs, already read by `load_inputs`) with its baseline,
    write the outputs to `out_dir`."""
    scenario, data, referrals = (
        source if isinstance(source, ScenarioInputs) else load_inputs(source, data_dir=data_dir)
    )
    result = simulate(scenario, data, referrals, runs=runs, workers=workers,
                      dask_scheduler=dask_scheduler, progress=progress)  # fmt: skip
    write_outputs(scenario, result, out_dir, data=data)
    return result


def commission_page(scenario: Scenario, plan: Plan) -> str:
    """The commissioning report: the plan and why, the simple rule, and the check by simulation."""
    v = plan.verification.summary
    nights = (
        v[v["metric"].isin(["bnb_nights", "emergency_nights"])].groupby("scenario", sort=False)["mean"].sum()
    )
    lines = "".join(f"<li>{html.escape(str(k))}: {n:,.0f} B&amp;B and emergency nights (mean)</li>"
                    for k, n in nights.items())  # fmt: skip
    table = plan.plan.to_html(index=False, float_format=lambda x: f"{x:,.2f}", border=0)
    rule = plan.rule.drop(columns=["expected_places_used", "expected_nights_avoided"]).to_html(
        index=False, border=0)  # fmt: skip
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Commissioning plan</title><style>{STYLE}</style></head><body>
<h1>Where to buy places: a council budget of £{plan.budget:,.0f} a week</h1>
<p>From {uk_date(scenario.start)} for {scenario.months} months. Expected weekly cost of the plan to
the council: £{plan.expected_council_weekly_cost:,.0f}, of £{plan.expected_weekly_cost:,.0f} in all
(block places cost every week, spot places only when used; while an adult holds a place, housing
benefit meets its rent and the council pays the support; under 18, and for an empty block place,
the council pays it all). Solver status: {plan.status}.</p>
<h2>Plan</h2>{table}
<h2>Simple rule: block places where today's waiting list is longest</h2>{rule}
<h2>Checked by simulation (optimised panel, fresh runs)</h2><ul>{lines}</ul>
<figure>{chart_policies(v)}</figure>
<figure>{chart_by_month(plan.verification.by_month)}</figure>
</body></html>"""


def write_commission(scenario: Scenario, plan: Plan, out_dir: Path) -> None:
    """DIR/plan.csv, rule.csv, verification.csv, savings.csv and report.html."""
    from planner.simulate.commissioning import savings

    page = commission_page(scenario, plan)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = (("plan", plan.plan), ("rule", plan.rule), ("verification", plan.verification.summary),
              ("savings", savings(plan.verification)))  # fmt: skip
    for name, table in tables:
        spreadsheet_safe(table).to_csv(out_dir / f"{name}.csv", index=False)
    (out_dir / "report.html").write_text(page, encoding="utf-8")

"""`serve`: the web app, imported only when this command runs (the core never imports Flask)."""

from __future__ import annotations

from datetime import datetime

import click

from planner.cli.common import DATE, BadInput


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo", is_flag=True, help="Load the demo county and demo users (loopback only).")
@click.option("--date", "on", type=DATE, default=None, help="Match date (default: today).")
def serve(host: str, port: int, demo: bool, on: datetime | None) -> None:
    """Serve the web app (werkzeug's threaded server: fine for a demo on one machine).

    The database is DATABASE_URL, or a SQLite file in the instance folder; it is created
    and migrated at start. --demo loads the demo county into an empty database and creates
    the users officer, commissioner, analyst and admin with the password `demo`; it is
    refused unless HOST is a loopback address.

    Example: planner serve --demo
    """
    from web.core.serve import prepare, run

    try:
        ready = prepare(host, port, demo=demo, on=on.date() if on else None)
    except ValueError as e:
        raise BadInput(str(e)) from None
    if ready.loaded:
        people, schemes = ready.loaded["people"], ready.loaded["schemes"]
        click.echo(f"Loaded the demo: {people} young people, {schemes} schemes.")
    click.echo(f"Serving the care leaver accommodation planner at {ready.url}")
    if ready.logins:
        click.echo(f"Sign in as {', '.join(ready.logins)} with the password {ready.password!r}.")
    click.echo("Press Ctrl+C to stop.")
    run(ready, host, port)

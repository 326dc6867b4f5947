"""Operating the web app's database: `db upgrade|backup|restore` and `users create`.

Thin layers over `web.admin.operations` and `web.admin.backup`, imported inside the commands (only these
commands need the web app's code).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from planner.cli.common import BadInput


def _url() -> tuple[str, str]:
    from web.core.db import database_url, shown_url

    url = database_url()
    return url, shown_url(url)


@click.group()
def db() -> None:
    """The web app's database (DATABASE_URL, or instance/planner.sqlite): migrations, backups.

    Example: planner db upgrade && planner db backup planner.backup
    """


@db.command("upgrade")
def db_upgrade() -> None:
    """Run the database migrations, once, before the web app starts (its workers never do).

    Safe to run again, and from two places at once (they take turns).

    Example: DATABASE_URL=postgresql+psycopg://planner:...@db/planner planner db upgrade
    """
    from web.admin.operations import upgrade_database
    from web.core.accounts import AccountError

    url, shown = _url()
    try:
        done = upgrade_database(url)
    except AccountError as e:
        raise BadInput(f"{shown}: {e}") from None
    if done.before == done.after:
        click.echo(f"{shown} is up to date (revision {done.after}, {done.mode}).")
    else:
        click.echo(f"Upgraded {shown} from revision {done.before or 'none (empty)'} to {done.after}.")
    if done.disabled:
        click.echo(
            f"Deactivated the demo login{'s' if len(done.disabled) > 1 else ''} {', '.join(done.disabled)}: "
            "made by planner serve --demo with the password 'demo', they never sign in to a live service."
        )


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Back up the database to FILE, safely while the app is serving.

    SQLite through its online backup API; PostgreSQL through pg_dump (custom format).

    Example: planner db backup /var/backups/planner/planner-$(date +%F).backup
    """
    from web.admin.backup import BackupError, backup

    url, shown = _url()
    try:
        revision = backup(url, file)
    except BackupError as e:
        raise BadInput(f"Backup of {shown} failed: {e}") from None
    click.echo(f"Backed up {shown} to {file} ({file.stat().st_size:,} bytes, revision {revision}).")


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Let a demo database's backup replace a live database.")
def db_restore(file: Path, force: bool) -> None:
    """Replace the database's contents with the backup in FILE (made by `planner db backup`).

    Everything written since the backup is lost: take a backup first. The backup is checked and
    migrated in a copy first (SQLite: a file beside the database; PostgreSQL: a scratch database,
    so the role needs CREATEDB), then swapped in whole; anything wrong leaves the database as it
    was. A demo database's backup never replaces a live database without --force.

    Example: planner db restore /var/backups/planner/planner-2026-11-23.backup
    """
    from web.admin.backup import BackupError
    from web.admin.restore import restore

    url, shown = _url()
    try:
        revision = restore(url, file, force=force)
    except BackupError as e:
        raise BadInput(f"Restore into {shown} refused: {e}") from None
    click.echo(f"Restored {shown} from {file} (backup revision {revision}, now up to date).")


@click.group()
def users() -> None:
    """People who sign in to the web app.

    Example: planner users create alex.admin --role admin
    """


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, help="officer, commissioner, analyst or admin.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input."
)
def users_create(name: str, role: str, password_stdin: bool) -> None:
    """Add a user NAME with ROLE: the way to make the first administrator.

    Passwords are 12 to 128 characters and not a common password. Without --password-stdin
    the password is asked for twice, hidden.

    Example: planner users create alex.admin --role admin
    """
    from web.admin.operations import create_user
    from web.core.accounts import AccountError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    url, shown = _url()
    try:
        create_user(url, name, role, password)
    except AccountError as e:
        raise BadInput(f"User {name} not created: {e}") from None
    click.echo(f"Created {name} ({role}) in {shown}.")

"""Demo mode: the demo county in an empty database, and the four demo users."""

from __future__ import annotations

import logging
from datetime import date

from flask import Flask
from sqlalchemy import func, select

from planner.data.contract import Dataset
from planner.demo import generate_history
from planner.demo.county import generate
from web.core.accounts import add_user, hash_password
from web.core.db import get_db
from web.core.models import ROLES, Import, Referral, Scheme, User, YoungPerson
from web.core.site import DEMO_PASSWORD, set_mode
from web.core.store import replace_all, replace_history

log = logging.getLogger(__name__)
__all__ = ["DEMO_PASSWORD", "demo_dataset", "seed_demo"]


def demo_dataset(on: date) -> tuple[Dataset, str]:
    """The synthetic demo county: the same as `planner demo` writes with seed 1."""
    return generate("Gloucestershire", seed=1, on=on), "planner demo (Gloucestershire, seed 1)"


def seed_demo(app: Flask, *, on: date) -> dict[str, int]:
    """Load the demo county when the store is empty and make sure the demo users exist.

    Only for a database demo mode made (`web.core.site.demo_refusal` says so before this runs)."""
    with app.app_context():
        db = get_db()
        set_mode(db, "demo")
        loaded = {"people": 0, "schemes": 0}
        empty = not db.scalar(select(func.count()).select_from(Scheme)) and not db.scalar(
            select(func.count()).select_from(YoungPerson)
        )
        if empty:
            data, source = demo_dataset(on)
            replace_all(db, data)
            db.add(
                Import(
                    people_file=source,
                    schemes_file=source,
                    people_count=len(data.people),
                    schemes_count=len(data.schemes),
                )
            )
            loaded = {"people": len(data.people), "schemes": len(data.schemes)}
            log.info("demo data loaded: %s", loaded)
        if not db.scalar(select(func.count()).select_from(Referral)):
            # The referral history and cohort `planner demo` writes with the county: the scenario
            # simulation and the forecast need them; a database seeded before they existed gets them too.
            history = generate_history(county="Gloucestershire", seed=1, on=on)
            replace_history(db, history.referrals, history.cohort)
            log.info("demo referral history loaded: %d referrals", len(history.referrals))
        for role in ROLES:
            user = db.scalar(select(User).where(User.username == role))
            if user is None:
                add_user(db, role, role, DEMO_PASSWORD, is_demo=True)
            elif user.is_demo:  # demo mode promises these logins work, whatever happened to them
                user.role, user.active = role, True
                user.password_hash = hash_password(DEMO_PASSWORD)
        db.commit()
        return loaded

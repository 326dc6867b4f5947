"""The ground every part of the web app stands on: the app factory's parts, the database, its
models and migrations, sign-in and sessions, security headers, throttling, idle time-out,
paging, dates and the clock, template filters, navigation, the audit log, data versions, the
site's mode, the store (database rows to the planner's frames and back) and the one rule of free
places (`vacancies`); `serve` and `seed` start the app and fill a demo database.

It may import `planner`; it imports none of the parts (`officer`, `commissioner`, `admin`), which
all import it (tests/test_layers.py)."""

"""Flask application factory: the ground every page stands on (`web.core.app`), then each part's
blueprints (`web.officer`, `web.commissioner`, `web.admin`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from the environment (`Settings.from_env`) with `config` overriding."""
    from web.commissioner import scenario_runs
    from web.core import app as core

    # The shared layout, macros and error pages are the app's own templates; each part's
    # blueprints add the folder of theirs (officer/..., commissioner/..., admin/...).
    app = Flask(__name__, instance_relative_config=True, template_folder="core/templates")
    core.configure(app, config)
    core.init_app(app)
    _register_blueprints(app)
    if app.config["RESUME_SCENARIO_RUNS"]:
        scenario_runs.recover(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from web.admin import imports, users
    from web.commissioner import analysis, commissioning, compare, saved, scenarios
    from web.commissioner import map as map_page
    from web.core import auth, glossary
    from web.officer import alerts, ledger_views, people, placements, schemes

    officer = (placements, people, ledger_views, alerts, schemes)
    commissioner = (map_page, scenarios, saved, compare, commissioning, analysis)
    for module in (auth, glossary, *officer, *commissioner, imports, users):
        app.register_blueprint(module.bp)

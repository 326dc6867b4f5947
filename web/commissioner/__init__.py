"""Commissioners' pages: the shortfall map (today and a month ahead, `map/`), scenarios with
their form, their background runs and results, and where to buy places.

It may import `web.core` and `planner`, never `web.officer` or `web.admin` (tests/test_layers.py)."""

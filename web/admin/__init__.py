"""Administrators' pages and the operator's commands: imports of a council's files and their
preview, users and roles, the audit log, and what `planner db` and `planner users` run
(`operations`, `backup`: backups and restores).

It may import `web.core` and `planner`, never `web.officer` or `web.commissioner`
(tests/test_layers.py)."""

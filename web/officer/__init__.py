"""Placement officers' pages: the waiting list, people and their options, proposals, the ledger
of decisions (confirm, undo, end, decline, reopen) with its check-your-answers pages, placements,
and the schemes with their vacancies as an officer sees and corrects them.

It may import `web.core` and `planner`, never `web.commissioner` or `web.admin`
(tests/test_layers.py)."""

"""Placement officers' pages: the waiting list, people and their options and record, proposals,
the ledger of decisions (confirm, undo, end, decline, reopen) with its check-your-answers pages
and the B&B check, placements, a referral added or corrected, staying put declined, notes, alerts,
and the schemes with their vacancies as an officer sees and corrects them.

It may import `web.core` and `planner`, never `web.commissioner` or `web.admin`
(tests/test_layers.py)."""

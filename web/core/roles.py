"""Who may do what with the commissioners' and analysts' work, for every part's routes.

Commissioners (and administrators) plan: they make, change, run, copy, rename and delete
scenarios and commissioning plans. Analysts read: scenarios, plans and their results, the
forecast tables and the referral history and cohort summaries, with their downloads; they change
nothing, and never see a young person's page (`web.core.auth.roles_required` refuses it with 403
and writes the attempt to the audit log, naming the person)."""

from __future__ import annotations

from typing import Final

PLANNING: Final = ("commissioner", "admin")  # make and change scenarios and plans, run them
READING: Final = ("commissioner", "analyst", "admin")  # read them, the forecast and the history

"""B&B and emergency accommodation (W, V) is interim: a young person placed there stays on the
waiting list until a suitable place is confirmed. The officers' ledger and an import's preview
both ask it of a placement, so it lives here, below both."""

from __future__ import annotations

from planner.data.vocab import UNSUITABLE_TYPES

INTERIM = UNSUITABLE_TYPES  # B&B and emergency accommodation: unsuitable, until a suitable place


def is_interim(accom_code: str) -> bool:
    return accom_code[:1] in INTERIM

"""Long tables in pages, so a county's waiting list stays quick to load and read; and the one way
a list is searched for text typed in it (`contains`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import ColumnElement, func

PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # from 1
    pages: int
    total: int
    size: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def end(self) -> int:
        return min(self.start + self.size, self.total)

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to link to: the first, the last and `around` either side of this one,
        None where pages are left out (an ellipsis, as in GOV.UK's pagination): 200 pages of a
        waiting list at England scale need no 200 links."""
        keep = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        out: list[int | None] = []
        for n in sorted(k for k in keep if 1 <= k <= self.pages):
            if out and out[-1] is not None and n > out[-1] + 1:
                out.append(None)
            out.append(n)
        return out

    def args(self, number: int) -> dict[str, str]:
        """The current page's address (its path's values and query string) with another page
        number, for the page links."""
        out = {k: str(v) for k, v in (request.view_args or {}).items()}
        out |= {k: v for k, v in request.args.items() if k != "page"}
        out["page"] = str(number)
        return out


def page_of(total: int, size: int | None = None) -> Page:
    size = size or PAGE_SIZE
    pages = max(1, -(-total // size))
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    return Page(number=min(max(number, 1), pages), pages=pages, total=total, size=size)


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column` holds `text`, whatever the case; `%` and `_` typed are text, not wildcards."""
    like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return func.lower(column).like(like, escape="\\")

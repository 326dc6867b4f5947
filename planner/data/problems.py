"""The one exception for bad input, carrying every problem found."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int | None  # as a spreadsheet shows it: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f"{',' if self.row is not None else ''} column {self.column}"
        return f"{where}: {self.message}"


class InvalidInput(ValueError):
    """Raised after all problems in an input are collected (up to a limit)."""

    def __init__(self, problems: list[Problem], truncated: bool = False) -> None:
        self.problems = list(problems)
        self.truncated = truncated
        super().__init__(str(self))

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        if self.truncated:
            out.append(f"(stopped after {len(self.problems)} problems; fix these and check again)")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


class Collector:
    """The problems of one file as they are found, listed in row order (then as found, or by
    `order`, e.g. the column's place in the file)."""

    def __init__(self, file: str, limit: int | None = None) -> None:
        self.file = file
        self.limit = limit
        self.items: list[tuple[int, int, Problem]] = []

    def add(self, row: int | None, column: str | None, message: str, order: int = 0) -> None:
        self.items.append((row or 0, order, Problem(self.file, row, column, message)))

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        return [p for _, _, p in sorted(self.items, key=lambda t: (t[0], t[1]))]

    def raise_if_any(self) -> None:
        if self.items:
            ordered = self.sorted()
            limit = self.limit if self.limit is not None else len(ordered)
            raise InvalidInput(ordered[:limit], truncated=len(ordered) > limit)

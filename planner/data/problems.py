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

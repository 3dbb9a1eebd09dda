"""The row-numbered report an import hands back: every problem found, errors and warnings."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

HEADER_ROW = 1
# A file where every row is broken would otherwise store a report larger than the file.
MAX_STORED_PROBLEMS = 20_000


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. Row 1 is the header, as a spreadsheet numbers it;
    ``row`` is None for the file as a whole."""

    row: int | None
    column: str
    message: str
    severity: Severity = Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "severity": str(self.severity),
        }


@dataclass
class ImportReport:
    """Problems collected while reading, checking and applying one file."""

    problems: list[Problem] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)
    file_error: bool = False

    def error(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message, Severity.ERROR))
        # A problem with the file or its header spoils every row, so skipping rows cannot help.
        if row is None or row == HEADER_ROW:
            self.file_error = True
        else:
            self.error_rows.add(row)

    def warning(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message, Severity.WARNING))

    def take(self) -> "ImportReport":
        """Hand over every problem found so far, leaving this report empty."""
        taken = ImportReport(self.problems, self.error_rows, self.file_error)
        self.problems, self.error_rows, self.file_error = [], set(), False
        return taken

    def merge(self, other: "ImportReport") -> None:
        """Add another report's problems after this one's, as if they were found here."""
        self.problems.extend(other.problems)
        self.error_rows |= other.error_rows
        self.file_error = self.file_error or other.file_error

    @property
    def error_count(self) -> int:
        return sum(1 for problem in self.problems if problem.severity == Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return len(self.problems) - self.error_count

    @property
    def has_errors(self) -> bool:
        return self.file_error or bool(self.error_rows)

    def sorted_problems(self) -> list[Problem]:
        """File-level problems first, then by row, keeping each row's order of discovery."""
        order = {id(problem): index for index, problem in enumerate(self.problems)}
        return sorted(
            self.problems,
            key=lambda p: (p.row is not None, p.row or 0, order[id(p)]),
        )

    def as_dict(self) -> dict[str, Any]:
        problems = self.sorted_problems()
        return {
            "problems": [problem.as_dict() for problem in problems[:MAX_STORED_PROBLEMS]],
            "problems_not_stored": max(0, len(problems) - MAX_STORED_PROBLEMS),
        }

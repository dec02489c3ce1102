"""Errors that point an operator at the exact file and line of a bad knowledge file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataIssue:
    """One problem in one knowledge file."""

    file: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class KnowledgeDataError(ValueError):
    """Raised when knowledge files are malformed; lists every issue found, not just the first."""

    def __init__(self, issues: list[DataIssue]):
        self.issues = issues
        super().__init__("invalid knowledge data:\n" + "\n".join(f"  {i}" for i in issues))

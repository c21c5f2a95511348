"""What an import answers: its counts, or the refusal with every faulty row."""

from __future__ import annotations

from dataclasses import dataclass, field

from kasane.registry.resident_import import RowError


@dataclass
class ImportResult:
    households_created: int = 0
    households_updated: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_moved: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def as_detail(self) -> dict[str, int | bool]:
        return {
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
            "persons_moved": self.persons_moved,
            "unchanged": self.unchanged,
        }


@dataclass
class ResidentImportError(Exception):
    """The file was refused; nothing was written."""

    errors: list[RowError] = field(default_factory=list)

"""``kasane seed_checklist``: load the standard self-assessment checklist (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kasane.evaluation.system.services import checklist_seed


class Command(BaseCommand):
    help = (
        "Create the standard questions of the self-assessment of the support system that are "
        "missing, and link each to the indicators that evidence it. Questions the "
        "municipality changed are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = checklist_seed()
        self.stdout.write(
            f"checklist: {result.created} question(s) created, "
            f"{result.linked} evidence link(s) added"
        )

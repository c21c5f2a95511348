"""Django's ``flush`` for the test suite: a committing test (live server, threads) ends with
a flush of every table, the audit log's included, which its triggers would refuse."""

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from kasane.testing.audit import audit_triggers_lifted


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        with audit_triggers_lifted(options["database"]):
            super().handle(**options)

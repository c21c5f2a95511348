from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kasane.privacy.audit import verify_chain
from kasane.privacy.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero naming the first bad event."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--all", action="store_true", help="list every problem, not the first")

    def handle(self, *args: Any, all: bool, **options: Any) -> None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
        problems = []
        for problem in verify_chain(events):
            problems.append(problem)
            if not all:
                break
        if problems:
            for p in problems:
                self.stderr.write(f"audit event #{p.sequence}: {p.reason}")
            raise CommandError(f"audit log chain broken at event #{problems[0].sequence}")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {count} events verified."))

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kasane.demo.activity import build_demo_activity
from kasane.demo.city import build_demo_city, existing_data
from kasane.demo.logins import print_logins
from kasane.privacy import grants


class Command(BaseCommand):
    help = "Load the demo city かさね市 into an empty database (deterministic for a seed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, default=400)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--without-activity",
            action="store_true",
            help="only the city: no consultations, cases or referrals",
        )

    def handle(
        self, *args: Any, households: int, seed: int, without_activity: bool, **options: Any
    ) -> None:
        if households < 2 or households > 100_000:
            raise CommandError("--households must be between 2 and 100000")
        # A fresh data directory has no tables yet: make them (nothing to do otherwise).
        call_command("migrate", interactive=False, verbosity=0)
        found = existing_data()
        if found:
            raise CommandError(
                f"The database already has {', '.join(found)}; "
                "the demo city loads only into an empty one."
            )
        with transaction.atomic():
            build_demo_city(households=households, seed=seed)
            # Households past the story are inserted in bulk, beside the services: their
            # access grants are computed from the records, as the services would have.
            grants.rebuild()
            if not without_activity:
                # The year of work ends today, so that overdue referrals are overdue now.
                build_demo_activity(seed=seed, today=timezone.localdate())
                grants.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Demo city loaded: {households} households."))
        print_logins(self.stdout)

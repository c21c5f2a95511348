from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kasane.demo.city import build_demo_city, existing_data
from kasane.demo.logins import print_logins


class Command(BaseCommand):
    help = "Load the demo city かさね市 into an empty database (deterministic for a seed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, default=400)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, households: int, seed: int, **options: Any) -> None:
        if households < 2 or households > 100_000:
            raise CommandError("--households must be between 2 and 100000")
        found = existing_data()
        if found:
            raise CommandError(
                f"The database already has {', '.join(found)}; "
                "the demo city loads only into an empty one."
            )
        build_demo_city(households=households, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Demo city loaded: {households} households."))
        print_logins(self.stdout)

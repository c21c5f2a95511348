from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kasane.demo.city import existing_data


class Command(BaseCommand):
    help = (
        "Migrate, load the demo city when the database is empty, and serve Kasane at "
        "http://127.0.0.1:8000 (for trying Kasane out; production uses gunicorn)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not existing_data():
            self.stdout.write("Empty database: loading the demo city かさね市 (about 20 seconds)…")
            call_command("seed_demo")
        else:
            call_command("demo_logins")
        if settings.KASANE_2FA:
            self.stdout.write(
                self.style.WARNING(
                    "Two-factor sign-in is on (KASANE_2FA): each demo user enrols an "
                    "authenticator app at first sign-in. `python3 dev.py serve` turns it off."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Kasane: http://{addrport}/  (Ctrl+C to stop)"))
        call_command("runserver", addrport, use_reloader=False, skip_checks=True)

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kasane.accounts.models import Staff
from kasane.api.services import api_token_create


class Command(BaseCommand):
    help = (
        "Make an API token for a staff member and print it. It is shown this once: only its "
        "digest is stored."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="the staff member the token signs in as")
        parser.add_argument("--name", default="", help="what the token is for, e.g. the system")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            raise CommandError(f"no staff member named {username!r}")
        if not staff.is_active:
            raise CommandError(f"{username!r} is not active")
        record, token = api_token_create(staff=staff, name=name)
        self.stderr.write(
            f"Token {record.prefix} for {username}. Store it now: it cannot be shown again. "
            f"Revoke it with: kasane revoke_token {record.prefix}"
        )
        self.stdout.write(token)

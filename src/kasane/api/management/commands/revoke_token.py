from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kasane.api.models import ApiToken
from kasane.api.services import TOKEN_SCHEME, api_token_revoke


class Command(BaseCommand):
    help = "Revoke an API token, named by its prefix (the part after ksn_)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("prefix", help="the token's prefix, as create_token printed it")

    def handle(self, *args: Any, prefix: str, **options: Any) -> None:
        # Accept a whole token too, so whoever holds a leaked one can revoke it as it is.
        scheme = f"{TOKEN_SCHEME}_"
        if prefix.startswith(scheme):
            prefix = prefix[len(scheme) :].split("_", 1)[0]
        token = ApiToken.objects.select_related("staff").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"no API token with prefix {prefix!r}")
        if token.revoked_at is not None:
            self.stdout.write(f"Token {prefix} was already revoked.")
            return
        api_token_revoke(token=token)
        self.stdout.write(
            self.style.SUCCESS(f"Token {prefix} of {token.staff.username} is revoked.")
        )

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from kasane.demo.logins import demo_logins, print_logins


class Command(BaseCommand):
    help = "Print the demo city's logins (--json for scripts)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, json: bool, **options: Any) -> None:
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(demo_logins(), ensure_ascii=False, indent=2))
        else:
            print_logins(self.stdout)

from typing import Any

from django.core.management.base import BaseCommand

from kasane.outreach.services import quiet_targets_alert


class Command(BaseCommand):
    help = (
        "Alert the outreach worker of every open target without contact for "
        "KASANE_OUTREACH_QUIET_DAYS days (30 by default). Run it daily from a scheduler: "
        "each silence is told once, however often it runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = quiet_targets_alert()
        self.stdout.write(f"{count} outreach target(s) without recent contact: worker alerted.")

from typing import Any

from django.core.management.base import BaseCommand

from kasane.cases.services import referrals_escalate


class Command(BaseCommand):
    help = (
        "Escalate to coordination every referral left unanswered past its due time. "
        "Run it from a scheduler: a referral is escalated once, however often it runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = referrals_escalate()
        self.stdout.write(f"{count} overdue referral(s) escalated to coordination.")

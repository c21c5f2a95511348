"""The scheduled alert on outreach targets nobody has contacted for a while."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.accounts.notifications import notify
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.outreach.selectors import quiet_days, quiet_targets, silence_since
from kasane.outreach.services.base import _team


@transaction.atomic
def quiet_targets_alert(*, today: datetime.date | None = None) -> int:
    """Tell the worker of every open target without contact for the set period (setting
    KASANE_OUTREACH_QUIET_DAYS, 30 days by default).

    Idempotent: each silence is told once — again only after a new contact and a new
    silence. The message names no one; it links to the target's page.
    """
    today = today or timezone.localdate()
    days = quiet_days()
    told = 0
    for target in quiet_targets(today=today):
        silent_since = silence_since(target)
        if target.quiet_alerted_at is not None and (
            timezone.localtime(target.quiet_alerted_at).date() > silent_since
        ):
            continue
        recipients: list[Staff] = (
            [target.worker]
            if target.worker is not None and target.worker.is_active
            else list(_team().filter(agency_id=target.agency_id))
        )
        notify(
            recipients,
            kind="outreach_quiet",
            message=_("An outreach target has had no contact for %(days)d days or more.")
            % {"days": days},
            link=reverse("outreach:target_detail", args=[target.public_id]),
        )
        target.quiet_alerted_at = timezone.now()
        target.save(update_fields=["quiet_alerted_at", "updated_at"])
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.SYSTEM,
            object_type=ObjectType.OUTREACH_TARGET,
            object_id=target.public_id,
            detail={"fields": ["quiet_alerted_at"]},
        )
        told += 1
    return told

"""Writing the audit log: :func:`record`, the one way every app appends an event.

Callers import the module and the vocabulary::

    from kasane.audit import services as audit
    from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose

    audit.record(actor=actor, action=AuditAction.VIEW, legal_basis=basis,
                 object_type=ObjectType.CASE, object_id=case.public_id, purpose=Purpose.VIEW)

**One user action, one event per distinct read or change.** Checking whether the actor may
reach a record writes nothing; the code that shows or changes the record writes the event:

* A page (GET) writes one ``view`` per record or list it shows, with the basis it was shown
  on. A part of a page loaded on its own (HTMX) is a read of its own: it writes one ``view``
  of what it shows (``case_plans``, ``case_meetings``), never another ``view`` of the case it
  hangs on, which the page recorded.
* A form's page (GET, or a POST that fails and shows the form again) writes one ``view`` of
  the record it shows, with the form's :class:`~kasane.audit.models.Purpose`.
* A change (a POST that succeeds) writes the change's own event(s) — ``create``, ``update``,
  ``delete`` — in the service's transaction, and no ``view`` for the check that allowed it.
  A refused or failed change that shows nothing writes nothing.
* An export (a CSV, a workbook, a JSON file) writes one ``download`` of what it exports;
  sign-ins and their failures one ``login``/``login_failed``.
* A page or file of counts (the evaluation dashboard, 地域課題…) writes one ``view`` or
  ``download`` with the filters it was asked for (:func:`record_aggregate`).
* A request to a record that is refused (404 or 403) writes one ``refused`` with the id asked
  for (``kasane.audit.middleware``), whether or not the record exists.
* An account that reaches a threshold of refused requests or aggregate views in an hour
  raises one alert for the auditor (``kasane.audit.alerts``).

Detail holds ids, counts and field names, never the personal data itself: the audit log must
not become a second copy of the records it watches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.audit import alerts
from kasane.audit.chain import GENESIS_HASH, event_hash
from kasane.audit.models import (
    AuditAction,
    AuditAlert,
    AuditEvent,
    LegalBasis,
    ObjectType,
    Purpose,
)
from kasane.audit.selectors import may_read_audit_log
from kasane.core.request_context import current_request_id

if TYPE_CHECKING:
    from kasane.accounts.models import Staff

# Any constant would do; it names the chain's lock among the application's advisory locks.
_CHAIN_LOCK_KEY = 0x4B415341  # "KASA"


def _lock_chain() -> None:
    """Writers serialise on the chain's head (an advisory lock on PostgreSQL; SQLite's
    IMMEDIATE transactions already hold the single write lock), so two requests never chain
    onto the same predecessor."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def record(
    *,
    actor: Staff | None,
    action: AuditAction,
    legal_basis: LegalBasis,
    object_type: ObjectType | None = None,
    object_id: str | UUID | int = "",
    purpose: Purpose | None = None,
    detail: Mapping[str, object] | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``object_id`` is stored as text (a public id, a digest); ``purpose`` goes into the
    detail as ``"purpose"``. ``actor_username`` names an actor that is no staff account (a
    failed sign-in's user name, ``"system"``); by default the actor's own.
    """
    data: dict[str, object] = dict(detail or {})
    if purpose is not None:
        data["purpose"] = purpose.value
    # Read before the chain's lock: every audited write waits on it.
    agency_name = actor.agency.name if actor and actor.agency_id else ""  # type: ignore[union-attr]
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            at=timezone.now(),
            actor=actor,
            actor_username=actor_username
            if actor_username is not None
            else (actor.username if actor else ""),
            agency_name=agency_name,
            action=action,
            object_type=object_type.value if object_type is not None else "",
            object_id=str(object_id),
            legal_basis=legal_basis,
            request_id=current_request_id(),
            detail=data,
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event_hash(event)
        event.save()
        alerts.watch(event)
    return event


def record_aggregate(
    *,
    actor: Staff,
    object_type: ObjectType,
    filters: Mapping[str, str | int | None],
    action: AuditAction = AuditAction.VIEW,
    object_id: str | int = "",
    detail: Mapping[str, object] | None = None,
) -> AuditEvent:
    """One view (or ``download``) of a page or file of counts, with the filters it was asked
    for (年度, month, area, domain…): counts hold no personal data, but the sequence of
    filters an account asked for is how an investigator sees tables being differenced."""
    return record(
        actor=actor,
        action=action,
        legal_basis=LegalBasis.NONE,
        object_type=object_type,
        object_id=object_id,
        detail={"filters": dict(filters), **(detail or {})},
    )


REVIEW_NOTE_MAX = 2000


@transaction.atomic
def alert_review(*, actor: Staff, alert: AuditAlert, note: str) -> AuditAlert:
    """The auditor reviews an alert once, saying what they found; audited as an update."""
    if not may_read_audit_log(actor):
        raise PermissionDenied
    alert = AuditAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.reviewed_at is not None:
        raise ValidationError(_("This alert was already reviewed."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write what the review found.")})
    if len(note) > REVIEW_NOTE_MAX:
        limit = _("Write at most %(n)d characters.") % {"n": REVIEW_NOTE_MAX}
        raise ValidationError({"note": limit})
    alert.reviewed_at = timezone.now()
    alert.reviewed_by = actor
    alert.review_note = note
    alert.full_clean()
    alert.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.AUDIT_ALERT,
        object_id=alert.pk,
        detail={"kind": alert.kind, "account": alert.actor_username, "fields": ["reviewed"]},
    )
    return alert

"""The progress record (支援経過記録): a note's date lies within its case's life, and a note
sent twice (a double click, a resubmitted form, a client's retry) is saved once."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.cases.builders import build_note, note_event
from kasane.cases.error_codes import ErrorCode
from kasane.cases.models import Case, CaseNote, NoteKind, NoteVisibility
from kasane.cases.services.base import _basis_or_denied, _now, _require_open
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.services import submission_claim

# Work done shortly before a case was opened (a first call, a visit before the household
# agreed to support) may be written up afterwards, with the reason, up to this many days
# before the opening — or back to the day of a consultation that led to the case.
BACKDATE_DAYS = 30
_NOTE_SUBMISSION = "case_note"
_API_KEYS = uuid.UUID("6b0c3f0e-4a8e-4d0f-9a43-1f3c2c0d5e71")


def api_note_token(actor: Staff, case: Case, key: str) -> uuid.UUID:
    """The one-time token of an API client's ``Idempotency-Key``, per staff member and case:
    the same key from another caller or for another case is another request."""
    return uuid.uuid5(_API_KEYS, f"{actor.public_id}:{case.public_id}:{key}")


def _opened_on(case: Case) -> datetime.date:
    return timezone.localtime(case.opened_at).date()


def earliest_note_date(case: Case) -> datetime.date:
    """The earliest day a back-dated note (with its reason) may carry."""
    opened = _opened_on(case)
    earliest = opened - datetime.timedelta(days=BACKDATE_DAYS)
    first = case.consultations.aggregate(first=Min("received_at"))["first"]
    if first is not None:
        earliest = min(earliest, timezone.localtime(first).date())
    return earliest


def _check_date(case: Case, written_on: datetime.date, backdate_reason: str) -> None:
    """Within the case's life: not after today (Japan time), not before the case was opened
    — unless a reason says why, and then not before :func:`earliest_note_date`."""
    today = timezone.localdate()
    opened = _opened_on(case)
    error: ValidationError | None = None
    if written_on > today:
        error = ValidationError(_("The date cannot be in the future."), code=CoreCode.FUTURE)
    elif written_on < opened and written_on < earliest_note_date(case):
        error = ValidationError(
            _(
                "The date is too early: the case was opened on %(opened)s, and a note can be "
                "dated at the earliest %(earliest)s (with a reason for the earlier date)."
            )
            % {"opened": f"{opened:%Y-%m-%d}", "earliest": f"{earliest_note_date(case):%Y-%m-%d}"},
            code=ErrorCode.NOTE_TOO_EARLY
            if backdate_reason.strip()
            else ErrorCode.NOTE_BEFORE_CASE,
        )
    elif written_on < opened and not backdate_reason.strip():
        error = ValidationError(
            _(
                "The case was opened on %(opened)s. For a note about work before that (such "
                "as the consultation that led to the case), write the reason for the earlier "
                "date."
            )
            % {"opened": f"{opened:%Y-%m-%d}"},
            code=ErrorCode.NOTE_BEFORE_CASE,
        )
    if error is not None:
        raise error


def _sent_before(
    actor: Staff, case: Case, token: uuid.UUID | None
) -> tuple[CaseNote | None, uuid.UUID]:
    """The note this token already created (None if it is new), and the new note's id."""
    public_id = uuid.uuid4()
    previous = submission_claim(token, _NOTE_SUBMISSION, public_id)
    if previous is None:
        return None, public_id
    earlier = CaseNote.objects.filter(public_id=previous, case=case, author=actor).first()
    if earlier is None:  # another person's or another case's token: not theirs to learn
        raise PermissionDenied
    return earlier, public_id


@transaction.atomic
def case_note_create(
    *,
    actor: Staff,
    case: Case,
    written_on: datetime.date,
    kind: str,
    text: str,
    visibility: str = NoteVisibility.TEAM,
    backdate_reason: str = "",
    token: uuid.UUID | None = None,
) -> CaseNote:
    """Add to the progress record. An agency-only note is never shown outside the agency.

    The date lies within the case's life (:func:`_check_date`). With a one-time ``token``
    (the form's hidden token, or an API client's ``Idempotency-Key``) a note sent again
    returns the note the first sending saved, and saves nothing.
    """
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    assert actor.agency is not None
    if kind not in NoteKind.values or visibility not in NoteVisibility.values:
        raise ValidationError(
            _("Choose the kind and who may see the note."), code=ErrorCode.BAD_CHOICE
        )
    _check_date(case, written_on, backdate_reason)
    earlier, public_id = _sent_before(actor, case, token)
    if earlier is not None:
        return earlier
    note = build_note(
        case=case,
        actor=actor,
        written_on=written_on,
        kind=kind,
        text=text,
        visibility=visibility,
        backdate_reason=backdate_reason if written_on < _opened_on(case) else "",
        public_id=public_id,
    )
    note.full_clean()
    note.save()
    # A note is work on the case, not a change of who reads it: no grants to refresh.
    note_event(note, now=_now(), today=timezone.localdate()).save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.CASE_NOTE,
        object_id=note.public_id,
    )
    return note

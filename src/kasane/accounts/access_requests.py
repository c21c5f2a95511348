"""No one grants themselves access: an account's access to personal data takes effect only
when a second person confirms it.

The administrator creates and deactivates accounts, but a new account, a change of role or
agency, a reactivation, turning on the approver flag, or a password the administrator set
only *asks* for access (``access_request_open``): until a confirmer answers, the account's
role is ``Role.PENDING``, which no page, export or API operation lets read anything (the safe
choice for a change too: not the previous role either, which may be the one being taken
away). Confirmers are the municipal coordinators and the agency's own approvers
(``Staff.access_approver``, for the agency the account would join) — never the requester,
never the account itself. Every step (requested, confirmed, refused, replaced) is one audit
row of ``AuditAction.GRANT`` with role, agency and approver flag before and after.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts import two_factor
from kasane.accounts.models import (
    AccessRequest,
    AccessRequestKind,
    AccessRequestStatus,
    Agency,
    Role,
    Staff,
)
from kasane.accounts.notifications import notify
from kasane.accounts.sessions import sessions_end_for
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType

# Roles that read no personal data: a change to them takes effect at once.
NO_GRANT_ROLES = frozenset({Role.ADMIN, Role.PENDING})


@dataclass(frozen=True)
class Access:
    """What an account may read by: its role, agency, approver flag and whether active."""

    role: str
    agency: Agency | None
    approver: bool
    active: bool = True

    @classmethod
    def of(cls, staff: Staff) -> Access:
        return cls(staff.role, staff.agency, staff.access_approver, staff.is_active)

    @classmethod
    def saved(cls, staff_pk: int) -> Access:
        return cls.of(Staff.objects.select_related("agency").get(pk=staff_pk))


def grant_kind(before: Access | None, after: Access) -> AccessRequestKind | None:
    """Whether going from ``before`` (None: a new account) to ``after`` gives access that a
    second person must confirm, and as what kind of request."""
    if not after.active or after.role in NO_GRANT_ROLES:
        return None
    if before is None:
        return AccessRequestKind.NEW_ACCOUNT
    if not before.active:
        return AccessRequestKind.REACTIVATION
    moved = (after.role, after.agency) != (before.role, before.agency)
    if moved or (after.approver and not before.approver):
        return AccessRequestKind.CHANGE
    return None


def hold(staff: Staff) -> None:
    """Put an unsaved account in the waiting state (the caller saves it)."""
    staff.role = Role.PENDING
    staff.access_approver = False
    staff.is_staff = False


def _agency_name(agency: Agency | None) -> str:
    return agency.name if agency is not None else ""


def _audit(actor: Staff, request: AccessRequest, operation: str) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.GRANT,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.STAFF,
        object_id=str(request.account.public_id),
        detail={
            "operation": operation,
            "request": str(request.public_id),
            "kind": request.kind,
            "role_before": request.role_before,
            "role_after": request.role_after,
            "agency_before": _agency_name(request.agency_before),
            "agency_after": _agency_name(request.agency_after),
            "approver_before": request.approver_before,
            "approver_after": request.approver_after,
        },
    )


def confirmers(request: AccessRequest) -> QuerySet[Staff]:
    """Who may answer the request: the municipal coordinators and the approvers of the agency
    the account would belong to, active — not the requester, not the account."""
    agency_approver = Q(
        access_approver=True,
        agency_id=request.agency_after_id,
        role__in=[Role.CASEWORKER, Role.OUTREACH_WORKER, Role.PARTICIPATION_WORKER],
    )
    return (
        Staff.objects.filter(is_active=True, agency__isnull=False)
        .filter(Q(role=Role.COORDINATOR) | agency_approver)
        .exclude(pk__in=[request.requested_by_id, request.account_id])
    )


def may_confirm_any(actor: Staff) -> bool:
    """Whether the actor is a confirmer at all (coordinator, or an agency's approver)."""
    return bool(
        actor.is_active
        and actor.agency_id is not None
        and (actor.role == Role.COORDINATOR or (actor.access_approver and actor.works_cases))
    )


def may_confirm(actor: Staff, request: AccessRequest) -> bool:
    return confirmers(request).filter(pk=actor.pk).exists()


@transaction.atomic
def access_request_open(
    *, account: Staff, actor: Staff, kind: AccessRequestKind, before: Access | None, after: Access
) -> AccessRequest:
    """Ask for ``after``'s access for an account already saved in the waiting state.

    A request still waiting for the account is replaced (its "before" is kept: the access the
    account last had confirmed). The account's running break-glass ends (it belonged to the
    role and agency it leaves), and the confirmers are told — by agency and role, no name.
    """
    from kasane.privacy.services import break_glass_end_for_account

    if after.role in NO_GRANT_ROLES or after.agency is None:
        raise ValidationError(_("Access is requested for a role that works in an agency."))
    previous = (
        AccessRequest.objects.select_for_update(of=("self",))
        .filter(account=account, status=AccessRequestStatus.PENDING)
        .select_related("account", "agency_before", "agency_after")
        .first()
    )
    if previous is not None:
        previous.status = AccessRequestStatus.WITHDRAWN
        previous.decided_at = timezone.now()
        previous.save(update_fields=["status", "decided_at"])
        _audit(actor, previous, "withdrawn")
        before = Access(
            previous.role_before, previous.agency_before, previous.approver_before, True
        )
    request = AccessRequest.objects.create(
        account=account,
        kind=kind,
        role_before=before.role if before is not None else "",
        agency_before=before.agency if before is not None else None,
        approver_before=before.approver if before is not None else False,
        role_after=after.role,
        agency_after=after.agency,
        approver_after=after.approver,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    _audit(actor, request, "requested")
    break_glass_end_for_account(account)
    notify(
        confirmers(request),
        kind="access_request",
        message=_(
            "An account of %(agency)s (%(role)s) waits for your confirmation before it may "
            "read personal data."
        )
        % {"agency": after.agency.name, "role": Role(after.role).label},
        link=reverse("accounts:access_requests"),
    )
    return request


def _decidable(actor: Staff, request: AccessRequest) -> AccessRequest:
    request = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("account", "agency_before", "agency_after")
        .get(pk=request.pk)
    )
    if actor.pk in (request.requested_by_id, request.account_id):
        raise ValidationError(
            _("Someone other than the requester and the account itself confirms access.")
        )
    if not may_confirm(actor, request):
        raise PermissionDenied
    if request.status != AccessRequestStatus.PENDING:
        raise ValidationError(_("This request was already answered."))
    return request


def _decide(actor: Staff, request: AccessRequest, status: str, note: str) -> None:
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def access_request_confirm(*, actor: Staff, request: AccessRequest, note: str = "") -> Staff:
    """A second person confirms: the account takes the role, agency and approver flag asked
    for, from its next request on."""
    request = _decidable(actor, request)
    account = request.account
    account.role = request.role_after
    account.agency = request.agency_after
    account.access_approver = request.approver_after
    account.is_staff = False
    account.full_clean(exclude=["password"])
    account.save(update_fields=["role", "agency", "access_approver", "is_staff"])
    _decide(actor, request, AccessRequestStatus.CONFIRMED, note)
    _audit(actor, request, "confirmed")
    return account


@transaction.atomic
def access_request_refuse(*, actor: Staff, request: AccessRequest, note: str) -> Staff:
    """A confirmer refuses: the account goes back to the access it had before (a new account
    is deactivated). After a refused password reset the password the administrator set stops
    working, so that it opens nothing even with the old role back."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the request is refused.")})
    request = _decidable(actor, request)
    account = request.account
    if request.kind == AccessRequestKind.NEW_ACCOUNT:
        account.is_active = False
    else:
        account.role = request.role_before or Role.PENDING
        account.agency = request.agency_before or account.agency
        account.access_approver = request.approver_before
        account.is_active = request.kind != AccessRequestKind.REACTIVATION
    if request.kind == AccessRequestKind.PASSWORD_RESET:
        account.set_unusable_password()
    account.is_staff = account.role == Role.ADMIN
    account.save()
    sessions_end_for(account)
    _decide(actor, request, AccessRequestStatus.REFUSED, note)
    _audit(actor, request, "refused")
    return account


@transaction.atomic
def password_set_by_admin(*, account: Staff, actor: Staff) -> AccessRequest | None:
    """The administrator set an account's password (the form has saved it): the administrator
    now knows it. The account's second factor is removed (it enrols again at its next
    sign-in), its sessions end, and an account that reads personal data waits for a second
    person's confirmation before it reads anything again."""
    account = (
        Staff.objects.select_for_update(of=("self",)).select_related("agency").get(pk=account.pk)
    )
    two_factor.two_factor_reset(staff=account, actor=actor)
    if account.pk == actor.pk or not account.is_active or account.role in NO_GRANT_ROLES:
        return None
    before = Access.of(account)
    hold(account)
    account.save(update_fields=["role", "access_approver", "is_staff"])
    return access_request_open(
        account=account,
        actor=actor,
        kind=AccessRequestKind.PASSWORD_RESET,
        before=before,
        after=before,
    )


# --- reads ---------------------------------------------------------------------------------


def pending_for(actor: Staff) -> list[AccessRequest]:
    """The requests waiting that the actor may answer (a fixed number of queries)."""
    if not may_confirm_any(actor):
        raise Http404
    rows = AccessRequest.objects.filter(status=AccessRequestStatus.PENDING).exclude(
        Q(requested_by=actor) | Q(account=actor)
    )
    if actor.role != Role.COORDINATOR:
        rows = rows.filter(agency_after_id=actor.agency_id)
    return list(
        rows.select_related("account", "agency_before", "agency_after", "requested_by").order_by(
            "requested_at", "id"
        )[:200]
    )


def get_request_for_confirmer(actor: Staff, public_id: UUID | str) -> AccessRequest:
    """One request the actor may answer; 404 for any other (or none)."""
    try:
        request = AccessRequest.objects.select_related("account").get(public_id=public_id)
    except (AccessRequest.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    if not may_confirm(actor, request):
        raise Http404
    return request


def requested_since(account: Staff) -> datetime.datetime | None:
    """When the account's waiting request was made, or None."""
    return (
        AccessRequest.objects.filter(account=account, status=AccessRequestStatus.PENDING)
        .values_list("requested_at", flat=True)
        .first()
    )

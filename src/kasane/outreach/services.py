"""Every change of outreach records: validated, saved and audited in one transaction.

Callers fetch the records they change through ``kasane.outreach.selectors`` first;
these services check the same rules again, so the API and commands cannot go around them.
Errors are ``ValidationError`` with a stable ``code`` and a message in the user's language.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Role, Staff
from kasane.accounts.notifications import notify
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.core.services import submission_record, submission_seen
from kasane.outreach.builders import build_attempt, build_change, build_report, build_target
from kasane.outreach.models import (
    STAGE_ORDER,
    ChangeKind,
    CloseReason,
    ConcernReport,
    ConcernSign,
    ContactAttempt,
    ContactMethod,
    ContactResult,
    OutreachTarget,
    ReportStatus,
    Stage,
    StageChange,
    Urgency,
)
from kasane.outreach.selectors import quiet_days, quiet_targets, silence_since
from kasane.privacy import outreach as access
from kasane.privacy.cases import case_basis
from kasane.privacy.models import ConsentPurpose
from kasane.privacy.policy import basis_for
from kasane.privacy.services import ConsentInput, consent_record
from kasane.registry.models import Area, Household, Membership, Person
from kasane.registry.services import PersonInput, household_create


def _now() -> datetime.datetime:
    # The demo loader writes a past year through ``kasane.cases.services.clock_at``.
    return case_services._now()


def _require_outreach(actor: Staff) -> Agency:
    if not access.works_outreach(actor) or actor.agency is None:
        raise PermissionDenied
    return actor.agency


def _target_basis(actor: Staff, target: OutreachTarget) -> LegalBasis:
    basis = access.target_basis(actor, target)
    if basis is None:
        raise PermissionDenied
    return basis


def _require_open(target: OutreachTarget) -> None:
    if not target.is_open:
        raise ValidationError(_("This outreach target is closed."), code="target_closed")


def _lock(target: OutreachTarget) -> OutreachTarget:
    return OutreachTarget.objects.select_for_update().get(pk=target.pk)


def _team() -> QuerySet[Staff]:
    return Staff.objects.filter(is_active=True, role=Role.OUTREACH_WORKER)


# --- concern reports (見守り通報) ------------------------------------------------------------


@transaction.atomic
def concern_report_create(
    *,
    actor: Staff,
    area: Area | None = None,
    address: str = "",
    who: str = "",
    signs: Sequence[str] = (),
    details: str = "",
    noticed_on: datetime.date | None = None,
    urgency: str = Urgency.NORMAL,
    token: UUID | None = None,
) -> ConcernReport:
    """File a concern report. Only a place is required — an area or an address — since that
    is all some reporters know. An urgent report tells the outreach team at once, by a
    message that names no one."""
    if not access.may_report(actor):
        raise PermissionDenied
    assert actor.agency is not None
    previous = submission_seen(token, "concern_report")
    if previous is not None:
        return ConcernReport.objects.get(public_id=previous)
    errors: dict[str, list[ValidationError]] = {}
    if area is None and not address.strip():
        errors.setdefault("address", []).append(
            ValidationError(
                _("Say where: choose an area, or write an address or a landmark."),
                code="no_place",
            )
        )
    if set(signs) - set(ConcernSign.values):
        errors.setdefault("signs", []).append(
            ValidationError(_("Choose what was noticed from the list."), code="unknown_sign")
        )
    if errors:
        raise ValidationError(errors)
    now = _now()
    report = build_report(
        actor=actor,
        area_id=area.pk if area else None,
        address=address,
        who=who,
        signs=signs,
        details=details,
        noticed_on=noticed_on,
        urgency=urgency,
        received_at=now,
    )
    report.full_clean()
    report.save()
    submission_record(token, "concern_report", report.public_id)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CONCERN_REPORT,
        object_id=report.public_id,
        detail={"urgency": report.urgency},
    )
    if report.urgency == Urgency.URGENT:
        notify(
            _team(),
            kind="concern_report_urgent",
            message=_("An urgent concern report has arrived. Please look at it at once."),
            link=reverse("outreach:report_detail", args=[report.public_id]),
        )
    return report


def _set_status(report: ConcernReport, status: str, at: datetime.datetime) -> bool:
    if report.status == status:
        return False
    report.status = status
    report.status_changed_at = at
    report.save(update_fields=["status", "status_changed_at", "updated_at"])
    return True


@transaction.atomic
def concern_report_status_set(*, actor: Staff, report: ConcernReport, status: str) -> ConcernReport:
    """The outreach team says how far the report has been handled; the reporter sees it."""
    basis = access.report_basis(actor)
    if basis is None:
        raise PermissionDenied
    if status not in ReportStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")}, code="status")
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if _set_status(report, status, _now()):
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=basis,
            object_type=ObjectType.CONCERN_REPORT,
            object_id=report.public_id,
            detail={"status": status},
        )
    return report


# --- outreach targets ---------------------------------------------------------------------


def _change(
    target: OutreachTarget,
    kind: ChangeKind,
    actor: Staff | None,
    at: datetime.datetime,
    *,
    from_stage: str = "",
    to_stage: str = "",
    close_reason: str = "",
    note: str = "",
) -> StageChange:
    change = build_change(
        target,
        kind,
        actor,
        at,
        from_stage=from_stage,
        to_stage=to_stage,
        close_reason=close_reason,
        note=note,
    )
    change.save()
    return change


def _check_person(actor: Staff, person: Person | None) -> None:
    if person is not None and basis_for(actor, person) is None:
        raise PermissionDenied


def _check_case(actor: Staff, case: Case | None) -> None:
    if case is not None and case_basis(actor, case) is None:
        raise PermissionDenied


def _check_worker(agency: Agency, worker: Staff | None) -> None:
    if worker is not None and (
        worker.agency_id != agency.pk or worker.role != Role.OUTREACH_WORKER
    ):
        raise ValidationError(
            {"worker": _("Choose an outreach worker of the agency.")}, code="worker"
        )


@transaction.atomic
def target_open(
    *,
    actor: Staff,
    label: str,
    description: str = "",
    area: Area | None = None,
    address: str = "",
    name: str = "",
    kana: str = "",
    age_band: str = "",
    person: Person | None = None,
    case: Case | None = None,
    worker: Staff | None = None,
    report: ConcernReport | None = None,
    stage: str = Stage.GRASPED,
    token: UUID | None = None,
) -> OutreachTarget:
    """Open an outreach target with as little as is known ("the son at this address, 40s").

    Opened from a concern report, the report is linked and marked 対応中. A person or a case
    is linked only if the actor may already read it.
    """
    agency = _require_outreach(actor)
    previous = submission_seen(token, "outreach_target")
    if previous is not None:
        return OutreachTarget.objects.get(public_id=previous)
    _check_person(actor, person)
    _check_case(actor, case)
    _check_worker(agency, worker)
    if not label.strip():
        raise ValidationError(
            {"label": _("Say how the target is known, e.g. “the son at this address”.")},
            code="no_label",
        )
    now = _now()
    target = build_target(
        agency=agency,
        label=label,
        description=description,
        area_id=area.pk if area else None,
        address=address,
        name=name,
        kana=kana,
        age_band=age_band,
        person_id=person.pk if person else None,
        case_id=case.pk if case else None,
        worker=worker or (actor if actor.role == Role.OUTREACH_WORKER else None),
        stage=stage,
        opened_at=now,
    )
    target.full_clean()
    target.save()
    submission_record(token, "outreach_target", target.public_id)
    _change(target, ChangeKind.OPENED, actor, now, to_stage=stage)
    if report is not None:
        report = ConcernReport.objects.select_for_update().get(pk=report.pk)
        report.target = target
        report.save(update_fields=["target", "updated_at"])
        if report.status == ReportStatus.RECEIVED:
            _set_status(report, ReportStatus.IN_PROGRESS, now)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={
            "report": str(report.public_id) if report else None,
            "person": str(person.public_id) if person else None,
        },
    )
    return target


TARGET_FIELDS = ("label", "description", "area", "address", "name", "kana", "age_band", "worker")


@transaction.atomic
def target_update(
    *,
    actor: Staff,
    target: OutreachTarget,
    label: str,
    description: str = "",
    area: Area | None = None,
    address: str = "",
    name: str = "",
    kana: str = "",
    age_band: str = "",
    worker: Staff | None = None,
    person: Person | None = None,
) -> OutreachTarget:
    """Write down what has become known; link the registered person once identified."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    _check_worker(target.agency, worker)
    if person is not None and person.pk != target.person_id:
        _check_person(actor, person)
        target.person = person
    before = {f: getattr(target, f) for f in TARGET_FIELDS}
    target.label = label.strip()
    target.description = description.strip()
    target.area = area
    target.address = address.strip()
    target.name = " ".join(name.split())
    target.kana = kana.strip()
    target.age_band = age_band.strip()
    target.worker = worker
    if not target.label:
        raise ValidationError(
            {"label": _("Say how the target is known, e.g. “the son at this address”.")},
            code="no_label",
        )
    target.full_clean()
    target.save()
    changed = sorted(f for f in TARGET_FIELDS if before[f] != getattr(target, f))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"fields": changed},
    )
    return target


@transaction.atomic
def attempt_record(
    *,
    actor: Staff,
    target: OutreachTarget,
    attempted_on: datetime.date,
    method: str,
    result: str,
    staff: Staff | None = None,
    companions: str = "",
    note: str = "",
) -> ContactAttempt:
    """Log one visit, letter or call: the date, who went, and what came of it.

    Refused for a closed target, for a date in the future or before the target was opened;
    the concern reports behind the target show 対応中 from the first attempt.
    """
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    errors: dict[str, list[ValidationError]] = {}
    if method not in ContactMethod.values:
        errors.setdefault("method", []).append(ValidationError(_("Choose how contact was tried.")))
    if result not in ContactResult.values:
        errors.setdefault("result", []).append(ValidationError(_("Choose the result.")))
    opened_on = timezone.localtime(target.opened_at).date()
    if attempted_on < opened_on:
        errors.setdefault("attempted_on", []).append(
            ValidationError(_("The date is before the target was opened."), code="before_opened")
        )
    if errors:
        raise ValidationError(errors)
    attempt = build_attempt(
        target=target,
        attempted_on=attempted_on,
        method=method,
        result=result,
        staff=staff or actor,
        companions=companions,
        note=note,
    )
    attempt.full_clean()
    attempt.save()
    now = _now()
    for report in target.reports.select_for_update().filter(status=ReportStatus.RECEIVED):
        _set_status(report, ReportStatus.IN_PROGRESS, now)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.CONTACT_ATTEMPT,
        object_id=attempt.public_id,
        detail={"target": str(target.public_id), "result": result},
    )
    return attempt


@transaction.atomic
def target_stage_move(
    *, actor: Staff, target: OutreachTarget, stage: str, note: str = ""
) -> OutreachTarget:
    """Move the stage (把握 → 接触 → 関係構築 → 相談につながる → 支援, or back when the
    relationship is lost); each move is kept in the history."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a stage from the list.")}, code="stage")
    if stage == target.stage:
        raise ValidationError(
            {"stage": _("The target is already at this stage.")}, code="same_stage"
        )
    previous = target.stage
    target.stage = stage
    target.save(update_fields=["stage", "updated_at"])
    _change(target, ChangeKind.STAGE, actor, _now(), from_stage=previous, to_stage=stage, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"stage": [previous, stage]},
    )
    return target


@transaction.atomic
def target_close(
    *, actor: Staff, target: OutreachTarget, reason: str, note: str = ""
) -> OutreachTarget:
    """Close the target (connected to support, moved away, ended); its reports show 対応済."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("Choose why the target is closed.")}, code="reason")
    now = _now()
    target.closed_at = now
    target.close_reason = reason
    target.save(update_fields=["closed_at", "close_reason", "updated_at"])
    _change(target, ChangeKind.CLOSED, actor, now, close_reason=reason, note=note)
    for report in target.reports.select_for_update().exclude(status=ReportStatus.DONE):
        _set_status(report, ReportStatus.DONE, now)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"closed": reason},
    )
    return target


@transaction.atomic
def target_reopen(*, actor: Staff, target: OutreachTarget, note: str = "") -> OutreachTarget:
    """A closed target comes back (the month's "returned" inflow), at the stage it left."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    if target.is_open:
        raise ValidationError(_("This outreach target is open."), code="target_open")
    target.closed_at = None
    target.close_reason = ""
    target.quiet_alerted_at = None
    target.save(update_fields=["closed_at", "close_reason", "quiet_alerted_at", "updated_at"])
    _change(target, ChangeKind.REOPENED, actor, _now(), to_stage=target.stage, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"reopened": True},
    )
    return target


def _household_of(person: Person) -> Household | None:
    membership = (
        Membership.objects.filter(person=person, ended_on__isnull=True)
        .select_related("household")
        .order_by("-started_on")
        .first()
    )
    return membership.household if membership else None


@transaction.atomic
def target_to_case(
    *,
    actor: Staff,
    target: OutreachTarget,
    consent: ConsentInput,
    birth_date: datetime.date | None = None,
) -> Case:
    """The target becomes a case, with nothing typed twice.

    The registered person's household is used; without one, a household is registered from
    what the target holds (name, kana, address, area). The case is led by the actor's
    agency (or the household's open case the agency is on is reused), the person's consent
    is recorded, and the stage moves to 支援.
    """
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    if target.case_id is not None:
        raise ValidationError(_("This target is already a case."), code="already_case")
    person = target.person
    if person is None:
        if not target.name or not target.kana:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("Write the person's name and its kana on the target first."),
                        code="no_name",
                    )
                }
            )
        household = household_create(
            actor=actor,
            head=PersonInput(
                name=target.name, kana=target.kana, birth_date=birth_date, area=target.area
            ),
            address=target.address,
            area=target.area,
        )
        person = household.memberships.get().person
        target.person = person
    else:
        _check_person(actor, person)
        found = _household_of(person)
        if found is None:
            raise ValidationError(
                _("The person belongs to no household in the registry."), code="no_household"
            )
        household = found
    case = case_services.open_case_of_household(actor, household) or case_services.case_open(
        actor=actor, household=household
    )
    purposes = sorted(set(consent.purposes) | {ConsentPurpose.OUTREACH})
    consent_record(
        actor=actor,
        person=person,
        data=ConsentInput(
            purposes=purposes,
            method=consent.method,
            obtained_on=consent.obtained_on,
            agencies=consent.agencies or [target.agency],
            agency_types=consent.agency_types,
            proxy_name=consent.proxy_name,
            proxy_relation=consent.proxy_relation,
            expires_on=consent.expires_on,
            note=consent.note,
        ),
    )
    target.case = case
    previous = target.stage
    target.stage = Stage.SUPPORTED
    target.save(update_fields=["case", "person", "stage", "updated_at"])
    if previous != Stage.SUPPORTED:
        _change(
            target,
            ChangeKind.STAGE,
            actor,
            _now(),
            from_stage=previous,
            to_stage=Stage.SUPPORTED,
            note=_("Case %(number)s opened.") % {"number": case.number},
        )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"case": str(case.public_id), "person": str(person.public_id)},
    )
    return case


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(Stage(stage))


# --- the scheduled alert ------------------------------------------------------------------


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

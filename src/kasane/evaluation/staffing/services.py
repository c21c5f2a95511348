"""Writes of the staffing estimate: the default assumptions, and the municipality's own.

Only the municipality's coordinators change the assumptions (``access.may_edit``); each
change is audited in the same transaction (no personal data: ``LegalBasis.NONE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.evaluation.access import may_edit
from kasane.evaluation.error_codes import ErrorCode
from kasane.evaluation.models import StaffingSettings, StaffRole, WorkloadAssumption, WorkloadKind
from kasane.evaluation.staffing.defaults import (
    DEFAULT_HOURS_PER_FTE,
    DEFAULTS,
    FTE_HOURS_MAX,
    FTE_HOURS_MIN,
    HOURS_MAX,
)

NOTE_MAX = 300


@transaction.atomic
def staffing_defaults_seed() -> int:
    """Save the default assumption of every kind of work that has none yet, each with its
    basis, and the default casework hours of a full-time month if unset. Idempotent: the
    municipality's own figures are kept. Returns how many rows were created."""
    saved = set(WorkloadAssumption.objects.values_list("kind", flat=True))
    new = [
        WorkloadAssumption(kind=kind, hours_per_month=d.hours, done_by=d.done_by, note=d.note)
        for kind, d in DEFAULTS.items()
        if kind not in saved
    ]
    for row in new:
        row.full_clean()
    WorkloadAssumption.objects.bulk_create(new)
    created = len(new)
    if not StaffingSettings.objects.exists():
        StaffingSettings.objects.create(hours_per_fte_month=DEFAULT_HOURS_PER_FTE)
        created += 1
    return created


@dataclass(frozen=True)
class AssumptionInput:
    hours_per_month: Decimal | int | str
    done_by: str
    note: str = ""


def _hours(value: Decimal | int | str, low: Decimal, high: Decimal, *, strict_low: bool) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(_("Enter a number of hours."))
    too_low = number <= low if strict_low else number < low
    if too_low or number > high:
        if strict_low:
            message = _("Enter more than %(low)s and at most %(high)s hours.")
        else:
            message = _("Enter from %(low)s to %(high)s hours.")
        raise ValueError(message % {"low": f"{low:f}", "high": f"{high:f}"})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("Enter hours to two decimal places at most."))
    return number


Checked = dict[str, tuple[Decimal, str, str]]


def _checked(
    assumptions: Mapping[str, AssumptionInput], errors: dict[str, list[ValidationError]]
) -> Checked:
    """The assumptions given, checked: (hours, who, basis) by kind; each fault is added to
    ``errors`` under its field."""
    checked: dict[str, tuple[Decimal, str, str]] = {}
    for kind, given in assumptions.items():
        if kind not in WorkloadKind.values:
            errors.setdefault("__all__", []).append(
                ValidationError(
                    _("There is no kind of work “%(kind)s”.") % {"kind": kind},
                    code=ErrorCode.UNKNOWN_KIND,
                )
            )
            continue
        try:
            hours = _hours(given.hours_per_month, Decimal(0), HOURS_MAX, strict_low=True)
        except ValueError as exc:
            errors[f"hours_{kind}"] = [ValidationError(str(exc), code=CoreCode.INVALID)]
            continue
        if given.done_by not in StaffRole.values:
            errors[f"done_by_{kind}"] = [
                ValidationError(_("Choose who does this work."), code=CoreCode.INVALID)
            ]
            continue
        note = given.note.strip()
        if len(note) > NOTE_MAX:
            errors[f"note_{kind}"] = [
                ValidationError(
                    _("Keep the basis under %(max)d characters.") % {"max": NOTE_MAX},
                    code=ErrorCode.NOTE_LENGTH,
                )
            ]
            continue
        checked[kind] = (hours, given.done_by, note)
    return checked


def _save_assumptions(checked: Checked) -> dict[str, list[str]]:
    """Save the checked assumptions (under lock); the hours changed, before and after."""
    saved = {a.kind: a for a in WorkloadAssumption.objects.select_for_update()}
    changed: dict[str, list[str]] = {}
    for kind, (hours, done_by, note) in checked.items():
        row = saved.get(kind) or WorkloadAssumption(kind=kind)
        before = (row.hours_per_month, row.done_by, row.note) if row.pk else None
        if before == (hours, done_by, note):
            continue
        if before is None or before[0] != hours:
            changed[kind] = [f"{before[0]:f}" if before else "", f"{hours:f}"]
        row.hours_per_month, row.done_by, row.note = hours, done_by, note
        row.full_clean()
        row.save()
    return changed


@transaction.atomic
def staffing_assumptions_set(
    *,
    actor: Staff,
    hours_per_fte_month: Decimal | int | str,
    assumptions: Mapping[str, AssumptionInput],
) -> StaffingSettings:
    """Set the hours a month each kind of work takes, who does it and on what basis, and
    the casework hours of a full-time month.

    Every figure is positive and bounded: one item of work from more than 0 to 160 hours a
    month (a full-time month), a full-time month from 20 to 200 casework hours. Kinds not
    given keep their current figures.
    """
    if not may_edit(actor):
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    try:
        fte_hours = _hours(hours_per_fte_month, FTE_HOURS_MIN, FTE_HOURS_MAX, strict_low=False)
    except ValueError as exc:
        errors["hours_per_fte_month"] = [ValidationError(str(exc), code=CoreCode.INVALID)]
    checked = _checked(assumptions, errors)
    if errors:
        raise ValidationError(errors)
    changed = _save_assumptions(checked)
    settings = StaffingSettings.objects.select_for_update().order_by("pk").first()
    if settings is None:
        settings = StaffingSettings()
    if settings.pk is None or settings.hours_per_fte_month != fte_hours:
        changed["hours_per_fte_month"] = [
            f"{settings.hours_per_fte_month:f}" if settings.pk else "",
            f"{fte_hours:f}",
        ]
    settings.hours_per_fte_month = fte_hours
    settings.updated_at = timezone.now()
    settings.full_clean()
    settings.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.STAFFING_ASSUMPTIONS,
        object_id="city",
        detail={"changed": changed},
    )
    return settings

"""Writes of the evaluation app: targets, hand-entered values, and the standard indicators."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.changes import changed
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.evaluation.computations import REGISTRY
from kasane.evaluation.error_codes import ErrorCode
from kasane.evaluation.models import Indicator, IndicatorSource, ManualValue, Target


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise ValidationError(
            _("There is no indicator with the code “%(code)s”.") % {"code": code},
            code=ErrorCode.UNKNOWN_INDICATOR,
        )
    return indicator


def _decimal(value: Decimal | int | str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(
            {"value": ValidationError(_("Enter a number."), code=CoreCode.INVALID)}
        )
    return number


def _fiscal_year(value: int) -> int:
    if not 1990 <= value <= 2200:
        raise ValidationError(
            {"fiscal_year": ValidationError(_("Enter a valid fiscal year."), code=CoreCode.INVALID)}
        )
    return value


def _audit_master(
    actor: Staff | None,
    object_type: ObjectType,
    object_id: str,
    created: bool,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    """Master data: the change with its values before and after (no personal data)."""
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=object_type,
        object_id=object_id,
        detail={"changed": changed(before, after)},
        actor_username=None if actor is not None else "system",
    )


@transaction.atomic
def target_set(
    *, code: str, fiscal_year: int, value: Decimal | int | str, actor: Staff | None = None
) -> Target:
    """Set (or replace) the 目標値 of an indicator for a 年度; audited with the value before
    and after (``actor`` None: a command or the demo)."""
    indicator = _indicator(code)
    year = _fiscal_year(fiscal_year)
    number = _decimal(value)
    target = (
        Target.objects.select_for_update().filter(indicator=indicator, fiscal_year=year).first()
    )
    created = target is None
    before = {} if target is None else {"value": target.value}
    if target is None:
        target = Target(indicator=indicator, fiscal_year=year)
    target.value = number
    target.full_clean()
    target.save()
    _audit_master(
        actor,
        ObjectType.INDICATOR_TARGET,
        f"{indicator.code}:{year}",
        created,
        before,
        {"value": number},
    )
    return target


@transaction.atomic
def manual_value_set(
    *,
    actor: Staff,
    code: str,
    fiscal_year: int,
    value: Decimal | int | str,
    note: str = "",
) -> ManualValue:
    """Enter (or correct) the value of a hand-entered indicator for a 年度."""
    indicator = _indicator(code)
    if indicator.source != IndicatorSource.MANUAL:
        raise ValidationError(
            _("“%(code)s” is computed from the records; it cannot be entered by hand.")
            % {"code": code},
            code=ErrorCode.COMPUTED_INDICATOR,
        )
    year = _fiscal_year(fiscal_year)
    number = _decimal(value)
    entry = (
        ManualValue.objects.select_for_update()
        .filter(indicator=indicator, fiscal_year=year)
        .first()
    )
    created = entry is None
    before = {} if entry is None else {"value": entry.value, "note": entry.note}
    if entry is None:
        entry = ManualValue(indicator=indicator, fiscal_year=year)
    entry.value = number
    entry.note = note.strip()
    entry.entered_by = actor
    entry.entered_at = timezone.now()
    entry.full_clean()
    entry.save()
    _audit_master(
        actor,
        ObjectType.INDICATOR_VALUE,
        f"{indicator.code}:{year}",
        created,
        before,
        {"value": entry.value, "note": entry.note},
    )
    return entry


def seed_indicators(*, using: str = "default") -> int:
    """Create the standard indicator of each registered computation that has none yet;
    those already there (perhaps renamed by the municipality) are left as they are.
    Returns how many were created. Run after every ``migrate``."""
    with transaction.atomic(using=using):
        return _seed_indicators(using)


def _seed_indicators(using: str) -> int:
    existing = set(Indicator.objects.using(using).values_list("code", flat=True))
    new = [
        Indicator(
            code=entry.code,
            name=entry.name,
            kind=entry.kind,
            level=entry.level,
            unit=entry.unit,
            project=entry.project,
            source=IndicatorSource.COMPUTED,
            computation=entry.code,
        )
        for entry in REGISTRY.values()
        if entry.code not in existing
    ]
    for indicator in new:
        indicator.full_clean(validate_unique=False)
    Indicator.objects.using(using).bulk_create(new)
    return len(new)


@transaction.atomic
def manual_indicator_create(
    *,
    code: str,
    name: str,
    kind: str,
    level: str,
    project: str,
    unit: str = "",
    description: str = "",
    actor: Staff | None = None,
) -> Indicator:
    """A new hand-entered indicator; its values are entered per 年度 with
    ``manual_value_set``. Audited with the values it was created with."""
    code = code.strip()
    if Indicator.objects.filter(code=code).exists() or code in REGISTRY:
        raise ValidationError(
            {"code": ValidationError(_("This code is already in use."), code=ErrorCode.DUPLICATE)}
        )
    indicator = Indicator(
        code=code,
        name=name.strip(),
        kind=kind,
        level=level,
        project=project,
        unit=unit.strip(),
        description=description.strip(),
        source=IndicatorSource.MANUAL,
    )
    indicator.full_clean()
    indicator.save()
    fields = ("code", "name", "kind", "level", "project", "unit", "description")
    _audit_master(
        actor,
        ObjectType.INDICATOR,
        indicator.code,
        True,
        {},
        {name: getattr(indicator, name) for name in fields},
    )
    return indicator

"""人員配置の試算 (seed 004 支援策①: 専門コーディネーターの必要数を算出).

The load is counted from the records at a moment (now, or the end of a past 年度): open
cases (each carried by its lead agency, seed 001 §5-3), coordination's part of those sent
to it by triage, open outreach targets, active participation matches, and new
consultations a month over the three months before. Each kind of work takes so many hours
a month (``WorkloadAssumption``) from a coordinator or a support worker; the sum divided by
the casework hours of one full-time staff member a month (``StaffingSettings``) is the
staff the load needs, set beside the staff Kasane knows.

No person is read: every figure is a count from one aggregate query. Analysts see each
count perturbed by its cell key (``core.cellkey``), and the hours and staff computed from
the perturbed counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import AgencyType, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case, Triage
from kasane.core import cellkey
from kasane.core.dates import fiscal_year, fiscal_year_bounds
from kasane.evaluation.access import aggregates_only, may_see
from kasane.evaluation.models import (
    StaffingSettings,
    StaffRole,
    WorkloadAssumption,
    WorkloadKind,
)
from kasane.evaluation.staffing.defaults import (
    CONSULTATION_MONTHS,
    DEFAULT_HOURS_PER_FTE,
    DEFAULTS,
    ONE_DECIMAL,
)
from kasane.intake.models import Consultation
from kasane.outreach.models import OutreachTarget
from kasane.participation.models import Match, MatchStage

# Agencies whose case-role staff are the program's support workers. Schools, clinics, the
# board of education and prefectural agencies take part in cases, but their posts are not
# staffed for this casework; volunteers and watch businesses have no case roles.
WORKER_AGENCY_TYPES = frozenset(
    {
        AgencyType.MUNICIPALITY,
        AgencyType.COMMUNITY_GENERAL_SUPPORT,
        AgencyType.DISABILITY_SUPPORT,
        AgencyType.CHILD_FAMILY_CENTER,
        AgencyType.SELF_RELIANCE_SUPPORT,
        AgencyType.SOCIAL_WELFARE_COUNCIL,
        AgencyType.HEALTH_CENTER,
        AgencyType.NPO,
    }
)
WORKER_ROLES = (Role.CASEWORKER, Role.OUTREACH_WORKER, Role.PARTICIPATION_WORKER)


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """100.00 → "100", 1.50 → "1.5" (never "1E+2")."""
    return f"{value.normalize():f}"


# --- the moment counted --------------------------------------------------------------------


def as_of_for(year: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """Now for the current 年度; the end of a past 年度 (its last moment, exclusive)."""
    moment = now or timezone.now()
    if year >= fiscal_year(timezone.localtime(moment).date()):
        return moment
    day_after = fiscal_year_bounds(year)[1] + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local day and time ``months`` calendar months earlier (the last day of the
    month when that month is shorter)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    after = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (after - datetime.timedelta(days=1)).day
    return local.replace(year=year, month=month, day=min(local.day, last_day))


# --- the load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What is open at ``as_of``: whole counts per kind, and ``consultations`` received in
    the three months before (the kind ``consultation`` is their monthly average)."""

    as_of: datetime.datetime
    counts: dict[str, int]
    consultations: int
    # The raw key sums of the records behind each count (``core.cellkey``).
    keys: dict[str, int] = field(default_factory=dict)
    consultations_key: int = 0

    def published(self) -> Load:
        """The load as an analyst sees it: every count perturbed by its cell key."""
        return Load(
            self.as_of,
            {kind: cellkey.publish(n, self.keys.get(kind, 0)) for kind, n in self.counts.items()},
            cellkey.publish(self.consultations, self.consultations_key),
        )

    def quantity(self, kind: str) -> Decimal:
        if kind == WorkloadKind.CONSULTATION:
            return Decimal(self.consultations) / CONSULTATION_MONTHS
        return Decimal(self.counts[kind])


def load_at(as_of: datetime.datetime) -> Load:
    """Count the open work at a moment, in four aggregate queries."""
    open_case = Q(opened_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
    sent = Q(sent_to_coordination_at__lt=as_of)
    triaged = ~Q(triage="") & (Q(triaged_at__isnull=True) | Q(triaged_at__lt=as_of))
    kinds = {
        "case": Q(),
        "triage_a": sent & triaged & Q(triage=Triage.A),
        "triage_b": sent & triaged & Q(triage=Triage.B),
        "triage_c": sent & triaged & Q(triage=Triage.C),
        "triage_pending": sent & ~triaged,
    }
    case_label = Case._meta.label_lower
    cases = Case.objects.filter(open_case).aggregate(
        **{kind: cellkey.counted(case_label, filter=q) for kind, q in kinds.items()},
    )
    outreach = OutreachTarget.objects.filter(
        Q(opened_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
    ).aggregate(n=Count("pk"), k=cellkey.key_sum(OutreachTarget._meta.label_lower))
    last_day = timezone.localtime(as_of - datetime.timedelta(microseconds=1)).date()
    matches = (
        Match.objects.filter(created_at__lt=as_of)
        .exclude(stage=MatchStage.ENDED, stage_since__lte=last_day)
        .aggregate(n=Count("pk"), k=cellkey.key_sum(Match._meta.label_lower))
    )
    consultations = Consultation.objects.filter(
        received_at__gte=months_before(as_of, CONSULTATION_MONTHS), received_at__lt=as_of
    ).aggregate(n=Count("pk"), k=cellkey.key_sum(Consultation._meta.label_lower))
    counts = {kind: cellkey.unpack(cases[kind])[0] for kind in kinds}
    keys = {kind: cellkey.unpack(cases[kind])[1] for kind in kinds}
    for kind, row in ((WorkloadKind.OUTREACH, outreach), (WorkloadKind.MATCH, matches)):
        counts[kind] = row["n"]
        keys[kind] = row["k"] or 0
    return Load(as_of, counts, consultations["n"], keys, consultations["k"] or 0)


# --- assumptions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    rows: dict[str, WorkloadAssumption]  # every kind: saved, or its unsaved default
    hours_per_fte: Decimal
    defaults_in_use: bool  # some kind has no saved row yet


def assumptions() -> Assumptions:
    saved = {a.kind: a for a in WorkloadAssumption.objects.all()}
    rows: dict[str, WorkloadAssumption] = {}
    for kind in WorkloadKind:
        found = saved.get(kind)
        if found is None:
            d = DEFAULTS[kind]
            found = WorkloadAssumption(
                kind=kind, hours_per_month=d.hours, done_by=d.done_by, note=d.note
            )
        rows[kind] = found
    settings = StaffingSettings.objects.order_by("pk").first()
    hours = settings.hours_per_fte_month if settings is not None else DEFAULT_HOURS_PER_FTE
    return Assumptions(rows, hours, len(saved) < len(WorkloadKind) or settings is None)


# --- the estimate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: WorkloadKind
    quantity: Decimal
    hours_each: Decimal
    done_by: str
    note: str
    hidden: bool = False  # a small count an analyst may not see (with its hours)

    @property
    def hours(self) -> Decimal:
        return one_decimal(self.quantity * self.hours_each)

    @property
    def quantity_text(self) -> str:
        if self.hidden:
            return "—"
        return (
            f"{one_decimal(self.quantity).normalize():f}"
            if self.kind == WorkloadKind.CONSULTATION
            else str(int(self.quantity))
        )

    @property
    def hours_each_text(self) -> str:
        return plain(self.hours_each)

    def get_done_by_display(self) -> str:
        return str(StaffRole(self.done_by).label)


@dataclass(frozen=True)
class KnownStaff:
    agency_type: str
    coordinators: int
    workers: int
    counted_as_workers: bool

    @property
    def label(self) -> str:
        return str(AgencyType(self.agency_type).label)


@dataclass(frozen=True)
class Estimate:
    as_of: datetime.datetime
    fiscal_year: int
    load: Load
    lines: list[Line]
    hours_per_fte: Decimal
    defaults_in_use: bool
    known: list[KnownStaff]

    def role_hidden(self, role: str) -> bool:
        """A role with a hidden line (analysts): its hours, FTE and gap are not shown
        either."""
        return any(line.hidden for line in self.lines if line.done_by == role)

    @property
    def coordinator_hidden(self) -> bool:
        return self.role_hidden(StaffRole.COORDINATOR)

    @property
    def worker_hidden(self) -> bool:
        return self.role_hidden(StaffRole.WORKER)

    def shown_hours_of(self, role: str) -> Decimal | None:
        """The role's hours as the reader may see them (None: hidden)."""
        return None if self.role_hidden(role) else self.hours_of(role)

    @property
    def hours_per_fte_text(self) -> str:
        return plain(self.hours_per_fte)

    def hours_of(self, role: str) -> Decimal:
        return one_decimal(
            sum(
                (line.quantity * line.hours_each for line in self.lines if line.done_by == role),
                Decimal(0),
            )
        )

    @property
    def coordinator_hours(self) -> Decimal:
        return self.hours_of(StaffRole.COORDINATOR)

    @property
    def worker_hours(self) -> Decimal:
        return self.hours_of(StaffRole.WORKER)

    @property
    def coordinators_needed(self) -> Decimal:
        return one_decimal(self.coordinator_hours / self.hours_per_fte)

    @property
    def workers_needed(self) -> Decimal:
        return one_decimal(self.worker_hours / self.hours_per_fte)

    @property
    def coordinators_known(self) -> int:
        return sum(k.coordinators for k in self.known)

    @property
    def workers_known(self) -> int:
        return sum(k.workers for k in self.known if k.counted_as_workers)

    @property
    def coordinator_gap(self) -> Decimal:
        """Needed minus known: positive is a shortfall."""
        return self.coordinators_needed - self.coordinators_known

    @property
    def worker_gap(self) -> Decimal:
        return self.workers_needed - self.workers_known


def known_staff() -> list[KnownStaff]:
    """Active staff accounts by agency kind: coordinators, and staff in case roles."""
    rows = (
        Staff.objects.filter(is_active=True, agency__isnull=False)
        .filter(Q(role=Role.COORDINATOR) | Q(role__in=WORKER_ROLES))
        .values("agency__agency_type", "role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    coordinators: dict[str, int] = {}
    workers: dict[str, int] = {}
    for row in rows:
        target = coordinators if row["role"] == Role.COORDINATOR else workers
        kind = row["agency__agency_type"]
        target[kind] = target.get(kind, 0) + row["n"]
    return [
        KnownStaff(t.value, coordinators.get(t, 0), workers.get(t, 0), t in WORKER_AGENCY_TYPES)
        for t in AgencyType
        if coordinators.get(t) or workers.get(t)
    ]


def estimate(*, fiscal_year: int, aggregates_only: bool = False) -> Estimate:
    """The staff the load at the end of the 年度 (now, for the current one) needs."""
    as_of = as_of_for(fiscal_year)
    load = load_at(as_of)
    if aggregates_only:
        # Every count perturbed by its cell key; hours and staff follow from them, so
        # none of them is an equation in a true small count.
        load = load.published()
    assumed = assumptions()
    lines = [
        Line(
            kind,
            load.quantity(kind),
            assumed.rows[kind].hours_per_month,
            assumed.rows[kind].done_by,
            assumed.rows[kind].note,
        )
        for kind in WorkloadKind
    ]
    return Estimate(
        as_of=as_of,
        fiscal_year=fiscal_year,
        load=load,
        lines=lines,
        hours_per_fte=assumed.hours_per_fte,
        defaults_in_use=assumed.defaults_in_use,
        known=known_staff(),
    )


def estimate_for(*, actor: Staff, fiscal_year: int) -> Estimate:
    """The estimate as ``actor`` may see it (small counts hidden from analysts), its view
    audited as a read of aggregates."""
    if not may_see(actor):
        raise Http404
    result = estimate(fiscal_year=fiscal_year, aggregates_only=aggregates_only(actor))
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.STAFFING_ESTIMATE,
        object_id=str(fiscal_year),
        detail={"filters": {"fy": fiscal_year}},
    )
    return result

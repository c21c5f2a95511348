"""ケース: household-level support, its team, つなぎ (referrals) and 支援経過記録 (notes).

The invariant the program rests on — "the ball is always in someone's hands" — is kept by
the database: an open case always has a lead agency.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kasane.core.models import TimeStampedModel


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSESSMENT = "assessment", _("assessment")
    PLANNING = "planning", _("planning")
    IN_SUPPORT = "in_support", _("in support")
    WATCHING = "watching", _("watching over")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = [s for s in CaseStatus if s != CaseStatus.CLOSED]


class Triage(models.TextChoices):
    """How coordination takes a case up (seed 003: 57 = A16 + B8 + C33)."""

    A = "A", _("A: meeting held")
    B = "B", _("B: meeting planned")
    C = "C", _("C: existing network suffices")


class CaseNumberCounter(models.Model):
    """The last case number given in a 年度; locked while a number is taken."""

    fiscal_year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last}"


class Case(TimeStampedModel):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    opened_at = models.DateTimeField(_("opened at"))
    lead_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    accepted_at = models.DateTimeField(_("support decision"), null=True, blank=True)
    sent_to_coordination_at = models.DateTimeField(_("sent to coordination"), null=True, blank=True)
    coordination_reason = models.TextField(_("reason for coordination"), blank=True)
    triage = models.CharField(_("triage"), max_length=1, choices=Triage.choices, blank=True)
    triage_advice = models.TextField(_("advice given"), blank=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Counts the saves of this row, for optimistic locking (kasane.core.row_version).
    row_version = models.PositiveIntegerField(_("row version"), default=0, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED) | Q(lead_agency__isnull=False),
                name="case_open_has_lead_agency",
                violation_error_message=_("An open case always has a lead agency."),
            ),
            models.CheckConstraint(
                condition=Q(triage="") | Q(sent_to_coordination_at__isnull=False),
                name="case_triage_only_in_coordination",
            ),
            models.CheckConstraint(
                condition=~Q(triage=Triage.C) | ~Q(triage_advice=""),
                name="case_triage_c_has_advice",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="case_closed_at_with_status",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_agency", "status"], name="case_lead_status"),
            models.Index(fields=["sent_to_coordination_at"], name="case_coordination"),
            # The case lists' order: the newest page walks this index and probes the grants.
            models.Index(fields=["-opened_at", "-id"], name="case_opened"),
            # The coordinator's board's order: untriaged first, newest first.
            models.Index(
                fields=["triage", "-sent_to_coordination_at", "-id"],
                name="case_board",
                condition=models.Q(sent_to_coordination_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class TeamRole(models.TextChoices):
    LEAD = "lead", _("lead agency")
    MEMBER = "member", _("team member")
    COORDINATION = "coordination", _("coordination")


class TeamMember(TimeStampedModel):
    """支援チーム: an agency on a case (one active row per agency), with an optional contact."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    joined_at = models.DateTimeField(_("joined at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=Q(left_at__isnull=True),
                name="team_member_once_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.agency_id} ({self.role})"


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("waiting for acceptance")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class Handover(TimeStampedModel):
    """A change of lead agency: it takes effect only when the receiving agency accepts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    from_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    response_note = models.TextField(_("response"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=HandoverStatus.PENDING),
                name="handover_one_pending_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(from_agency=F("to_agency")), name="handover_to_another_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_agency_id} → {self.to_agency_id}"


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    COMPLETED = "completed", _("completed")


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    NO_CAPACITY = "no_capacity", _("no capacity")
    UNREACHABLE = "unreachable", _("could not reach the person")
    PERSON_DECLINED = "person_declined", _("the person declined")
    OTHER = "other", _("other")


class Referral(TimeStampedModel):
    """つなぎ, closed-loop: it stays visible to both agencies until it is answered and closed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    consultation = models.ForeignKey(
        "intake.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    from_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    due_at = models.DateTimeField(_("answer due"))
    reason = models.TextField(_("reason"), max_length=2000)
    request = models.TextField(_("what is asked"), max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.REQUESTED,
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("note on declining"), blank=True, max_length=2000)
    decline_seen_at = models.DateTimeField(_("decline seen by sender"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=F("to_agency")), name="referral_to_another_agency"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.COMPLETED) | ~Q(outcome=""),
                name="referral_completed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["to_agency", "status"], name="referral_inbox"),
            models.Index(fields=["from_agency", "status"], name="referral_outbox"),
            models.Index(fields=["status", "due_at"], name="referral_due"),
            # たらい回し looks at the last 30 days of referrals only.
            models.Index(fields=["requested_at"], name="referral_requested"),
            # The inbox's declines not yet seen, newest first, without sorting every decline.
            models.Index(
                "from_agency",
                models.F("responded_at").desc(),
                "id",
                name="referral_declined_unseen",
                condition=models.Q(status=ReferralStatus.DECLINED, decline_seen_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_agency_id} → {self.to_agency_id}"


class NoteKind(models.TextChoices):
    INTERVIEW = "interview", _("interview")
    PHONE = "phone", _("phone call")
    VISIT = "visit", _("home visit")
    ACCOMPANY = "accompany", _("accompanying")
    MEETING = "meeting", _("meeting")
    MEMO = "memo", _("record")


class NoteVisibility(models.TextChoices):
    TEAM = "team", _("the support team")
    AGENCY = "agency", _("my agency only")


class CaseNote(TimeStampedModel):
    """支援経過記録: one entry of the progress record."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    written_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"), max_length=8000)
    # Why a note is dated before the case was opened (the consultation that led to it…).
    backdate_reason = models.CharField(_("reason for the earlier date"), max_length=500, blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=NoteVisibility.choices, default=NoteVisibility.TEAM
    )

    class Meta:
        ordering = ["-written_on", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        indexes = [
            models.Index(fields=["case", "written_on"], name="case_note_case_on"),
            # The newest note of a case (the inbox's quiet cases).
            models.Index(fields=["case", "-created_at"], name="case_note_case_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.written_on}"


class EventKind(models.TextChoices):
    OPENED = "opened", _("case opened")
    CONSULTATION = "consultation", _("consultation")
    REFERRAL_REQUESTED = "referral_requested", _("referral requested")
    REFERRAL_ACCEPTED = "referral_accepted", _("referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("referral declined")
    REFERRAL_COMPLETED = "referral_completed", _("referral completed")
    REFERRAL_ESCALATED = "referral_escalated", _("referral overdue, escalated")
    NOTE = "note", _("case note")
    STATUS = "status", _("status changed")
    HANDOVER_REQUESTED = "handover_requested", _("hand-over requested")
    HANDOVER_ACCEPTED = "handover_accepted", _("hand-over accepted")
    HANDOVER_DECLINED = "handover_declined", _("hand-over declined")
    COORDINATION = "coordination", _("sent to coordination")
    TRIAGED = "triaged", _("triaged")
    ACCEPTED = "accepted", _("support decision")
    LEAD_NAMED = "lead_named", _("lead agency named by coordination")
    TEAM = "team", _("team changed")


class CaseEvent(models.Model):
    """One line of the case timeline. Written by the services beside each change, so the
    timeline is one indexed, paginated query however many kinds of record it shows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set for an agency-only note: nobody outside that agency sees the line.
    restricted_to_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consultation = models.ForeignKey(
        "intake.Consultation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.ForeignKey(
        CaseNote, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "-at", "-id"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
